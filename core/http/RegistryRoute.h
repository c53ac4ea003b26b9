// The registry API: /v2/<name>/manifests|blobs|tags|referrers/..., routed to a registry and served through the cache.
#pragma once

#include <memory>

#include "cache/CacheServices.h"
#include "http/AccessLog.h"
#include "http/RouteFactory.h"
#include "metrics/ServerMetrics.h"

namespace vicary::plugin {
class RegistrySet;
}

namespace vicary::http {

/// Recognises every /v2/<something> request except /v2/ itself; routes it (routing::routeRequest) and creates the
/// handler for its endpoint, or an error handler with the OCI error routing gave.
class RegistryRoute final : public RouteFactory {
public:
    /// `metrics` (may be null) counts every request this route answers.
    RegistryRoute(std::shared_ptr<const plugin::RegistrySet> registries, cache::CacheServices& cache,
                  metrics::ServerMetrics* metrics = nullptr, AccessLog* accessLog = nullptr);

    /// Routes later requests with `registries` (a reload). Requests in progress keep the set they started with: the
    /// caller keeps replaced sets alive until the server stops. Thread-safe.
    void setRegistries(std::shared_ptr<const plugin::RegistrySet> registries);
    std::shared_ptr<const plugin::RegistrySet> registries() const;
    Poco::Net::HTTPRequestHandler* createHandler(const Poco::Net::HTTPServerRequest& request,
                                                 const Poco::URI& uri) override;

private:
    std::shared_ptr<const plugin::RegistrySet> registries_;  // read and replaced with std::atomic_load/store
    cache::CacheServices& cache_;
    metrics::ServerMetrics* metrics_;
    AccessLog* accessLog_;
};

}  // namespace vicary::http
