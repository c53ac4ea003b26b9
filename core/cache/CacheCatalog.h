// What the cache holds, as the engine records and asks it: objects with their sources, manifest types, tags.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "cache/TagRecord.h"
#include "index/CacheIndex.h"

namespace vicary::cache {

/// A tag's identity: registry, repository (as the upstream knows it), tag, and the client's normalised Accept list.
struct TagKey {
    std::string registry;
    std::string repository;
    std::string tag;
    std::string accept;
};

/// The engine's view of the SQLite index. Thread-safe (the index is). Only cold paths write: a download committed,
/// a manifest fetched, a tag revalidated; the warm blob path never comes here.
class CacheCatalog {
public:
    explicit CacheCatalog(index::CacheIndex& index);

    std::optional<TagRecord> findTag(const TagKey& key);
    void putTag(const TagKey& key, const TagRecord& record);
    void eraseTag(const TagKey& key);

    /// The media type of a stored manifest; nullopt when the index does not know the digest as a manifest.
    std::optional<std::string> manifestType(const std::string& digest);

    /// Records a committed blob or manifest, fetched for `registry`/`repository`.
    void recordBlob(const std::string& digest, std::uint64_t size, const std::string& registry,
                    const std::string& repository);
    void recordManifest(const std::string& digest, std::uint64_t size, const std::string& mediaType,
                        const std::string& registry, const std::string& repository);

    index::CacheIndex& index() noexcept { return index_; }

private:
    void record(const std::string& digest, std::uint64_t size, index::ObjectKind kind, const std::string& mediaType,
                const std::string& registry, const std::string& repository);

    index::CacheIndex& index_;
};

}  // namespace vicary::cache
