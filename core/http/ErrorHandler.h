// Answers a request with one OCI JSON error.
#pragma once

#include <string>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>

#include "http/OciError.h"

namespace vicary::http {

/// Sends `status` with the OCI error body; adds "Allow: GET, HEAD" to a 405.
class ErrorHandler final : public Poco::Net::HTTPRequestHandler {
public:
    ErrorHandler(Poco::Net::HTTPResponse::HTTPStatus status, OciCode code, std::string message);
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    Poco::Net::HTTPResponse::HTTPStatus status_;
    OciCode code_;
    std::string message_;
};

}  // namespace vicary::http
