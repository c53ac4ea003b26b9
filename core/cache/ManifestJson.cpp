#include "cache/ManifestJson.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace vicary::cache {

std::optional<std::string> manifestMediaType(const std::string& body)
{
    try {
        Poco::JSON::Parser parser;
        auto object = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        const Poco::Dynamic::Var type = object->get("mediaType");
        if (type.isString())
            return type.extract<std::string>();
    } catch (const Poco::Exception&) {
    }
    return std::nullopt;
}

}  // namespace vicary::cache
