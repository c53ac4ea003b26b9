// HTTP(S) requests to upstream registries: connections, TLS, redirects, timeouts. No caching, no auth logic.
#pragma once

#include <chrono>
#include <cstdint>
#include <istream>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Net/HTTPResponse.h>

#include "upstream/DnsResolver.h"

namespace vicary::upstream {

/// A request that got no usable HTTP response. what() names the method, the URL without its query (signed CDN URLs
/// carry credentials there) and the reason.
class UpstreamError : public std::runtime_error {
public:
    enum class Kind {
        Connect,           ///< name not resolved, connection refused or unreachable, TLS handshake or verification
        Timeout,           ///< connect or read timeout
        Protocol,          ///< not HTTP, malformed response, connection closed before the response head
        TooManyRedirects,  ///< more than the hop limit
    };
    UpstreamError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

private:
    Kind kind_;
};

/// How to reach one upstream registry.
struct EndpointSettings {
    bool plainHttpAllowed = false;  ///< http:// URLs allowed (the registry's plain_http)
    std::string caFile;             ///< PEM CA bundle to verify HTTPS with; empty: the system's CA store
    /// Redirects and token realms may lead to loopback, private and link-local addresses (the registry's
    /// allow_private_redirects). Off: such a hop is refused, so an upstream cannot point the cache into its own network.
    bool privateAddressesAllowed = false;
    /// The configured upstream (its base URL): its scheme://host:port is trusted wherever it resolves to, since the
    /// operator chose it. Empty: the origin of each request's own URL is.
    std::string trustedUpstream;
};

struct ClientSettings {
    std::chrono::milliseconds connectTimeout{10000};
    std::chrono::milliseconds readTimeout{60000};
    int maxRedirects = 5;
    int maxIdlePerHost = 8;  ///< idle keep-alive connections kept per scheme://host:port
};

struct UpstreamRequest {
    std::string method = "GET";  ///< GET or HEAD
    std::string url;             ///< absolute http:// or https:// URL
    std::vector<std::pair<std::string, std::string>> headers;  ///< e.g. Accept, Range, Authorization
    /// Follow 3xx redirects (blob and manifest fetches, which registries send to CDNs). Off: a redirect is returned
    /// as the response, and nothing is fetched from where it points.
    bool followRedirects = false;
};

/// A response whose body is read as a stream, never buffered whole. Holds its connection until destroyed; when the
/// body was read to its end the connection goes back to the pool for reuse, otherwise it is closed.
class UpstreamResponse {
public:
    virtual ~UpstreamResponse() = default;
    virtual int status() const noexcept = 0;
    /// The response head (status, reason, headers) of the final hop.
    virtual const Poco::Net::HTTPResponse& head() const noexcept = 0;
    /// The body; empty for HEAD, 1xx, 204 and 304. The stream has exceptions(badbit) set, so the two ends differ:
    ///  - the real end (Content-Length bytes, the last chunk, or the close of a body delimited by closing) is a
    ///    plain EOF: read() returns short with gcount() the last bytes, eof() and fail() set, nothing thrown;
    ///  - a failure (read timeout, connection reset, closed before Content-Length bytes or inside a chunk,
    ///    malformed chunk) throws UpstreamError (Timeout, or Protocol) out of read()/get()/etc., with what()
    ///    naming method, URL without query, the bytes received so far and the reason; bad() is set afterwards
    ///    and the stream must not be read again.
    /// Not thread-safe: one reader at a time.
    virtual std::istream& body() = 0;
    /// The URL that answered, after redirects.
    virtual const std::string& finalUrl() const noexcept = 0;
};

/// Sends requests to upstream registries. Thread-safe; one instance serves the whole server.
class UpstreamClient {
public:
    UpstreamClient(std::shared_ptr<const DnsResolver> resolver, ClientSettings settings);
    ~UpstreamClient();

    /// Sends `request` and returns the response head with the body still to be read. Resolves the host with the
    /// resolver and connects to its addresses in order. With request.followRedirects, follows 301, 302, 303, 307 and
    /// 308 up to maxRedirects hops; when a hop leaves the original scheme://host:port, the Authorization and Cookie
    /// headers are not sent there. Any hop outside the trusted upstream (endpoint.trustedUpstream, or the request's
    /// own origin) whose host resolves to a non-public address (see nonPublicKind) is refused with
    /// UpstreamError::Kind::Connect unless endpoint.privateAddressesAllowed.
    /// Verifies HTTPS certificates (CA file of `endpoint`, or the system's) and host names, with SNI; refuses
    /// http:// unless endpoint.plainHttpAllowed (for the first hop; a redirect to a CDN may be http only when
    /// plainHttpAllowed too). Reuses idle keep-alive connections per scheme://host:port (and CA file); a reused
    /// connection that turns out dead before any response byte is retried once on a fresh one. Any status, 4xx and
    /// 5xx included, is a response, not an error. Throws UpstreamError; std::invalid_argument for a method other
    /// than GET/HEAD or a URL that is not absolute http(s). The process must ignore SIGPIPE (the daemon does).
    std::unique_ptr<UpstreamResponse> send(const UpstreamRequest& request, const EndpointSettings& endpoint);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vicary::upstream
