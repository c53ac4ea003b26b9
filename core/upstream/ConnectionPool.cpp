#include "upstream/ConnectionPool.h"

#include <Poco/Exception.h>
#include <Poco/Net/Socket.h>

namespace vicary::upstream {

namespace {

/// An idle connection is usable when it is connected, holds no unread bytes and the peer has neither closed it nor
/// sent anything (either would make the socket readable).
bool looksAlive(UpstreamSession& session)
{
    try {
        return session.connected() && session.bufferedBytes() == 0 &&
               !session.socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ |
                                                             Poco::Net::Socket::SELECT_ERROR);
    } catch (const Poco::Exception&) {
        return false;
    }
}

}  // namespace

std::unique_ptr<UpstreamSession> ConnectionPool::take(const std::string& key)
{
    for (;;) {
        std::unique_ptr<UpstreamSession> session;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto found = idle_.find(key);
            if (found == idle_.end() || found->second.empty())
                return nullptr;
            session = std::move(found->second.back());
            found->second.pop_back();
        }
        if (looksAlive(*session))
            return session;
        // Dead: destroyed here, outside the lock.
    }
}

void ConnectionPool::give(std::unique_ptr<UpstreamSession> session)
{
    if (!session || maxIdlePerKey_ <= 0)
        return;
    std::unique_ptr<UpstreamSession> dropped;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto& sessions = idle_[session->poolKey()];
        if (static_cast<int>(sessions.size()) >= maxIdlePerKey_) {
            dropped = std::move(sessions.front());  // the oldest goes
            sessions.pop_front();
        }
        sessions.push_back(std::move(session));
    }
}

std::size_t ConnectionPool::idleCount(const std::string& key) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = idle_.find(key);
    return found == idle_.end() ? 0 : found->second.size();
}

}  // namespace vicary::upstream
