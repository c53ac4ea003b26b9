// Requests to one registry's upstream with its authentication: challenges answered, tokens fetched and cached.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include <vicary/RegistryPlugin.h>

#include "metrics/ServerMetrics.h"
#include "upstream/TokenCache.h"
#include "upstream/UpstreamClient.h"

namespace vicary::upstream {

/// Which registry a request is for, and how to reach and authenticate to it.
struct RegistryAccess {
    std::string registry;                    ///< registry name, for messages and the token cache
    const RegistryPlugin* plugin = nullptr;  ///< answers challenges with credentials or anonymous
    EndpointSettings endpoint;
    std::string scope;  ///< the token scope this request needs, e.g. "repository:library/alpine:pull"
};

/// The upstream refused our credentials (or has none for us): what the client is told, without any secret.
class AuthError : public std::runtime_error {
public:
    AuthError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
    int status() const noexcept { return status_; }  ///< 401 or 403

private:
    int status_;
};

/// UpstreamClient plus registry auth, as `docker pull` does it: a request that gets 401 with a challenge is
/// answered and sent again once: Bearer → a token from the realm the registry advertised (anonymously or with the
/// plugin's credentials as Basic, which go only to that realm), cached per registry and scope until it expires;
/// Basic → the plugin's credentials. Later requests send the cached token first. Thread-safe.
class RegistryClient {
public:
    RegistryClient(UpstreamClient& client, TokenCache& tokens);

    /// Sends `request` to the registry of `access`, authenticating as needed. Returns the final response (any
    /// status but a 401 we could answer). A refused connection, a 5xx or a 429 is tried again after a short backoff
    /// (429 after its Retry-After, when that is at most a few seconds), at most twice, so that a client waits
    /// seconds, not minutes; a timeout is not retried (it already took the client's patience). Throws UpstreamError
    /// when a request got no answer and AuthError when the token realm refused the credentials or the registry
    /// still answers 401 with a fresh token.
    std::unique_ptr<UpstreamResponse> send(UpstreamRequest request, const RegistryAccess& access);

    /// The last ratelimit-limit / ratelimit-remaining pair a registry's upstream sent (Docker Hub does), for metrics.
    struct RateLimit {
        long limit = 0;
        long remaining = 0;
    };
    std::optional<RateLimit> rateLimit(const std::string& registry) const;

    /// Counts upstream requests, errors, retries, latency and token fetches into `metrics` (may be null). Call
    /// before the first request.
    void setMetrics(metrics::ServerMetrics* metrics) noexcept { metrics_ = metrics; }

private:
    /// One upstream exchange, counted and timed.
    std::unique_ptr<UpstreamResponse> exchange(const UpstreamRequest& request, const RegistryAccess& access);
    std::unique_ptr<UpstreamResponse> sendOnce(UpstreamRequest request, const RegistryAccess& access);

    struct KnownChallenge {
        std::string scheme;  // "bearer" or "basic"
        std::string realm;
        std::string service;
    };

    std::optional<std::string> authorizationFor(const RegistryAccess& access, const KnownChallenge& challenge,
                                                bool allowFetch);
    std::string fetchToken(const RegistryAccess& access, const KnownChallenge& challenge, const std::string& scope);
    /// Keeps the ratelimit-limit / ratelimit-remaining headers Docker Hub sends, and warns once when fewer than a
    /// tenth of the pulls are left.
    void noteRateLimit(const std::string& registry, const Poco::Net::HTTPResponse& head);

    UpstreamClient& client_;
    TokenCache& tokens_;
    metrics::ServerMetrics* metrics_ = nullptr;
    mutable std::mutex mutex_;
    std::map<std::string, KnownChallenge> challenges_;  // by registry: learnt from its last 401
    std::map<std::string, RateLimit> rateLimits_;       // by registry: the last pair seen
    std::map<std::string, bool> rateLimitLow_;          // by registry: whether we already warned
};

}  // namespace vicary::upstream
