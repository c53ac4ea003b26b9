// Which stored objects are being read right now: the evictor never removes those.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace vicary::cache {

/// Reference counts of objects being served. Thread-safe; a lease is cheap (one map update under a mutex).
class ReadLeases {
public:
    /// Held while an object is read; releases on destruction. Move-only.
    class Lease {
    public:
        Lease(ReadLeases* owner, std::string digest) : owner_(owner), digest_(std::move(digest)) {}
        Lease(Lease&& other) noexcept : owner_(other.owner_), digest_(std::move(other.digest_)) { other.owner_ = nullptr; }
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease()
        {
            if (owner_ != nullptr)
                owner_->release(digest_);
        }

    private:
        ReadLeases* owner_;
        std::string digest_;
    };

    Lease acquire(const std::string& digest);
    bool held(const std::string& digest) const;

private:
    void release(const std::string& digest);

    mutable std::mutex mutex_;
    std::map<std::string, int> counts_;
};

}  // namespace vicary::cache
