// A short-lived memory of small upstream answers that are passed through (tags/list, referrers).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace vicary::cache {

/// One remembered answer.
struct MemoEntry {
    int status = 200;
    std::string contentType;
    std::string link;  ///< the Link header (pagination), already rewritten for the client
    std::string body;
};

/// Answers by key for `ttl`, at most `capacity` of them (expired ones go first, then everything). Thread-safe.
class ResponseMemo {
public:
    ResponseMemo(std::chrono::seconds ttl, std::size_t capacity);
    std::optional<MemoEntry> find(const std::string& key);
    void put(const std::string& key, MemoEntry entry);

private:
    std::chrono::seconds ttl_;
    std::size_t capacity_;
    std::mutex mutex_;
    std::map<std::string, std::pair<std::chrono::steady_clock::time_point, MemoEntry>> entries_;
};

}  // namespace vicary::cache
