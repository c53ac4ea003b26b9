// Error responses in the OCI distribution-spec JSON format: {"errors":[{"code":...,"message":...,"detail":...}]}.
#pragma once

#include <string>

#include <Poco/Net/HTTPResponse.h>

namespace Poco::Net {
class HTTPServerResponse;
}

namespace vicary::http {

/// The spec's error codes (distribution-spec "Error Codes") plus the ones distribution adds for server-side failures.
enum class OciCode {
    BlobUnknown,
    DigestInvalid,
    ManifestUnknown,
    ManifestInvalid,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    TagInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
    Unavailable,  ///< upstream unreachable or failing
    Unknown,      ///< anything else
};

/// The wire name of a code, e.g. "NAME_UNKNOWN".
const char* ociCodeName(OciCode code) noexcept;

/// The JSON body for one error. `detail` is put in as a string when non-empty.
std::string ociErrorBody(OciCode code, const std::string& message, const std::string& detail = {});

/// Sends a complete error response with `status`, Content-Type application/json and the JSON body (no body for HEAD
/// requests, with the Content-Length the body would have). The response must not have been sent yet.
void sendOciError(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status, OciCode code,
                  const std::string& message, const std::string& detail = {});

}  // namespace vicary::http
