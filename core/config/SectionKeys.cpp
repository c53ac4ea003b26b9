#include "config/SectionKeys.h"
#include "config/ValueError.h"

#include <utility>

#include "config/NetworkParsers.h"
#include "config/ResolverParser.h"
#include "config/ValueParsers.h"

namespace vicary::config {
namespace {

using std::chrono::seconds;

const std::vector<KeySpec> kServer = {
    {"bind", false, [](Settings& s, const std::string& v, const std::string&) { s.server.bind = parseBindAddress(v); }},
    {"port", false, [](Settings& s, const std::string& v, const std::string&) { s.server.port = parsePort(v); }},
    {"scheme", false, [](Settings& s, const std::string& v, const std::string&) { s.server.scheme = parseScheme(v); }},
    {"public_url", true,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.publicUrl = v.empty() ? v : parseBaseUrl(v);
     }},
    {"threads", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.threads = static_cast<unsigned>(parseNumber(v, 1, 1024));
     }},
    {"queue", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.queue = static_cast<unsigned>(parseNumber(v, 1, 65536));
     }},
    {"keep_alive", false,
     [](Settings& s, const std::string& v, const std::string&) { s.server.keepAlive = parseBool(v); }},
    {"keep_alive_timeout", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.keepAliveTimeout = parseDurationAtLeast(v, seconds(1));
     }},
    {"max_keep_alive_requests", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.maxKeepAliveRequests = static_cast<unsigned>(parseNumber(v, 0, 1000000));
     }},
    {"timeout", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.timeout = parseDurationAtLeast(v, seconds(1));
     }},
    {"header_timeout", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.headerTimeout = parseDurationAtLeast(v, seconds(1));
     }},
    {"max_uri_length", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.maxUriLength = static_cast<unsigned>(parseNumber(v, 256, 16384));
     }},
    {"max_headers", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.maxHeaders = static_cast<unsigned>(parseNumber(v, 8, 100));
     }},
    {"max_header_bytes", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.server.maxHeaderBytes = static_cast<unsigned>(parseNumber(v, 1024, 1048576));
     }},
    {"tls_certificate", true,
     [](Settings& s, const std::string& v, const std::string& base) {
         s.server.tlsCertificate = v.empty() ? v : resolvePath(v, base);
     }},
    {"tls_key", true,
     [](Settings& s, const std::string& v, const std::string& base) {
         s.server.tlsKey = v.empty() ? v : resolvePath(v, base);
     }},
    {"metrics_path", true,
     [](Settings& s, const std::string& v, const std::string&) {
         if (!v.empty() && (v[0] != '/' || v.compare(0, 4, "/v2/") == 0 || v == "/v2" || v == "/healthz" ||
                            v == "/readyz" || v.find_first_of(" ?#") != std::string::npos))
             throw ValueError(quoted(v) + " is not a path of its own (starts with '/', not /v2, /healthz, /readyz)");
         s.server.metricsPath = v;
     }},
    {"congestion_control", false,
     [](Settings& s, const std::string& v, const std::string&) { s.server.congestionControl = parseCongestionControl(v); }},
    {"shutdown_timeout", false,
     [](Settings& s, const std::string& v, const std::string&) { s.server.shutdownTimeout = parseDuration(v); }},
};

const std::vector<KeySpec> kCache = {
    {"directory", false,
     [](Settings& s, const std::string& v, const std::string& base) { s.cache.directory = resolvePath(v, base); }},
    {"max_size", false,
     [](Settings& s, const std::string& v, const std::string&) { s.cache.maxSize = parseSizeLimit(v); }},
    {"min_free", false, [](Settings& s, const std::string& v, const std::string&) { s.cache.minFree = parseSize(v); }},
    {"tag_ttl", false,
     [](Settings& s, const std::string& v, const std::string&) { s.cache.tagTtl = parseDuration(v); }},
    {"negative_ttl", false,
     [](Settings& s, const std::string& v, const std::string&) { s.cache.negativeTtl = parseDuration(v); }},
};

const std::vector<KeySpec> kPlugins = {
    {"directory", true,
     [](Settings& s, const std::string& v, const std::string& base) {
         s.plugins.directory = v.empty() ? v : resolvePath(v, base);
     }},
};

const std::vector<KeySpec> kRouting = {
    {"default", true, [](Settings& s, const std::string& v, const std::string&) { s.routing.defaultRegistry = v; }},
};

const std::vector<KeySpec> kUpstream = {
    {"resolver", true,
     [](Settings& s, const std::string& v, const std::string&) {
         ResolverSpec spec = parseResolver(v);
         s.upstream.resolverServers = std::move(spec.servers);
         s.upstream.resolverIpv6 = spec.ipv6;
     }},
    {"connect_timeout", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.upstream.connectTimeout = parseDurationAtLeast(v, seconds(1));
     }},
    {"read_timeout", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.upstream.readTimeout = parseDurationAtLeast(v, seconds(1));
     }},
};

const std::vector<KeySpec> kLog = {
    {"level", false, [](Settings& s, const std::string& v, const std::string&) { s.log.level = parseLogLevel(v); }},
    {"access", false,
     [](Settings& s, const std::string& v, const std::string&) {
         if (v != "off" && v != "text" && v != "json")
             throw ValueError(quoted(v) + " is not off, text or json");
         s.log.access = v;
     }},
    {"access_file", true,
     [](Settings& s, const std::string& v, const std::string& base) {
         s.log.accessFile = v.empty() ? v : resolvePath(v, base);
     }},
};

const std::vector<KeySpec> kAuth = {
    {"htpasswd", true,
     [](Settings& s, const std::string& v, const std::string& base) {
         s.auth.htpasswd = v.empty() ? v : resolvePath(v, base);
     }},
    {"realm", false,
     [](Settings& s, const std::string& v, const std::string&) {
         for (const char c : v) {
             if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                 throw ValueError(quoted(v) + " has a quote, backslash or control character");
         }
         s.auth.realm = v;
     }},
    {"max_failures", false,
     [](Settings& s, const std::string& v, const std::string&) {
         s.auth.maxFailures = static_cast<unsigned>(parseNumber(v, 1, 1000000));
     }},
    {"lockout", false,
     [](Settings& s, const std::string& v, const std::string&) { s.auth.lockout = parseDurationAtLeast(v, seconds(1)); }},
};

const std::vector<std::pair<std::string, const std::vector<KeySpec>*>> kSections = {
    {"server", &kServer},     {"cache", &kCache}, {"plugins", &kPlugins}, {"routing", &kRouting},
    {"upstream", &kUpstream}, {"log", &kLog},     {"auth", &kAuth},
};

}  // namespace

const std::vector<KeySpec>* fixedSectionKeys(const std::string& section)
{
    for (const auto& [name, keys] : kSections) {
        if (name == section)
            return keys;
    }
    return nullptr;
}

const KeySpec* findFixedKey(const std::string& section, const std::string& key)
{
    const auto* keys = fixedSectionKeys(section);
    if (keys == nullptr)
        return nullptr;
    for (const auto& spec : *keys) {
        if (key == spec.key)
            return &spec;
    }
    return nullptr;
}

std::string fixedKeyNames(const std::string& section)
{
    std::string names;
    if (const auto* keys = fixedSectionKeys(section)) {
        for (const auto& spec : *keys)
            names += (names.empty() ? "" : ", ") + std::string(spec.key);
    }
    return names;
}

std::string fixedSectionNames()
{
    std::string names;
    for (const auto& section : kSections)
        names += (names.empty() ? "[" : ", [") + section.first + "]";
    return names;
}

}  // namespace vicary::config
