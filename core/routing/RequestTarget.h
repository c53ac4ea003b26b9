// What a registry API request asks for, and of which registry: the result of routing one request.
#pragma once

#include <optional>
#include <string>

#include "http/OciError.h"
#include "routing/Grammar.h"

namespace vicary::plugin {
class Registry;
class RegistrySet;
}  // namespace vicary::plugin

namespace vicary::routing {

enum class Endpoint {
    Manifest,   ///< /v2/<name>/manifests/<tag|digest>
    Blob,       ///< /v2/<name>/blobs/<digest>
    TagsList,   ///< /v2/<name>/tags/list
    Referrers,  ///< /v2/<name>/referrers/<digest>
};

/// A request routed to a registry, every part validated.
struct RequestTarget {
    const plugin::Registry* registry = nullptr;
    std::string host;          ///< the registry host as the client addressed it ("" for the default registry)
    std::string clientName;    ///< repository name as the client sent it, without the host prefix
    std::string upstreamName;  ///< the plugin's mapping of clientName, as the upstream knows it
    std::string upstreamBase;  ///< the upstream's base URL for `host`, without "/v2/"
    Endpoint endpoint = Endpoint::Manifest;
    std::string reference;  ///< tag or digest text (Manifest), digest text (Blob, Referrers), "" (TagsList)
    std::optional<Digest> digest;  ///< the digest when the reference is one
    std::string ns;                ///< the ?ns= value when the registry was chosen by it, for OCI-Namespace
};

/// Why a request could not be routed: the status and OCI error the client gets.
struct RouteError {
    int status;
    http::OciCode code;
    std::string message;
};

/// Routes `path` (already percent-decoded, without the query) with the optional containerd `ns` query value.
/// Addressing, by precedence: (1) prefix: the first path component is a host (contains '.' or ':' or is
/// "localhost") that some registry serves: /v2/quay.io/jitesoft/debian/manifests/10; a host no registry serves is
/// 404 NAME_UNKNOWN, never forwarded; (2) `ns`: the registry serving that host; (3) the default registry. Returns
/// nullopt in `target` and fills `error` when the path is not a registry API path or a part is invalid
/// (NAME_INVALID, TAG_INVALID, DIGEST_INVALID, NAME_UNKNOWN). Thread-safe: reads the registry set only.
bool routeRequest(const plugin::RegistrySet& registries, const std::string& path, const std::string& ns,
                  RequestTarget& target, RouteError& error);

}  // namespace vicary::routing
