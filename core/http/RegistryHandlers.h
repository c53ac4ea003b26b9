// The handlers of the registry API endpoints, each for one routed request.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>

#include <memory>

#include "cache/CacheServices.h"
#include "http/RequestContext.h"
#include "routing/RequestTarget.h"

namespace vicary::http {

/// GET|HEAD /v2/<name>/blobs/<digest>: from the store (sendfile, Range), else streamed while it downloads (one
/// download for every client), HEAD from an upstream HEAD without downloading.
class BlobHandler final : public Poco::Net::HTTPRequestHandler {
public:
    BlobHandler(routing::RequestTarget target, cache::CacheServices& cache, std::shared_ptr<RequestContext> context);
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    void headUncached(Poco::Net::HTTPServerResponse& response);
    /// The whole answer straight from the upstream, for a blob the cache cannot hold now.
    void passThrough(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);
    /// Bytes [offset, end) from the upstream after the head and part of the body went out from the cache.
    bool sendRestFromUpstream(Poco::Net::HTTPServerRequest& request, std::uint64_t offset, std::uint64_t end);
    routing::RequestTarget target_;
    cache::CacheServices& cache_;
    std::shared_ptr<RequestContext> context_;
};

/// GET|HEAD /v2/<name>/manifests/<reference>: ManifestCache's rules, with the client's Accept.
class ManifestHandler final : public Poco::Net::HTTPRequestHandler {
public:
    ManifestHandler(routing::RequestTarget target, cache::CacheServices& cache, std::shared_ptr<RequestContext> context);
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    routing::RequestTarget target_;
    cache::CacheServices& cache_;
    std::shared_ptr<RequestContext> context_;
};

/// GET /v2/<name>/tags/list and /v2/<name>/referrers/<digest>: passed through to the upstream with the query,
/// remembered briefly; pagination links rewritten to the client's name.
class PassThroughHandler final : public Poco::Net::HTTPRequestHandler {
public:
    PassThroughHandler(routing::RequestTarget target, std::string query, cache::CacheServices& cache,
                       std::shared_ptr<RequestContext> context);
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    routing::RequestTarget target_;
    std::string query_;
    cache::CacheServices& cache_;
    std::shared_ptr<RequestContext> context_;
};

/// The UpstreamSource of a routed request.
cache::UpstreamSource sourceOf(const routing::RequestTarget& target);

}  // namespace vicary::http
