// Idle keep-alive connections to upstream origins, ready for reuse.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "upstream/UpstreamSession.h"

namespace vicary::upstream {

/// Idle sessions per key ("scheme://host:port", plus the CA file for https), at most `maxIdlePerKey` each, the most
/// recently used handed out first. Thread-safe.
class ConnectionPool {
public:
    explicit ConnectionPool(int maxIdlePerKey) : maxIdlePerKey_(maxIdlePerKey) {}

    /// An idle session for `key` that still looks alive (connected, nothing unread, peer has not closed), or nullptr.
    /// Sessions found dead on the way are closed.
    std::unique_ptr<UpstreamSession> take(const std::string& key);

    /// Keeps `session` (idle, its last response read to the end) for reuse under session->poolKey(); closes it when
    /// that key already holds maxIdlePerKey sessions.
    void give(std::unique_ptr<UpstreamSession> session);

    /// Number of idle sessions kept for `key`.
    std::size_t idleCount(const std::string& key) const;

private:
    const int maxIdlePerKey_;
    mutable std::mutex mutex_;
    std::map<std::string, std::deque<std::unique_ptr<UpstreamSession>>> idle_;
};

}  // namespace vicary::upstream
