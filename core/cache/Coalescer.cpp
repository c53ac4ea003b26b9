#include "cache/Coalescer.h"

#include <thread>

#include <Poco/Logger.h>

namespace vicary::cache {

Coalescer::Coalescer(BlobFetcher& fetcher) : fetcher_(fetcher) {}

Coalescer::~Coalescer()
{
    drain(std::chrono::milliseconds(60000));
}

std::shared_ptr<Download> Coalescer::join(const routing::Digest& digest, const UpstreamSource& source, bool& started)
{
    const std::string key = digest.text();
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = running_.find(key);
    if (it != running_.end()) {
        started = false;
        return it->second;
    }
    auto download = std::make_shared<Download>(key, digest.algorithm, digest.hex);
    running_.emplace(key, download);
    started = true;
    // The thread owns a share of the download and of the source: it runs to the end whoever still listens.
    std::thread([this, download, source] {
        fetcher_.run(*download, source);
        finish(download->digest());
    }).detach();
    return download;
}

std::shared_ptr<Download> Coalescer::find(const std::string& digest) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = running_.find(digest);
    return it == running_.end() ? nullptr : it->second;
}

void Coalescer::finish(const std::string& digest)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        running_.erase(digest);
    }
    idle_.notify_all();
}

std::size_t Coalescer::drain(std::chrono::milliseconds limit)
{
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait_for(lock, limit, [this] { return running_.empty(); });
    if (!running_.empty())
        Poco::Logger::get("cache").information(std::to_string(running_.size()) + " downloads still running after " +
                                               std::to_string(limit.count()) + " ms");
    return running_.size();
}

}  // namespace vicary::cache

namespace vicary::cache {

std::size_t Coalescer::waitingClients() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t total = 0;
    for (const auto& [digest, download] : running_)
        total += static_cast<std::size_t>(download->readers());
    return total;
}

void Coalescer::cancelAll()
{
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [digest, download] : running_)
        download->cancel();
}

std::size_t Coalescer::inFlight() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return running_.size();
}

}  // namespace vicary::cache
