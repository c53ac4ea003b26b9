// Routes for operators: /metrics (Prometheus) and /readyz.
#pragma once

#include <functional>
#include <string>

#include "http/RouteFactory.h"
#include "metrics/Metrics.h"

namespace vicary::http {

/// `GET /metrics`: the registry in the Prometheus text format.
class MetricsRoute final : public RouteFactory {
public:
    MetricsRoute(const metrics::Registry& registry, std::string path) : registry_(registry), path_(std::move(path)) {}
    Poco::Net::HTTPRequestHandler* createHandler(const Poco::Net::HTTPServerRequest& request,
                                                 const Poco::URI& uri) override;

private:
    const metrics::Registry& registry_;
    std::string path_;
};

/// `GET /readyz`: 200 when `check` returns "" (ready), else 503 with its reason.
class ReadinessRoute final : public RouteFactory {
public:
    explicit ReadinessRoute(std::function<std::string()> check) : check_(std::move(check)) {}
    Poco::Net::HTTPRequestHandler* createHandler(const Poco::Net::HTTPServerRequest& request,
                                                 const Poco::URI& uri) override;

private:
    std::function<std::string()> check_;
};

}  // namespace vicary::http
