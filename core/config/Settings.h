// Typed settings: the config file and the environment, parsed and validated once at start-up (SettingsLoader).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <vicary/Types.h>

namespace vicary::config {

/// [server]: the listening side.
struct ServerSettings {
    std::string bind = "0.0.0.0";        ///< `bind`: address to listen on
    std::uint16_t port = 5050;           ///< `port` / VICARY_PORT; 0 picks a free port (logged at start)
    std::string scheme = "http";         ///< `scheme` / VICARY_SCHEME: scheme of the URLs the server hands out
    std::string publicUrl;               ///< `public_url`: base URL clients reach us at; empty: from Host header
    unsigned threads = 128;              ///< `threads`: worker threads serving requests (1..1024), one per connection
    unsigned queue = 128;                ///< `queue`: accepted connections waiting for a thread (1..65536)
    bool keepAlive = true;               ///< `keep_alive`
    std::chrono::seconds keepAliveTimeout{15};  ///< `keep_alive_timeout`: idle time before a kept-alive connection closes
    unsigned maxKeepAliveRequests = 0;   ///< `max_keep_alive_requests`: 0 means unlimited
    std::chrono::seconds timeout{60};    ///< `timeout`: socket send/receive timeout for a client connection
    /// `header_timeout`: a request head must be complete this long after the connection opened (or, kept alive,
    /// after the keep-alive wait); slowloris clients are cut off.
    std::chrono::seconds headerTimeout{20};
    unsigned maxUriLength = 8192;     ///< `max_uri_length`: longest request target (POCO refuses > 16384 anyway)
    unsigned maxHeaders = 100;        ///< `max_headers`: most header fields in a request (POCO's own cap is 100)
    unsigned maxHeaderBytes = 32768;  ///< `max_header_bytes`: most bytes of header names and values in a request
    std::chrono::seconds shutdownTimeout{30};  ///< `shutdown_timeout`: how long SIGTERM lets responses finish
    std::string metricsPath = "/metrics";      ///< `metrics_path`: where Prometheus scrapes; "" turns metrics off
    std::string tlsCertificate;  ///< `tls_certificate`: PEM certificate (chain) to serve HTTPS with; "" serves HTTP
    std::string tlsKey;          ///< `tls_key`: its PEM private key; required with tls_certificate
    /// `congestion_control`: TCP congestion control of client connections (set on the listening socket, which they
    /// inherit): "auto" (cubic, else reno, else the system's), "system" (net.ipv4.tcp_congestion_control), or a name.
    std::string congestionControl = "auto";
};

/// A size limit given in bytes or as a percentage of the cache filesystem.
struct SizeLimit {
    enum class Kind { Bytes, Percent };
    Kind kind = Kind::Bytes;
    std::uint64_t bytes = 0;  ///< when kind == Bytes; 0 means no limit
    double percent = 0;       ///< when kind == Percent, in (0, 100]
};

/// [cache]: where and how much.
struct CacheSettings {
    std::string directory = "/var/cache/vicary";  ///< `directory` / VICARY_STORE, absolute after loading
    SizeLimit maxSize{SizeLimit::Kind::Percent, 0, 80};  ///< `max_size`: "80%", "200GiB", "0" (no limit)
    std::uint64_t minFree = 1024ull * 1024 * 1024;  ///< `min_free`: bytes to leave free on the filesystem
    std::chrono::seconds tagTtl{300};             ///< `tag_ttl`: default freshness of a tag (registries may override)
    std::chrono::seconds negativeTtl{30};         ///< `negative_ttl`: how long an upstream 404 for a tag is remembered
};

/// [plugins]
struct PluginSettings {
    std::string directory;  ///< `directory`: absolute after loading; empty means the folder built into the binary
};

/// [routing]
struct RoutingSettings {
    std::string defaultRegistry = "dockerhub";  ///< `default`: registry for /v2/<name> without a host; "" for none
};

/// [upstream]: how the core reaches upstream registries.
struct UpstreamSettings {
    /// `resolver` / VICARY_RESOLVER: DNS servers to resolve upstream names with, as "ip" or "ip:port" ("[v6]:port");
    /// empty means the system resolver.
    std::vector<std::string> resolverServers;
    bool resolverIpv6 = true;  ///< from an "ipv6=off" option in the resolver value: ask for A records only
    std::chrono::seconds connectTimeout{10};  ///< `connect_timeout`
    std::chrono::seconds readTimeout{60};     ///< `read_timeout`
};

/// [log]
struct LogSettings {
    std::string level = "information";  ///< `level`: debug, information, notice, warning, error
    std::string access = "text";        ///< `access`: off, text or json: one line per request
    std::string accessFile;             ///< `access_file`: where access lines go; empty: standard error
};

/// [auth]: who may use the cache. Off unless htpasswd is set.
struct AuthSettings {
    std::string htpasswd;         ///< `htpasswd`: file of users with bcrypt hashes (htpasswd -B); "" turns auth off
    std::string realm = "vicary";  ///< `realm`: the realm of the Basic challenge
    unsigned maxFailures = 10;     ///< `max_failures`: failed attempts from one client address before a lockout
    std::chrono::seconds lockout{60};  ///< `lockout`: how long a client is refused after max_failures failures

    bool enabled() const noexcept { return !htpasswd.empty(); }
};

/// One [registry.<name>] section.
struct RegistrySettings {
    std::string name;                  ///< <name> from the section header: [a-z0-9][a-z0-9_-]*
    std::string plugin;                ///< `plugin` (required): name of the plugin that serves it
    std::string upstream;              ///< `upstream`: base URL (http/https); empty means the plugin's default
    std::vector<std::string> aliases;  ///< `aliases`: host names, lowercase, comma or space separated
    Credentials credentials;           ///< `username` + `password` or `password_file`
    std::string caFile;                ///< `ca_file`: PEM bundle to verify the upstream with; absolute
    bool plainHttp = false;            ///< `plain_http`: allow an http:// upstream
    /// `allow_private_redirects`: let redirects and token realms outside `upstream` lead to loopback, private and
    /// link-local addresses; off by default, so that an upstream cannot aim the cache at its own network.
    bool allowPrivateRedirects = false;
    /// `allow_users`: with [auth] on, the users who may pull through this registry; empty: every user.
    std::vector<std::string> allowUsers;
    std::chrono::seconds tagTtl{0};    ///< `tag_ttl`: overrides [cache] tag_ttl when non-zero
    /// Every other key of the section, for the plugin; the server checks them against the plugin's declared keys
    /// once plugins are loaded (key -> value).
    std::map<std::string, std::string> extra;
    /// Line numbers of the keys in `extra`, for messages (key -> line).
    std::map<std::string, int> extraLines;
};

/// Everything the server needs, from one config file plus environment overrides.
struct Settings {
    std::string configFile;  ///< absolute path of the file these came from
    ServerSettings server;
    CacheSettings cache;
    PluginSettings plugins;
    RoutingSettings routing;
    UpstreamSettings upstream;
    LogSettings log;
    AuthSettings auth;
    std::vector<RegistrySettings> registries;  ///< in file order
};

}  // namespace vicary::config
