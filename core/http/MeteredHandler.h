// Counts and times one request around the handler that answers it.
#pragma once

#include <memory>

#include <Poco/Net/HTTPRequestHandler.h>

#include "http/AccessLog.h"
#include "http/RequestContext.h"
#include "metrics/ServerMetrics.h"

namespace vicary::http {

/// Gives the request an id (X-Request-Id), runs `inner`, then records the request in `metrics` with the labels from
/// `context` (which `inner` fills in) and the response status, and writes its access line. Owns `inner`.
class MeteredHandler final : public Poco::Net::HTTPRequestHandler {
public:
    MeteredHandler(Poco::Net::HTTPRequestHandler* inner, std::shared_ptr<RequestContext> context,
                   metrics::ServerMetrics& metrics, AccessLog* accessLog);
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    std::unique_ptr<Poco::Net::HTTPRequestHandler> inner_;
    std::shared_ptr<RequestContext> context_;
    metrics::ServerMetrics& metrics_;
    AccessLog* accessLog_;
};

}  // namespace vicary::http
