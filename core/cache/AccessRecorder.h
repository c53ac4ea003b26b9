// Last-access times and hit counts, collected on the warm path in memory and written to the index in batches.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "index/CacheIndex.h"

namespace vicary::cache {

/// A cache hit must not wait for an SQLite write: touch() only updates a map; a thread of its own writes the batch
/// every `interval` (and stop() writes the rest). Thread-safe.
class AccessRecorder {
public:
    AccessRecorder(index::CacheIndex& index, std::chrono::milliseconds interval);
    ~AccessRecorder();

    /// Notes one hit on `digest` now. Never blocks on the database.
    void touch(const std::string& digest) noexcept;
    /// Writes what was collected (also called by the thread). Logs, does not throw, on a database error.
    void flush();
    /// Stops the thread after a last flush. Idempotent.
    void stop();

private:
    void run();

    index::CacheIndex& index_;
    std::chrono::milliseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::map<std::string, std::pair<index::TimePoint, std::uint64_t>> pending_;
    std::thread thread_;
};

}  // namespace vicary::cache
