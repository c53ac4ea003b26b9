#include "config/Base64Credentials.h"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>

#include <sstream>

#include "config/TextFile.h"

namespace vicary::config {
namespace {

/// The decoded text; throws ValueError (without the value) if `base64` is not base64.
std::string decoded(const std::string& base64)
{
    std::istringstream input(base64);
    Poco::Base64Decoder decoder(input);
    std::string text;
    try {
        char c = 0;
        while (decoder.get(c))
            text += c;
    } catch (const Poco::Exception&) {
        throw ValueError("is not valid base64");
    }
    if (decoder.bad() || text.empty())
        throw ValueError("is not valid base64");
    return text;
}

}  // namespace

Credentials decodeBase64Credentials(const std::string& base64)
{
    const std::string text = withoutTrailingNewlines(decoded(base64));
    const auto colon = text.find(':');
    if (colon == std::string::npos)
        throw ValueError("does not decode to user:password (no ':')");
    Credentials credentials{text.substr(0, colon), text.substr(colon + 1)};
    if (credentials.username.empty())
        throw ValueError("decodes to user:password with an empty user");
    if (credentials.password.empty())
        throw ValueError("decodes to user:password with an empty password");
    return credentials;
}

}  // namespace vicary::config
