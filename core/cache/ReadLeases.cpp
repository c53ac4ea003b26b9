#include "cache/ReadLeases.h"

namespace vicary::cache {

ReadLeases::Lease ReadLeases::acquire(const std::string& digest)
{
    std::lock_guard<std::mutex> lock(mutex_);
    ++counts_[digest];
    return Lease(this, digest);
}

bool ReadLeases::held(const std::string& digest) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return counts_.count(digest) != 0;
}

void ReadLeases::release(const std::string& digest)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = counts_.find(digest);
    if (it != counts_.end() && --it->second <= 0)
        counts_.erase(it);
}

}  // namespace vicary::cache
