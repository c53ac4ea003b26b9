// One upstream blob download that belongs to the cache: any number of clients stream it while it grows.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cache/UpstreamFailure.h"
#include "storage/BlobStore.h"

namespace vicary::cache {

/// The state of a blob being fetched into the store. Created by the Coalescer and driven by exactly one fetching
/// thread (the methods marked "fetcher"); clients call the others from any thread. It never buffers the blob in
/// memory: bytes go to a temp file that readers open and read as it grows.
class Download {
public:
    Download(std::string digest, std::string algorithm, std::string hex);
    ~Download();
    Download(const Download&) = delete;
    Download& operator=(const Download&) = delete;

    // ---- fetcher side
    /// The upstream answered with the blob's size: readers waiting for the head are released. The temp file is
    /// opened here once, so that readers reach it whatever the commit does to its name.
    void started(std::uint64_t size, const std::string& tempPath);
    /// `total` bytes are now on disk in the temp file.
    void progressed(std::uint64_t total);
    /// Every byte is written and matches the digest (not yet on disk): readers may send the last byte now, while the
    /// fetcher flushes and commits.
    void verified();
    /// Verified and committed at `stored`: readers finish from the store.
    void committed(const storage::StoredBlob& stored);
    /// The download failed; readers that already sent bytes must abort their connection.
    void failed(UpstreamFailure failure);

    // ---- reader side
    /// Waits until the size is known or the download failed. Returns the size, or nullopt with `failure` set.
    std::optional<std::uint64_t> waitForHead(UpstreamFailure& failure);
    /// Opens the blob for reading: a descriptor of its own for the file opened at started(), which stays the blob's
    /// file when the commit renames it (a reader arriving between the rename and committed() must not find the old
    /// name gone). Returns -1 when the download failed (unless it failed after verification, in the commit), or with
    /// errno when the file cannot be opened.
    int openForReading();
    /// Waits until more than `offset` bytes are readable and returns how many are (at most `size`). The last byte is
    /// held back until the content is verified, so that a client never receives a whole unverified blob. Throws
    /// DownloadAborted when the download failed or made no progress for `stall` .
    std::uint64_t waitForBytes(std::uint64_t offset, std::chrono::milliseconds stall);

    const std::string& digest() const noexcept { return digest_; }
    const std::string& algorithm() const noexcept { return algorithm_; }
    const std::string& hex() const noexcept { return hex_; }
    bool finished() const;

    /// A client streaming this download, counted while the handle lives (for the waiting-clients metric).
    class Reader {
    public:
        explicit Reader(std::atomic<int>& count) : count_(&count) { ++*count_; }
        Reader(Reader&& other) noexcept : count_(other.count_) { other.count_ = nullptr; }
        Reader(const Reader&) = delete;
        Reader& operator=(const Reader&) = delete;
        Reader& operator=(Reader&&) = delete;
        ~Reader()
        {
            if (count_ != nullptr)
                --*count_;
        }

    private:
        std::atomic<int>* count_;
    };
    Reader addReader() { return Reader(readers_); }
    int readers() const noexcept { return readers_.load(); }

    /// Asks the fetcher to give up (server shutdown). The fetcher checks between chunks.
    void cancel() noexcept { cancelled_ = true; }
    bool cancelled() const noexcept { return cancelled_; }

private:
    const std::string digest_;
    const std::string algorithm_;
    const std::string hex_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool started_ = false;
    bool done_ = false;
    bool verified_ = false;
    std::optional<UpstreamFailure> failure_;
    std::uint64_t size_ = 0;
    std::uint64_t written_ = 0;
    std::string path_;  // temp file, then the committed file
    int fd_ = -1;       // the temp file opened read-only at started(); -1 if that failed (readers open path_)
    std::atomic<bool> cancelled_{false};
    std::atomic<int> readers_{0};
};

/// Thrown to a reader when the download it streams cannot complete: its client connection must be aborted, unless
/// passThrough() says the client may get the rest straight from the upstream.
class DownloadAborted : public std::runtime_error {
public:
    DownloadAborted(const std::string& message, bool passThrough = false)
        : std::runtime_error(message), passThrough_(passThrough)
    {
    }
    bool passThrough() const noexcept { return passThrough_; }

private:
    bool passThrough_;
};

}  // namespace vicary::cache
