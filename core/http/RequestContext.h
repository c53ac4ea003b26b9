// What a registry API request did, filled in by its handler, read by metrics (and the access log).
#pragma once

#include <cstdint>
#include <string>

namespace vicary::http {

struct RequestContext {
    std::string registry;     ///< the registry's name; "" when routing failed
    std::string kind;         ///< manifest, blob, tags, referrers, other
    std::string cacheResult;  ///< hit, miss, coalesced, revalidated, stale, passthrough; "" when none applies
    std::uint64_t cacheBytes = 0;     ///< body bytes sent from the cache
    std::uint64_t upstreamBytes = 0;  ///< body bytes sent as they came from the upstream
    double upstreamSeconds = 0;       ///< time this request waited on the upstream (0 for a hit)
};

}  // namespace vicary::http
