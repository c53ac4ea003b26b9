// The routes that need no registry: the API version check and the health check.
#pragma once

#include "http/RouteFactory.h"

namespace vicary::http {

/// `GET|HEAD /v2/` (and `/v2`): 200 with an empty JSON object and the API version header, which is how clients
/// check that they talk to a registry.
class ApiVersionRoute final : public RouteFactory {
public:
    Poco::Net::HTTPRequestHandler* createHandler(const Poco::Net::HTTPServerRequest& request,
                                                 const Poco::URI& uri) override;
};

/// `GET|HEAD /healthz`: 200 {"status":"ok"} while the server accepts requests.
class HealthRoute final : public RouteFactory {
public:
    Poco::Net::HTTPRequestHandler* createHandler(const Poco::Net::HTTPServerRequest& request,
                                                 const Poco::URI& uri) override;
};

}  // namespace vicary::http
