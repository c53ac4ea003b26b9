// Manifests through the cache: by digest immutable, by tag with a freshness time, revalidated with HEAD upstream.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <variant>

#include "cache/CacheCatalog.h"
#include "cache/UpstreamFailure.h"
#include "cache/UpstreamSource.h"
#include "routing/Grammar.h"
#include "storage/BlobStore.h"
#include "upstream/RegistryClient.h"

namespace vicary::cache {

/// A manifest to answer with: its digest, type and size, and for GET the stored file holding its bytes.
struct ManifestAnswer {
    std::string digest;
    std::string mediaType;
    std::uint64_t size = 0;
    std::string path;    ///< the stored body; empty for an answer from an upstream HEAD
    bool stale = false;  ///< served past its freshness because the upstream failed
    /// How the cache answered, for metrics and the access log: hit, miss, revalidated, stale.
    const char* result = "hit";
};

using ManifestResult = std::variant<ManifestAnswer, UpstreamFailure>;

struct ManifestRequest {
    UpstreamSource source;
    std::string reference;                 ///< tag or digest text
    std::optional<routing::Digest> digest;  ///< set when the reference is a digest
    std::string accept;                    ///< the client's Accept, normalised (acceptKey)
    std::chrono::seconds tagTtl{300};
    std::chrono::seconds negativeTtl{30};
};

/// The manifest rules of the cache. Thread-safe; concurrent requests for the same manifest make one upstream call.
class ManifestCache {
public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;

    ManifestCache(upstream::RegistryClient& client, storage::BlobStore& store, CacheCatalog& catalog, Clock clock = {});

    /// GET: by digest, from the store or else fetched once and verified; by tag, from the cache while fresh, else
    /// revalidated with an upstream HEAD (fetched by digest only when it changed), served stale when the upstream
    /// fails (5xx, 429, no answer). Upstream 404s for a tag are remembered for negativeTtl.
    ManifestResult get(const ManifestRequest& request);

    /// HEAD: as get, but never an upstream GET: a missing or stale entry is answered from an upstream HEAD.
    ManifestResult head(const ManifestRequest& request);

    /// The client's Accept header values, split, trimmed, deduplicated and sorted: the part of a tag's cache key
    /// that keeps a manifest list and a single manifest apart.
    static std::string acceptKey(const std::vector<std::string>& acceptHeaders);

private:
    ManifestResult getByDigest(const ManifestRequest& request);
    ManifestResult getByTag(const ManifestRequest& request);
    ManifestResult fetch(const ManifestRequest& request, const std::string& reference,
                         const std::optional<routing::Digest>& expected);
    /// The upstream's 200 answer to `method` of manifests/<reference>, or the failure the client gets instead.
    std::variant<std::unique_ptr<upstream::UpstreamResponse>, UpstreamFailure> ask(const ManifestRequest& request,
                                                                                 const std::string& method,
                                                                                 const std::string& reference);
    ManifestResult headUpstream(const ManifestRequest& request, const std::string& reference);
    std::optional<ManifestAnswer> stored(const std::string& digest);
    ManifestResult coalesced(const std::string& key, const std::function<ManifestResult()>& work);
    bool negative(const std::string& key);
    /// A fresh tag answer remembered from the index (recall: nullopt when none, or when it is older than kHotFor or
    /// than the tag's freshness); forget drops one, remember records one.
    std::optional<ManifestAnswer> recall(const std::string& key, std::chrono::seconds tagTtl);
    void remember(const std::string& key, const ManifestAnswer& answer, std::chrono::system_clock::time_point checkedAt);
    void forget(const std::string& key);

    upstream::RegistryClient& client_;
    storage::BlobStore& store_;
    CacheCatalog& tags_;
    Clock clock_;
    std::mutex mutex_;
    std::map<std::string, std::shared_future<ManifestResult>> inFlight_;
    static constexpr std::size_t kMaxNotFound = 16384;  ///< remembered 404s at most
    std::map<std::string, std::chrono::system_clock::time_point> notFoundUntil_;

    /// Hot tags: a fresh answer read from the index is reused for up to kHotFor, so that a tag polled by many
    /// clients (a CI farm resolving `latest`) costs no SQLite query and no lock on the index per request. Changes
    /// made here (revalidation, a moved or deleted tag) replace or drop the entry at once; changes made by another
    /// process (vicaryctl purge) are seen after kHotFor at most. Only HEAD answers skip the file check.
    struct HotTag {
        ManifestAnswer answer;
        std::chrono::system_clock::time_point checkedAt;  ///< when the tag was last confirmed upstream
        std::chrono::system_clock::time_point until;      ///< reuse ends (checkedAt + tag_ttl still applies)
    };
    static constexpr std::chrono::seconds kHotFor{1};
    static constexpr std::size_t kMaxHot = 4096;
    std::shared_mutex hotMutex_;
    std::unordered_map<std::string, HotTag> hot_;
};

}  // namespace vicary::cache
