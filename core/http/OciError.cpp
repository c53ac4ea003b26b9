#include "http/OciError.h"

#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace vicary::http {

const char* ociCodeName(OciCode code) noexcept
{
    switch (code) {
    case OciCode::BlobUnknown: return "BLOB_UNKNOWN";
    case OciCode::DigestInvalid: return "DIGEST_INVALID";
    case OciCode::ManifestUnknown: return "MANIFEST_UNKNOWN";
    case OciCode::ManifestInvalid: return "MANIFEST_INVALID";
    case OciCode::NameInvalid: return "NAME_INVALID";
    case OciCode::NameUnknown: return "NAME_UNKNOWN";
    case OciCode::SizeInvalid: return "SIZE_INVALID";
    case OciCode::TagInvalid: return "TAG_INVALID";
    case OciCode::Unauthorized: return "UNAUTHORIZED";
    case OciCode::Denied: return "DENIED";
    case OciCode::Unsupported: return "UNSUPPORTED";
    case OciCode::TooManyRequests: return "TOOMANYREQUESTS";
    case OciCode::Unavailable: return "UNAVAILABLE";
    case OciCode::Unknown: return "UNKNOWN";
    }
    return "UNKNOWN";
}

std::string ociErrorBody(OciCode code, const std::string& message, const std::string& detail)
{
    Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
    error->set("code", std::string(ociCodeName(code)));
    error->set("message", message);
    if (!detail.empty())
        error->set("detail", detail);
    Poco::JSON::Array::Ptr errors = new Poco::JSON::Array;
    errors->add(error);
    Poco::JSON::Object root;
    root.set("errors", errors);
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(root, out);
    return out.str();
}

void sendOciError(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status, OciCode code,
                  const std::string& message, const std::string& detail)
{
    const std::string body = ociErrorBody(code, message, detail);
    response.setStatusAndReason(status);
    response.setContentType("application/json");
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    // For a HEAD request POCO sends the headers only and drops what is written to the stream (RFC 9110 9.3.2).
    response.send() << body;
}

}  // namespace vicary::http
