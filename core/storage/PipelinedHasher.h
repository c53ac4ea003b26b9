// A DigestHasher that, once a blob is large, hashes on its own thread while the writer goes on receiving.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/DigestHasher.h"

namespace vicary::storage {

/// Hashes the bytes fed to it in order. The first `inlineBytes` are hashed on the caller's thread; after that a
/// worker thread takes over, fed through a few buffers, so that hashing a large blob overlaps with receiving it
/// instead of adding to its time. A writer that receives into the hasher's own buffers (buffer(), then the update()
/// that takes one back) has its bytes hashed without a copy; update(const char*, ...) copies them into one. The
/// writer blocks when every buffer is waiting to be hashed. One writer; not copyable.
class PipelinedHasher {
public:
    explicit PipelinedHasher(const std::string& algorithm, std::size_t inlineBytes = 8 * 1024 * 1024);
    ~PipelinedHasher();
    PipelinedHasher(const PipelinedHasher&) = delete;
    PipelinedHasher& operator=(const PipelinedHasher&) = delete;

    /// Feeds `size` bytes (copied into a buffer once the worker runs).
    void update(const char* data, std::size_t size);
    /// A buffer of `size` bytes to fill and give back with update(std::vector<char>&&, ...). Waits while every
    /// buffer is queued for hashing. Hold at most one at a time.
    std::vector<char> buffer(std::size_t size);
    /// Feeds bytes [offset, offset + length) of `buffer` (from buffer()) without copying them, and takes it back.
    void update(std::vector<char>&& buffer, std::size_t offset, std::size_t length);
    /// The lowercase hex digest of everything fed; waits for the worker. Call once.
    std::string finishHex();
    const std::string& algorithm() const noexcept { return hasher_.algorithm(); }

private:
    void work();

    static constexpr std::size_t kBuffers = 4;
    DigestHasher hasher_;  ///< used by the caller until the worker starts, then by the worker alone
    const std::size_t inlineBytes_;
    std::uint64_t fed_ = 0;
    std::mutex mutex_;
    std::condition_variable changed_;
    struct Queued {
        std::vector<char> buffer;
        std::size_t offset;
        std::size_t length;
    };
    std::deque<Queued> full_;  ///< waiting to be hashed, in order
    std::vector<std::vector<char>> free_;
    std::size_t buffersMade_ = 0;
    bool finishing_ = false;
    std::thread worker_;
};

}  // namespace vicary::storage
