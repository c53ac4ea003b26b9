// The server's handler factory: a list of routes tried in order, then a JSON 404.
#pragma once

#include <memory>
#include <vector>

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "auth/ClientAuth.h"
#include "http/ActiveRequests.h"
#include "http/RouteFactory.h"

namespace vicary::http {

/// Tries each route in the order added; the first that recognises a request handles it. A request with a method
/// other than GET and HEAD gets 405 UNSUPPORTED (Vicary is a read-only mirror); one no route recognises gets 404.
/// With client authentication on, every request but GET|HEAD /healthz is first checked: no or wrong credentials get
/// 401 UNAUTHORIZED with the Basic challenge, a locked-out client 429 TOOMANYREQUESTS with Retry-After.
/// Routes are added before the server starts; createRequestHandler is then called concurrently.
class RequestRouter final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    void add(std::unique_ptr<RouteFactory> route);
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

    /// Checks later requests with `auth`; nullptr turns authentication off. Thread-safe (a reload).
    void setAuth(std::shared_ptr<auth::ClientAuth> auth);

    /// Every handler the router creates registers its request here while it runs.
    ActiveRequests& active() noexcept { return active_; }

private:
    Poco::Net::HTTPRequestHandler* route(const Poco::Net::HTTPServerRequest& request);

    /// The answer for a request that may not pass, or nullptr.
    Poco::Net::HTTPRequestHandler* refuse(const Poco::Net::HTTPServerRequest& request);

    std::vector<std::unique_ptr<RouteFactory>> routes_;
    std::shared_ptr<auth::ClientAuth> auth_;  // read and replaced with std::atomic_load/store
    ActiveRequests active_;
};

}  // namespace vicary::http
