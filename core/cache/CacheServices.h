// What the registry API handlers use of the cache: a narrow view, not the server.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "cache/AccessRecorder.h"
#include "cache/Coalescer.h"
#include "cache/ReadLeases.h"
#include "cache/ManifestCache.h"
#include "cache/ResponseMemo.h"
#include "storage/BlobStore.h"
#include "upstream/RegistryClient.h"

namespace vicary::cache {

/// The cache's parts, owned by the server and shared by every handler; each is thread-safe.
struct CacheServices {
    storage::BlobStore& blobs;
    Coalescer& downloads;
    ManifestCache& manifests;
    ResponseMemo& memo;  ///< brief cache of passed-through answers (tags/list, referrers)
    upstream::RegistryClient& client;
    ReadLeases& leases;         ///< objects being served: never evicted meanwhile
    AccessRecorder& accesses;   ///< last access per object, written to the index in batches
    std::atomic<std::int64_t> tagTtlSeconds;       ///< [cache] tag_ttl (changed by a reload)
    std::atomic<std::int64_t> negativeTtlSeconds;  ///< [cache] negative_ttl (changed by a reload)
    std::chrono::milliseconds stall;   ///< how long a client waits for a download that makes no progress
};

}  // namespace vicary::cache
