// The parts of an absolute http:// or https:// URL that the upstream client needs, kept as written (no re-encoding).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vicary::upstream {

/// One absolute http or https URL, split. The path and query are kept byte for byte (signed CDN URLs must not be
/// re-encoded); user info and fragment are dropped.
struct UpstreamUrl {
    std::string scheme;  ///< "http" or "https"
    std::string host;    ///< lower-case name or IP literal, IPv6 without brackets
    std::uint16_t port = 0;
    std::string path = "/";  ///< starts with '/'
    std::string query;       ///< without the '?'; empty when there is none

    bool https() const noexcept { return scheme == "https"; }
    bool hostIsIpv6() const noexcept { return host.find(':') != std::string::npos; }
    /// host[:port] as in a Host header: brackets around IPv6, the port only when not the scheme's default.
    std::string authority() const;
    /// "scheme://host:port", always with the port: the unit of connection reuse and of credential scope.
    std::string origin() const;
    /// path?query: the request target.
    std::string target() const;
    /// scheme://authority/path, without the query: safe to put in messages and logs.
    std::string withoutQuery() const;
    /// The whole URL.
    std::string toString() const;
};

/// `text` split if it is an absolute http:// or https:// URL with a host and a valid port; std::nullopt otherwise.
std::optional<UpstreamUrl> parseUpstreamUrl(const std::string& text);

/// The URL a Location header points to, resolved against `base` (RFC 3986 section 5: absolute, "//host/...",
/// "/path", "relative", "?query"); std::nullopt when the result is not an absolute http(s) URL.
std::optional<UpstreamUrl> resolveLocation(const UpstreamUrl& base, const std::string& location);

}  // namespace vicary::upstream
