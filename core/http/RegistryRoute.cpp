#include "http/RegistryRoute.h"

#include <algorithm>

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/URI.h>

#include "auth/ClientAuth.h"

#include "http/ErrorHandler.h"
#include "http/MeteredHandler.h"
#include "plugin/Registry.h"
#include "http/RegistryHandlers.h"
#include "routing/RequestTarget.h"

namespace vicary::http {

RegistryRoute::RegistryRoute(std::shared_ptr<const plugin::RegistrySet> registries, cache::CacheServices& cache,
                             metrics::ServerMetrics* metrics, AccessLog* accessLog)
    : registries_(std::move(registries)), cache_(cache), metrics_(metrics), accessLog_(accessLog)
{
}

void RegistryRoute::setRegistries(std::shared_ptr<const plugin::RegistrySet> registries)
{
    std::atomic_store(&registries_, std::move(registries));
}

std::shared_ptr<const plugin::RegistrySet> RegistryRoute::registries() const
{
    return std::atomic_load(&registries_);
}

Poco::Net::HTTPRequestHandler* RegistryRoute::createHandler(const Poco::Net::HTTPServerRequest& request,
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
    auto context = std::make_shared<RequestContext>();
    context->kind = "other";
    auto metered = [&](Poco::Net::HTTPRequestHandler* handler) -> Poco::Net::HTTPRequestHandler* {
        return metrics_ == nullptr ? handler : new MeteredHandler(handler, context, *metrics_, accessLog_);
    };
    routing::RequestTarget target;
    routing::RouteError error{};
    const auto registries = std::atomic_load(&registries_);
    if (!routing::routeRequest(*registries, path, ns, target, error))
        return metered(new ErrorHandler(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(error.status), error.code,
                                        error.message));
    context->registry = target.registry->name();
    const auto& allowed = target.registry->settings().allowUsers;
    if (!allowed.empty()) {
        // The router has authenticated the request (allow_users needs [auth]); only the name matters here.
        const std::string user = auth::basicUser(request.get("Authorization", ""));
        if (std::find(allowed.begin(), allowed.end(), user) == allowed.end()) {
            Poco::Logger::get("auth").warning("client " + request.clientAddress().host().toString() + ": user '" +
                                              user + "' may not pull through registry " + context->registry +
                                              " (not in its allow_users)");
            return metered(new ErrorHandler(Poco::Net::HTTPResponse::HTTP_FORBIDDEN, OciCode::Denied,
                                            "user '" + user + "' may not pull through registry " +
                                                context->registry));
        }
    }
    switch (target.endpoint) {
    case routing::Endpoint::Blob: return metered(new BlobHandler(std::move(target), cache_, context));
    case routing::Endpoint::Manifest: return metered(new ManifestHandler(std::move(target), cache_, context));
    case routing::Endpoint::TagsList:
    case routing::Endpoint::Referrers: {
        // Pass the client's query on, except containerd's ns, which was ours.
        Poco::URI upstreamQuery;
        for (const auto& [key, value] : uri.getQueryParameters()) {
            if (key != "ns")
                upstreamQuery.addQueryParameter(key, value);
        }
        return metered(new PassThroughHandler(std::move(target), upstreamQuery.getRawQuery(), cache_, context));
    }
    }
    return nullptr;
}

}  // namespace vicary::http
