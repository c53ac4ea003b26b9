#include "http/OperationsRoutes.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <sstream>

namespace vicary::http {
namespace {

/// Sends a fixed body computed when the request comes.
class TextHandler final : public Poco::Net::HTTPRequestHandler {
public:
    TextHandler(std::function<std::pair<int, std::string>()> produce, std::string contentType)
        : produce_(std::move(produce)), contentType_(std::move(contentType))
    {
    }
    void handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) override
    {
        auto [status, body] = produce_();
        response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
        response.setContentType(contentType_);
        response.setContentLength64(static_cast<Poco::Int64>(body.size()));
        response.send() << body;
    }

private:
    std::function<std::pair<int, std::string>()> produce_;
    std::string contentType_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* MetricsRoute::createHandler(const Poco::Net::HTTPServerRequest&, const Poco::URI& uri)
{
    if (uri.getPath() != path_)
        return nullptr;
    const metrics::Registry& registry = registry_;
    return new TextHandler([&registry] { return std::make_pair(200, registry.render()); },
                           "text/plain; version=0.0.4; charset=utf-8");
}

Poco::Net::HTTPRequestHandler* ReadinessRoute::createHandler(const Poco::Net::HTTPServerRequest&, const Poco::URI& uri)
{
    if (uri.getPath() != "/readyz")
        return nullptr;
    auto check = check_;
    return new TextHandler(
        [check] {
            const std::string problem = check();
            Poco::JSON::Object body;
            body.set("status", problem.empty() ? "ready" : "not ready");
            if (!problem.empty())
                body.set("reason", problem);
            std::ostringstream out;
            Poco::JSON::Stringifier::condense(body, out);
            return std::make_pair(problem.empty() ? 200 : 503, out.str());
        },
        "application/json");
}

}  // namespace vicary::http
