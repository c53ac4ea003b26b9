#include "cache/ResponseMemo.h"

namespace vicary::cache {

ResponseMemo::ResponseMemo(std::chrono::seconds ttl, std::size_t capacity) : ttl_(ttl), capacity_(capacity) {}

std::optional<MemoEntry> ResponseMemo::find(const std::string& key)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end())
        return std::nullopt;
    if (std::chrono::steady_clock::now() >= it->second.first) {
        entries_.erase(it);
        return std::nullopt;
    }
    return it->second.second;
}

void ResponseMemo::put(const std::string& key, MemoEntry entry)
{
    if (ttl_.count() == 0)
        return;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard<std::mutex> lock(mutex_);
    if (entries_.size() >= capacity_) {
        for (auto it = entries_.begin(); it != entries_.end();)
            it = now >= it->second.first ? entries_.erase(it) : std::next(it);
        if (entries_.size() >= capacity_)
            entries_.clear();
    }
    entries_[key] = {now + ttl_, std::move(entry)};
}

}  // namespace vicary::cache
