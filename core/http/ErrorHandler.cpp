#include "http/ErrorHandler.h"

#include <Poco/Net/HTTPServerResponse.h>

#include "http/ResponseHeaders.h"

namespace vicary::http {

ErrorHandler::ErrorHandler(Poco::Net::HTTPResponse::HTTPStatus status, OciCode code, std::string message,
                           Headers headers)
    : status_(status), code_(code), message_(std::move(message)), headers_(std::move(headers))
{
}

void ErrorHandler::handleRequest(Poco::Net::HTTPServerRequest& /*request*/, Poco::Net::HTTPServerResponse& response)
{
    setApiHeaders(response);
    if (status_ == Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED)
        response.set("Allow", "GET, HEAD");
    for (const auto& [name, value] : headers_)
        response.set(name, value);
    sendOciError(response, status_, code_, message_);
}

}  // namespace vicary::http
