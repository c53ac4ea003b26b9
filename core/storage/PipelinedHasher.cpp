#include "storage/PipelinedHasher.h"

#include <algorithm>

namespace vicary::storage {

PipelinedHasher::PipelinedHasher(const std::string& algorithm, std::size_t inlineBytes)
    : hasher_(algorithm), inlineBytes_(inlineBytes)
{
}

PipelinedHasher::~PipelinedHasher()
{
    if (worker_.joinable()) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            finishing_ = true;
        }
        changed_.notify_all();
        worker_.join();
    }
}

void PipelinedHasher::update(const char* data, std::size_t size)
{
    if (!worker_.joinable() && fed_ + size <= inlineBytes_) {
        hasher_.update(data, size);
        fed_ += size;
        return;
    }
    std::vector<char> copy = buffer(size);
    std::copy(data, data + size, copy.begin());
    update(std::move(copy), 0, size);
}

std::vector<char> PipelinedHasher::buffer(std::size_t size)
{
    std::vector<char> buffer;
    {
        std::unique_lock<std::mutex> lock(mutex_);
        if (free_.empty() && buffersMade_ < kBuffers) {
            ++buffersMade_;
        } else {
            changed_.wait(lock, [this] { return !free_.empty(); });
            buffer = std::move(free_.back());
            free_.pop_back();
        }
    }
    buffer.resize(size);
    return buffer;
}

void PipelinedHasher::update(std::vector<char>&& buffer, std::size_t offset, std::size_t length)
{
    if (!worker_.joinable() && fed_ + length <= inlineBytes_) {
        hasher_.update(buffer.data() + offset, length);
        fed_ += length;
        std::lock_guard<std::mutex> lock(mutex_);
        free_.push_back(std::move(buffer));
        return;
    }
    if (!worker_.joinable())
        worker_ = std::thread([this] { work(); });
    {
        std::lock_guard<std::mutex> lock(mutex_);
        full_.push_back(Queued{std::move(buffer), offset, length});
    }
    changed_.notify_all();
    fed_ += length;
}

void PipelinedHasher::work()
{
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return !full_.empty() || finishing_; });
        if (full_.empty())
            return;  // finishing, and everything is hashed
        Queued next = std::move(full_.front());
        full_.pop_front();
        lock.unlock();
        hasher_.update(next.buffer.data() + next.offset, next.length);
        lock.lock();
        free_.push_back(std::move(next.buffer));
        changed_.notify_all();
    }
}

std::string PipelinedHasher::finishHex()
{
    if (worker_.joinable()) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            finishing_ = true;
        }
        changed_.notify_all();
        worker_.join();
    }
    return hasher_.finishHex();
}

}  // namespace vicary::storage
