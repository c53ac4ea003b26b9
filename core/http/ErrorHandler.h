// Answers a request with one OCI JSON error.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>

#include "http/OciError.h"

namespace vicary::http {

/// Sends `status` with the OCI error body and `headers`; adds "Allow: GET, HEAD" to a 405.
class ErrorHandler final : public Poco::Net::HTTPRequestHandler {
public:
    using Headers = std::vector<std::pair<std::string, std::string>>;
    ErrorHandler(Poco::Net::HTTPResponse::HTTPStatus status, OciCode code, std::string message, Headers headers = {});
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    Poco::Net::HTTPResponse::HTTPStatus status_;
    OciCode code_;
    std::string message_;
    Headers headers_;
};

}  // namespace vicary::http
