// Counts and times one request around the handler that answers it.
#pragma once

#include <memory>

#include <Poco/Net/HTTPRequestHandler.h>

#include "http/RequestContext.h"
#include "metrics/ServerMetrics.h"

namespace vicary::http {

/// Runs `inner`, then records the request in `metrics` with the labels from `context` (which `inner` fills in) and
/// the response status. Owns `inner`.
class MeteredHandler final : public Poco::Net::HTTPRequestHandler {
public:
    MeteredHandler(Poco::Net::HTTPRequestHandler* inner, std::shared_ptr<RequestContext> context,
                   metrics::ServerMetrics& metrics);
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
    std::unique_ptr<Poco::Net::HTTPRequestHandler> inner_;
    std::shared_ptr<RequestContext> context_;
    metrics::ServerMetrics& metrics_;
};

}  // namespace vicary::http
