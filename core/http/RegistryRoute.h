// The registry API: /v2/<name>/manifests|blobs|tags|referrers/..., routed to a registry and served through the cache.
#pragma once

#include "cache/CacheServices.h"
#include "http/RouteFactory.h"

namespace vicary::plugin {
class RegistrySet;
}

namespace vicary::http {

/// Recognises every /v2/<something> request except /v2/ itself; routes it (routing::routeRequest) and creates the
/// handler for its endpoint, or an error handler with the OCI error routing gave.
class RegistryRoute final : public RouteFactory {
public:
    RegistryRoute(const plugin::RegistrySet& registries, cache::CacheServices& cache);
    Poco::Net::HTTPRequestHandler* createHandler(const Poco::Net::HTTPServerRequest& request,
                                                 const Poco::URI& uri) override;

private:
    const plugin::RegistrySet& registries_;
    cache::CacheServices& cache_;
};

}  // namespace vicary::http
