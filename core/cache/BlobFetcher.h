// Fetches one blob from its upstream into the store, for a Download: resumes broken transfers, verifies the digest.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "cache/CacheCatalog.h"
#include "cache/Download.h"
#include "cache/Evictor.h"
#include "cache/UpstreamSource.h"
#include "storage/BlobStore.h"
#include "upstream/RegistryClient.h"

namespace vicary::cache {

struct FetchSettings {
    int maxResumes = 3;  ///< Range requests after a broken transfer before giving up
    std::chrono::milliseconds resumeDelay{200};
};

/// Drives the fetcher side of a Download. Thread-safe: one fetcher serves every download thread.
class BlobFetcher {
public:
    /// `evictor` (may be null: no cap) reserves room before a download writes.
    BlobFetcher(upstream::RegistryClient& client, storage::BlobStore& store, CacheCatalog& catalog, Evictor* evictor,
                FetchSettings settings);

    /// GETs the blob from `source`, writes it to a temp file while reporting progress, resumes a broken transfer
    /// with a Range request from the last byte on disk (at most maxResumes times), and commits it only when its
    /// digest matches. Ends with exactly one of Download::committed or Download::failed. Never throws. When the cache
    /// cannot hold the blob (no room under the cap, or the disk fills up) the download fails with passThrough set,
    /// the partial file is removed, eviction is woken, and its clients stream from the upstream instead.
    void run(Download& download, const UpstreamSource& source) noexcept;

    /// Cache writes that failed for lack of space so far.
    std::uint64_t diskFullEvents() const noexcept { return diskFull_; }

private:
    void fetch(Download& download, const UpstreamSource& source);

    upstream::RegistryClient& client_;
    storage::BlobStore& store_;
    CacheCatalog& catalog_;
    Evictor* evictor_;
    FetchSettings settings_;
    std::atomic<std::uint64_t> diskFull_{0};
};

}  // namespace vicary::cache
