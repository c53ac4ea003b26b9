#include "http/MeteredHandler.h"

#include <chrono>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace vicary::http {

MeteredHandler::MeteredHandler(Poco::Net::HTTPRequestHandler* inner, std::shared_ptr<RequestContext> context,
                               metrics::ServerMetrics& metrics)
    : inner_(inner), context_(std::move(context)), metrics_(metrics)
{
}

void MeteredHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
    const auto start = std::chrono::steady_clock::now();
    auto record = [&](int status) {
        const RequestContext& c = *context_;
        metrics_.requests.with({c.registry, c.kind, request.getMethod(), std::to_string(status)}).inc();
        metrics_.requestSeconds.with({c.registry, c.kind})
            .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        if (!c.cacheResult.empty())
            metrics_.cacheResults.with({c.registry, c.kind, c.cacheResult}).inc();
        if (c.cacheBytes > 0)
            metrics_.servedBytes.with({c.registry, "cache"}).inc(c.cacheBytes);
        if (c.upstreamBytes > 0)
            metrics_.servedBytes.with({c.registry, "upstream"}).inc(c.upstreamBytes);
    };
    try {
        inner_->handleRequest(request, response);
    } catch (...) {
        record(500);
        throw;
    }
    record(static_cast<int>(response.getStatus()));
}

}  // namespace vicary::http
