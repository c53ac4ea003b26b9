#include "http/MeteredHandler.h"

#include <atomic>
#include <chrono>
#include <sstream>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace vicary::http {

namespace {

/// "<process start in hex>-<sequence>": unique per request and per run, cheap, no randomness needed.
std::string nextRequestId()
{
    static const std::string prefix = [] {
        std::ostringstream out;
        out << std::hex << std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
        return out.str();
    }();
    static std::atomic<std::uint64_t> sequence{0};
    return prefix + "-" + std::to_string(++sequence);
}

}  // namespace

MeteredHandler::MeteredHandler(Poco::Net::HTTPRequestHandler* inner, std::shared_ptr<RequestContext> context,
                               metrics::ServerMetrics& metrics, AccessLog* accessLog)
    : inner_(inner), context_(std::move(context)), metrics_(metrics), accessLog_(accessLog)
{
}

void MeteredHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
    const auto start = std::chrono::steady_clock::now();
    const std::string requestId = nextRequestId();
    response.set("X-Request-Id", requestId);
    auto record = [&](int status) {
        const RequestContext& c = *context_;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (accessLog_ != nullptr && accessLog_->enabled())
            accessLog_->record(AccessEntry{request.clientAddress().toString(), request.getMethod(), request.getURI(),
                                           c.registry, status, c.cacheBytes + c.upstreamBytes, seconds,
                                           c.cacheResult, requestId, c.upstreamSeconds});
        metrics_.requests.with({c.registry, c.kind, request.getMethod(), std::to_string(status)}).inc();
        metrics_.requestSeconds.with({c.registry, c.kind}).observe(seconds);
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
