#include "http/RegistryRoute.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/URI.h>

#include "http/ErrorHandler.h"
#include "http/RegistryHandlers.h"
#include "routing/RequestTarget.h"

namespace vicary::http {

RegistryRoute::RegistryRoute(const plugin::RegistrySet& registries, cache::CacheServices& cache)
    : registries_(registries), cache_(cache)
{
}

Poco::Net::HTTPRequestHandler* RegistryRoute::createHandler(const Poco::Net::HTTPServerRequest& /*request*/,
                                                            const Poco::URI& uri)
{
    const std::string& path = uri.getPath();
    if (path.compare(0, 4, "/v2/") != 0 || path.size() <= 4)
        return nullptr;
    std::string ns;
    for (const auto& [key, value] : uri.getQueryParameters()) {
        if (key == "ns")
            ns = value;
    }
    routing::RequestTarget target;
    routing::RouteError error{};
    if (!routing::routeRequest(registries_, path, ns, target, error))
        return new ErrorHandler(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(error.status), error.code,
                                error.message);
    switch (target.endpoint) {
    case routing::Endpoint::Blob: return new BlobHandler(std::move(target), cache_);
    case routing::Endpoint::Manifest: return new ManifestHandler(std::move(target), cache_);
    case routing::Endpoint::TagsList:
    case routing::Endpoint::Referrers: {
        // Pass the client's query on, except containerd's ns, which was ours.
        Poco::URI upstreamQuery;
        for (const auto& [key, value] : uri.getQueryParameters()) {
            if (key != "ns")
                upstreamQuery.addQueryParameter(key, value);
        }
        return new PassThroughHandler(std::move(target), upstreamQuery.getRawQuery(), cache_);
    }
    }
    return nullptr;
}

}  // namespace vicary::http
