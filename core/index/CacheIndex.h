// The SQLite index of the cache: what is stored, for whom, how recently used; tags; the LRU order for eviction.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace vicary::index {

/// A database problem; what() names the database file, the operation and SQLite's message.
class IndexError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using TimePoint = std::chrono::system_clock::time_point;

enum class ObjectKind { Blob, Manifest };

/// One stored object (a committed file of the BlobStore).
struct ObjectRecord {
    std::string digest;     ///< "sha256:<hex>"
    std::uint64_t size = 0;
    ObjectKind kind = ObjectKind::Blob;
    std::string mediaType;  ///< manifests: their Content-Type; blobs: may be empty
    TimePoint created;
    TimePoint lastAccess;
    std::uint64_t hits = 0;
};

/// One tag: (registry, repository, tag, accept) → manifest.
struct TagRow {
    std::string registry;
    std::string repository;  ///< as the upstream knows it
    std::string tag;
    std::string accept;      ///< the client's normalised Accept list, part of the key
    std::string digest;
    std::string mediaType;
    std::uint64_t size = 0;
    TimePoint checkedAt;
};

/// Totals for `vicaryctl stats` and the evictor.
struct IndexStats {
    std::uint64_t objects = 0;
    std::uint64_t bytes = 0;
    std::uint64_t manifests = 0;
    std::uint64_t tags = 0;
    std::uint64_t hits = 0;  ///< sum of hits over objects
    struct PerRegistry {
        std::uint64_t objects = 0;
        std::uint64_t bytes = 0;
        std::uint64_t hits = 0;
    };
    std::map<std::string, PerRegistry> registries;  ///< by registry, over object_sources (an object may count twice)
};

/// What `vicaryctl purge` selects; empty fields match everything, all given fields must match.
struct PurgeFilter {
    std::string registry;
    std::string repository;
    std::string tag;      ///< only with repository: the tag row (and its manifest if nothing else uses it)
    std::string digest;
    std::optional<TimePoint> notAccessedSince;  ///< objects whose last access is older
};

/// The index database at <cache>/index.db (WAL mode). One CacheIndex per process is thread-safe (an internal mutex
/// serialises statements); several processes (the server and vicaryctl) may open the same file at once: writes wait
/// on SQLite's busy timeout (5 s) rather than fail. Every method throws IndexError on a database error.
class CacheIndex {
public:
    /// Opens or creates the database, applies migrations up to the current schema version in one transaction, and
    /// refuses (IndexError naming the file and both versions) a database of a newer schema.
    explicit CacheIndex(const std::string& path);
    ~CacheIndex();
    CacheIndex(const CacheIndex&) = delete;
    CacheIndex& operator=(const CacheIndex&) = delete;

    static constexpr int kSchemaVersion = 1;
    int schemaVersion() const;
    const std::string& path() const noexcept { return path_; }

    // ---- objects
    /// Inserts the object, or refreshes size/kind/media type if it exists (keeping hits and created).
    void putObject(const ObjectRecord& object);
    std::optional<ObjectRecord> findObject(const std::string& digest) const;
    /// Records that `registry`/`repository` fetched (or uses) the object; idempotent.
    void addSource(const std::string& digest, const std::string& registry, const std::string& repository);
    /// Applies a batch of accesses in one transaction: digest → (latest access time, hits to add). Unknown digests
    /// are ignored.
    void recordAccesses(const std::map<std::string, std::pair<TimePoint, std::uint64_t>>& accesses);
    /// Removes the object, its sources, and every tag pointing at it, in one transaction. Returns whether it existed.
    bool removeObject(const std::string& digest);
    /// Objects in least-recently-used order (oldest lastAccess first, then smallest created), at most `limit`.
    std::vector<ObjectRecord> leastRecentlyUsed(std::size_t limit) const;
    /// Every object digest with its size, for reconciliation with the files on disk.
    std::vector<std::pair<std::string, std::uint64_t>> allObjects() const;

    // ---- tags
    void putTag(const TagRow& tag);
    std::optional<TagRow> findTag(const std::string& registry, const std::string& repository, const std::string& tag,
                                  const std::string& accept) const;
    void removeTag(const std::string& registry, const std::string& repository, const std::string& tag,
                   const std::string& accept);
    /// Tags (all accept variants) of a registry (and repository when given), ordered by registry, repository, tag.
    std::vector<TagRow> listTags(const std::string& registry = {}, const std::string& repository = {}) const;

    // ---- administration
    IndexStats stats() const;
    /// Digests of the objects `filter` selects (for a tag filter: the tag's manifest if no other tag points at it),
    /// and removes matching tag rows. The caller removes the objects (files first, then removeObject).
    std::vector<std::string> selectForPurge(const PurgeFilter& filter);
    /// Repositories with their object count, bytes and last access, for `vicaryctl ls`.
    struct RepositoryRow {
        std::string registry;
        std::string repository;
        std::uint64_t objects = 0;
        std::uint64_t bytes = 0;
        TimePoint lastAccess;
    };
    std::vector<RepositoryRow> listRepositories(const std::string& registry = {}) const;

private:
    std::string path_;
    sqlite3* db_ = nullptr;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vicary::index
