#include "cache/AccessRecorder.h"

#include <Poco/Logger.h>

namespace vicary::cache {

AccessRecorder::AccessRecorder(index::CacheIndex& index, std::chrono::milliseconds interval)
    : index_(index), interval_(interval), thread_([this] { run(); })
{
}

AccessRecorder::~AccessRecorder()
{
    stop();
}

void AccessRecorder::touch(const std::string& digest) noexcept
{
    try {
        std::lock_guard<std::mutex> lock(mutex_);
        auto& entry = pending_[digest];
        entry.first = std::chrono::system_clock::now();
        ++entry.second;
    } catch (...) {
        // Out of memory while noting a hit: the LRU order is a little less exact, the pull is unaffected.
    }
}

void AccessRecorder::flush()
{
    std::map<std::string, std::pair<index::TimePoint, std::uint64_t>> batch;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        batch.swap(pending_);
    }
    if (batch.empty())
        return;
    try {
        index_.recordAccesses(batch);
    } catch (const std::exception& e) {
        Poco::Logger::get("cache").warning("cannot record " + std::to_string(batch.size()) +
                                           " access times in the index: " + e.what());
    }
}

void AccessRecorder::stop()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_)
            return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
    flush();
}

void AccessRecorder::run()
{
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, interval_, [this] { return stopping_; });
        lock.unlock();
        flush();
        lock.lock();
    }
}

}  // namespace vicary::cache
