#include "auth/FailedAttempts.h"

namespace vicary::auth {

FailedAttempts::FailedAttempts(unsigned maxFailures, std::chrono::seconds lockout, std::size_t maxClients)
    : maxFailures_(maxFailures == 0 ? 1 : maxFailures), lockout_(lockout), maxClients_(maxClients == 0 ? 1 : maxClients)
{
}

std::chrono::seconds FailedAttempts::lockedFor(const std::string& client, Clock::time_point now) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = clients_.find(client);
    if (found == clients_.end() || found->second.lockedUntil <= now)
        return std::chrono::seconds(0);
    // Rounded up: a client told "0" must not be refused.
    return std::chrono::ceil<std::chrono::seconds>(found->second.lockedUntil - now);
}

unsigned FailedAttempts::fail(const std::string& client, Clock::time_point now)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = clients_.find(client);
    if (found == clients_.end()) {
        if (clients_.size() >= maxClients_)
            makeRoom(now);
        found = clients_.emplace(client, Entry{0, now, Clock::time_point()}).first;
    }
    Entry& entry = found->second;
    if (now - entry.windowStart >= lockout_ && entry.lockedUntil <= now) {
        entry.failures = 0;
        entry.windowStart = now;
    }
    ++entry.failures;
    if (entry.failures >= maxFailures_) {
        entry.lockedUntil = now + lockout_;
        const unsigned counted = entry.failures;
        entry.failures = 0;  // after the lockout, a fresh window
        entry.windowStart = entry.lockedUntil;
        return counted;
    }
    return entry.failures;
}

void FailedAttempts::succeed(const std::string& client)
{
    std::lock_guard<std::mutex> lock(mutex_);
    clients_.erase(client);
}

void FailedAttempts::makeRoom(Clock::time_point now)
{
    for (auto it = clients_.begin(); it != clients_.end();) {
        const bool expired = it->second.lockedUntil <= now && now - it->second.windowStart >= lockout_;
        it = expired ? clients_.erase(it) : std::next(it);
    }
    if (clients_.size() >= maxClients_)
        clients_.clear();
}

}  // namespace vicary::auth
