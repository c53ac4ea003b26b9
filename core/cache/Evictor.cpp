#include "cache/Evictor.h"

#include <sys/statvfs.h>

#include <Poco/Logger.h>

#include "routing/Grammar.h"

namespace vicary::cache {
namespace {

FilesystemSpace statFilesystem(const std::string& path)
{
    struct statvfs info {};
    if (::statvfs(path.c_str(), &info) != 0)
        return {};
    return {static_cast<std::uint64_t>(info.f_blocks) * info.f_frsize,
            static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize};
}

}  // namespace

Evictor::Evictor(index::CacheIndex& index, storage::BlobStore& store, ReadLeases& leases, EvictionSettings settings,
                 SpaceProbe probe)
    : index_(index), store_(store), leases_(leases), settings_(settings), probe_(std::move(probe))
{
    if (!probe_) {
        const std::string root = store_.root();
        probe_ = [root] { return statFilesystem(root); };
    }
}

Evictor::~Evictor()
{
    stop();
}

std::uint64_t Evictor::capBytes() const
{
    if (settings_.maxSize.kind == config::SizeLimit::Kind::Bytes)
        return settings_.maxSize.bytes;
    return static_cast<std::uint64_t>(static_cast<double>(probe_().total) * settings_.maxSize.percent / 100.0);
}

std::size_t Evictor::evictUntil(const std::function<bool(std::uint64_t, std::uint64_t)>& fits, bool& fitted)
{
    Poco::Logger& log = Poco::Logger::get("cache");
    std::size_t evicted = 0;
    std::uint64_t used = index_.stats().bytes;
    FilesystemSpace space = probe_();
    while (!fits(used, space.available)) {
        // Least recently used first; skip what is being read. A batch at a time, re-read after each.
        bool progressed = false;
        for (const auto& object : index_.leastRecentlyUsed(64)) {
            if (leases_.held(object.digest))
                continue;
            auto digest = routing::parseDigest(object.digest);
            // The row goes first: a crash in between leaves a file the next start re-verifies and adopts.
            index_.removeObject(object.digest);
            if (digest)
                store_.remove(digest->algorithm, digest->hex);
            used = used > object.size ? used - object.size : 0;
            space.available += object.size;
            ++evicted;
            ++evictedObjects_;
            evictedBytes_ += object.size;
            progressed = true;
            log.debug("evicted " + object.digest + " (" + std::to_string(object.size) + " bytes)");
            if (fits(used, space.available))
                break;
        }
        if (!progressed)
            break;
        space = probe_();
    }
    fitted = fits(used, space.available);
    return evicted;
}

bool Evictor::reserve(std::uint64_t bytes)
{
    std::lock_guard<std::mutex> lock(mutex_);
    const std::uint64_t cap = capBytes();
    if (cap != 0 && bytes > cap)
        return false;
    const std::uint64_t minFree = settings_.minFree;
    const std::uint64_t reserved = reserved_;
    bool fitted = false;
    evictUntil(
        [&](std::uint64_t used, std::uint64_t available) {
            const bool underCap = cap == 0 || used + reserved + bytes <= cap;
            const bool freeLeft = available >= bytes + minFree;
            return underCap && freeLeft;
        },
        fitted);
    if (fitted)
        reserved_ += bytes;
    return fitted;
}

void Evictor::release(std::uint64_t bytes)
{
    std::lock_guard<std::mutex> lock(mutex_);
    reserved_ = reserved_ > bytes ? reserved_ - bytes : 0;
}

std::size_t Evictor::runOnce()
{
    std::lock_guard<std::mutex> lock(mutex_);
    const std::uint64_t cap = capBytes();
    const std::uint64_t minFree = settings_.minFree;
    const std::uint64_t reserved = reserved_;
    const std::uint64_t used = index_.stats().bytes;
    const FilesystemSpace space = probe_();
    const bool overCap = cap != 0 && used + reserved > cap;
    const bool underFree = space.available < minFree;
    if (!overCap && !underFree)
        return 0;
    const auto low = static_cast<std::uint64_t>(static_cast<double>(cap) * settings_.lowWatermark);
    bool fitted = false;
    const std::size_t evicted = evictUntil(
        [&](std::uint64_t nowUsed, std::uint64_t available) {
            return (cap == 0 || nowUsed + reserved <= low) && available >= minFree;
        },
        fitted);
    Poco::Logger::get("cache").information("eviction: removed " + std::to_string(evicted) + " objects; cache " +
                                           std::to_string(index_.stats().bytes) + " bytes, cap " +
                                           std::to_string(cap) + (fitted ? "" : " (could not reach the low watermark)"));
    return evicted;
}

void Evictor::start()
{
    if (!thread_.joinable())
        thread_ = std::thread([this] { run(); });
}

void Evictor::stop()
{
    {
        std::lock_guard<std::mutex> lock(wakeMutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void Evictor::setLimits(const config::SizeLimit& maxSize, std::uint64_t minFree)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        settings_.maxSize = maxSize;
        settings_.minFree = minFree;
    }
    trigger();
}

void Evictor::trigger()
{
    {
        std::lock_guard<std::mutex> lock(wakeMutex_);
        triggered_ = true;
    }
    wake_.notify_all();
}

void Evictor::run()
{
    std::unique_lock<std::mutex> lock(wakeMutex_);
    while (!stopping_) {
        wake_.wait_for(lock, settings_.interval, [this] { return stopping_ || triggered_; });
        if (stopping_)
            break;
        triggered_ = false;
        lock.unlock();
        try {
            runOnce();
        } catch (const std::exception& e) {
            Poco::Logger::get("cache").error(std::string("eviction pass failed: ") + e.what());
        }
        lock.lock();
    }
}

}  // namespace vicary::cache
