#include "cache/Download.h"

#include <fcntl.h>
#include <unistd.h>

namespace vicary::cache {

Download::Download(std::string digest, std::string algorithm, std::string hex)
    : digest_(std::move(digest)), algorithm_(std::move(algorithm)), hex_(std::move(hex))
{
}

Download::~Download()
{
    if (fd_ >= 0)
        ::close(fd_);
}

void Download::started(std::uint64_t size, const std::string& tempPath)
{
    const int fd = ::open(tempPath.c_str(), O_RDONLY | O_CLOEXEC);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        started_ = true;
        size_ = size;
        path_ = tempPath;
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }
    changed_.notify_all();
}

void Download::progressed(std::uint64_t total)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        written_ = total;
    }
    changed_.notify_all();
}

void Download::verified()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        verified_ = true;
    }
    changed_.notify_all();
}

void Download::committed(const storage::StoredBlob& stored)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        done_ = true;
        written_ = stored.size;
        path_ = stored.path;
    }
    changed_.notify_all();
}

void Download::failed(UpstreamFailure failure)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        failure_ = std::move(failure);
    }
    changed_.notify_all();
}

std::optional<std::uint64_t> Download::waitForHead(UpstreamFailure& failure)
{
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return started_ || failure_.has_value(); });
    if (failure_ && !started_) {
        failure = *failure_;
        return std::nullopt;
    }
    return size_;
}

int Download::openForReading()
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (failure_ && !(verified_ && fd_ >= 0))  // verified content stays servable when only the commit failed
        return -1;
    if (fd_ >= 0)
        return ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);  // readers use pread/sendfile at offsets: sharing one is harmless
    return ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
}

std::uint64_t Download::waitForBytes(std::uint64_t offset, std::chrono::milliseconds stall)
{
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        // A failure after verification (flushing or renaming the file) does not stop readers: what they send is right.
        if (failure_ && !verified_)
            throw DownloadAborted(failure_->message, failure_->passThrough);
        // Until verified, the last byte stays back: a client never holds a complete unverified blob.
        const std::uint64_t readable =
            done_ || verified_ ? size_ : (written_ == size_ && size_ > 0 ? size_ - 1 : written_);
        if (readable > offset)
            return readable;
        if (failure_)
            throw DownloadAborted(failure_->message, failure_->passThrough);
        const std::uint64_t before = written_;
        const bool wasDone = done_;
        const bool wasVerified = verified_;  // verification alone releases the last byte; the commit (fsync) follows
        if (!changed_.wait_for(lock, stall, [&] {
                return failure_ || done_ != wasDone || verified_ != wasVerified || written_ != before;
            }))
            throw DownloadAborted("blob " + digest_ + ": no progress from upstream for " +
                                  std::to_string(stall.count()) + " ms");
    }
}

bool Download::finished() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return done_ || failure_.has_value();
}

}  // namespace vicary::cache
