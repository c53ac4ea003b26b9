// The server's handler factory: a list of routes tried in order, then a JSON 404.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "auth/ClientAuth.h"
#include "http/ActiveRequests.h"
#include "http/RouteFactory.h"

namespace vicary::http {

/// What a request head may hold. POCO reads at most 100 header fields of 256 + 8192 bytes and a 16 KiB request
/// target before any of this is checked, so reading is bounded too.
struct RequestLimits {
    std::size_t maxUriLength = 16384;
    std::size_t maxHeaders = 100;
    std::size_t maxHeaderBytes = 100 * (256 + 8192);
};

/// Tries each route in the order added; the first that recognises a request handles it. A request with a method
/// other than GET and HEAD gets 405 UNSUPPORTED (Vicary is a read-only mirror); one no route recognises gets 404.
/// A head over the RequestLimits gets 414 (request target) or 431 (headers) before anything else. With client
/// authentication on, every request but GET|HEAD /healthz is first checked: no or wrong credentials get
/// 401 UNAUTHORIZED with the Basic challenge, a locked-out client 429 TOOMANYREQUESTS with Retry-After.
/// Routes are added before the server starts; createRequestHandler is then called concurrently.
class RequestRouter final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    void add(std::unique_ptr<RouteFactory> route);
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

    /// Limits for request heads; call before the server starts.
    void setLimits(const RequestLimits& limits) { limits_ = limits; }

    /// Checks later requests with `auth`; nullptr turns authentication off. Thread-safe (a reload).
    void setAuth(std::shared_ptr<auth::ClientAuth> auth);

    /// Failed authentications so far, and requests refused during a lockout (for metrics).
    std::uint64_t authFailures() const noexcept { return authFailures_.load(std::memory_order_relaxed); }
    std::uint64_t authLockedOut() const noexcept { return authLockedOut_.load(std::memory_order_relaxed); }

    /// Every handler the router creates registers its request here while it runs.
    ActiveRequests& active() noexcept { return active_; }

private:
    Poco::Net::HTTPRequestHandler* route(const Poco::Net::HTTPServerRequest& request);

    /// The answer for a request that may not pass, or nullptr.
    Poco::Net::HTTPRequestHandler* refuse(const Poco::Net::HTTPServerRequest& request);

    /// The answer for a head over the limits, or nullptr.
    Poco::Net::HTTPRequestHandler* overLimits(const Poco::Net::HTTPServerRequest& request) const;

    std::vector<std::unique_ptr<RouteFactory>> routes_;
    RequestLimits limits_;
    std::atomic<std::uint64_t> authFailures_{0};
    std::atomic<std::uint64_t> authLockedOut_{0};
    std::shared_ptr<auth::ClientAuth> auth_;  // read and replaced with std::atomic_load/store
    ActiveRequests active_;
};

}  // namespace vicary::http
