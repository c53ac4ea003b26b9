#include "http/BaseRoutes.h"

#include <string>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include "http/ResponseHeaders.h"

namespace vicary::http {
namespace {

/// Answers 200 with a fixed JSON body.
class JsonHandler final : public Poco::Net::HTTPRequestHandler {
public:
    JsonHandler(const char* body, bool apiHeaders) : body_(body), apiHeaders_(apiHeaders) {}

    void handleRequest(Poco::Net::HTTPServerRequest& /*request*/, Poco::Net::HTTPServerResponse& response) override
    {
        if (apiHeaders_)
            setApiHeaders(response);
        const std::string body(body_);
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
        response.setContentType("application/json");
        response.setContentLength64(static_cast<Poco::Int64>(body.size()));
        response.send() << body;
    }

private:
    const char* body_;
    bool apiHeaders_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* ApiVersionRoute::createHandler(const Poco::Net::HTTPServerRequest& /*request*/,
                                                              const Poco::URI& uri)
{
    const std::string& path = uri.getPath();
    return path == "/v2/" || path == "/v2" ? new JsonHandler("{}", true) : nullptr;
}

Poco::Net::HTTPRequestHandler* HealthRoute::createHandler(const Poco::Net::HTTPServerRequest& /*request*/,
                                                          const Poco::URI& uri)
{
    return uri.getPath() == "/healthz" ? new JsonHandler(R"({"status":"ok"})", false) : nullptr;
}

}  // namespace vicary::http
