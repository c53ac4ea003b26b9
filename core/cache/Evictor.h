// Keeps the cache under its size cap and the filesystem above its free-space floor, least recently used first.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "cache/ReadLeases.h"
#include "config/Settings.h"
#include "index/CacheIndex.h"
#include "storage/BlobStore.h"

namespace vicary::cache {

/// Size and free space of the cache's filesystem.
struct FilesystemSpace {
    std::uint64_t total = 0;
    std::uint64_t available = 0;
};

struct EvictionSettings {
    config::SizeLimit maxSize;         ///< [cache] max_size: bytes, a percentage of the filesystem, or 0 for none
    std::uint64_t minFree = 0;         ///< [cache] min_free
    double lowWatermark = 0.9;         ///< evict down to this fraction of the cap, so that eviction does not run per pull
    std::chrono::milliseconds interval{30000};  ///< how often the background pass checks
};

/// Evicts least-recently-used objects (by the index's last access) that nobody is reading. Space is reserved before a
/// download writes, so the cap holds at every moment, not only after the next pass. Thread-safe.
class Evictor {
public:
    using SpaceProbe = std::function<FilesystemSpace()>;

    /// `probe` defaults to statvfs(2) of the store's root.
    Evictor(index::CacheIndex& index, storage::BlobStore& store, ReadLeases& leases, EvictionSettings settings,
            SpaceProbe probe = {});
    ~Evictor();

    /// Starts the background pass (every interval, and on trigger()).
    void start();
    /// Stops the background pass. Idempotent.
    void stop();
    /// Wakes the background pass now (after a disk-full error).
    void trigger();
    /// New cap and free-space floor (a reload); the background pass applies them at once.
    void setLimits(const config::SizeLimit& maxSize, std::uint64_t minFree);

    /// Makes room for an object of `bytes` about to be written: evicts until the cache plus reservations plus
    /// `bytes` fit under the cap and the filesystem keeps min_free, then reserves `bytes`. False (nothing reserved)
    /// when that is impossible: the object is larger than the cap, or only objects being read are left.
    bool reserve(std::uint64_t bytes);
    /// Gives back a reservation (the object was committed and is now counted by the index, or was abandoned).
    void release(std::uint64_t bytes);

    /// One pass: when over the cap or under min_free, evicts down to the low watermark. Returns how many objects went.
    std::size_t runOnce();

    /// The cap in bytes now (a percentage is of the filesystem's size); 0 when there is none.
    std::uint64_t capBytes() const;
    std::uint64_t evictedObjects() const noexcept { return evictedObjects_; }
    std::uint64_t evictedBytes() const noexcept { return evictedBytes_; }

private:
    /// Evicts until `fits` says the cache fits; caller holds mutex_. Returns objects evicted; sets `fitted`.
    std::size_t evictUntil(const std::function<bool(std::uint64_t used, std::uint64_t available)>& fits, bool& fitted);
    void run();

    index::CacheIndex& index_;
    storage::BlobStore& store_;
    ReadLeases& leases_;
    EvictionSettings settings_;
    SpaceProbe probe_;
    std::mutex mutex_;  // one eviction at a time; guards reserved_
    std::uint64_t reserved_ = 0;
    std::atomic<std::uint64_t> evictedObjects_{0};
    std::atomic<std::uint64_t> evictedBytes_{0};
    std::mutex wakeMutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    bool triggered_ = false;
    std::thread thread_;
};

}  // namespace vicary::cache
