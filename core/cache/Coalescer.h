// One upstream fetch per blob, however many clients ask for it at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "cache/BlobFetcher.h"
#include "cache/Download.h"
#include "cache/UpstreamSource.h"
#include "routing/Grammar.h"

namespace vicary::cache {

/// Keeps the downloads in progress by digest. The first request for a digest starts a download on a thread of its
/// own (the download belongs to the cache: it completes even when every client left); later requests join it and
/// stream the same temp file as it grows. Thread-safe.
class Coalescer {
public:
    explicit Coalescer(BlobFetcher& fetcher);
    ~Coalescer();

    /// The download of `digest` in progress, or a new one fetching from `source`. `started` tells which.
    std::shared_ptr<Download> join(const routing::Digest& digest, const UpstreamSource& source, bool& started);

    /// The download of `digest` in progress, if any (for HEAD, which never starts one).
    std::shared_ptr<Download> find(const std::string& digest) const;

    /// Waits at most `limit` for the downloads in progress to end; for shutdown, after the server stopped serving.
    /// Returns how many were still running.
    std::size_t drain(std::chrono::milliseconds limit);

    /// Downloads running now.
    std::size_t inFlight() const;
    /// Clients streaming those downloads now.
    std::size_t waitingClients() const;

    /// Asks every download in progress to give up; each removes its temp file. For shutdown, after the deadline.
    void cancelAll();

private:
    void finish(const std::string& digest);

    BlobFetcher& fetcher_;
    mutable std::mutex mutex_;
    std::condition_variable idle_;
    std::map<std::string, std::shared_ptr<Download>> running_;
};

}  // namespace vicary::cache
