// Failed authentication attempts per client address, and the lockouts they lead to.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace vicary::auth {

/// Counts failures per client address. `maxFailures` failures within `lockout` of the first one lock the address out
/// for `lockout`; a success clears its count. Bounded: at most `maxClients` addresses are tracked; when more fail,
/// the oldest expired entries go first, then the whole table (an attacker with that many addresses gains a restart of
/// the counts, never memory). Thread-safe.
class FailedAttempts {
public:
    using Clock = std::chrono::steady_clock;

    FailedAttempts(unsigned maxFailures, std::chrono::seconds lockout, std::size_t maxClients = 65536);

    /// How much longer `client` is locked out; zero when it may try.
    std::chrono::seconds lockedFor(const std::string& client, Clock::time_point now = Clock::now()) const;
    /// Counts a failure of `client`. Returns the failures counted in the current window (maxFailures means this
    /// one started a lockout).
    unsigned fail(const std::string& client, Clock::time_point now = Clock::now());
    /// Forgets `client`'s failures.
    void succeed(const std::string& client);

    unsigned maxFailures() const noexcept { return maxFailures_; }
    std::chrono::seconds lockout() const noexcept { return lockout_; }

private:
    struct Entry {
        unsigned failures = 0;
        Clock::time_point windowStart;
        Clock::time_point lockedUntil;
    };
    void makeRoom(Clock::time_point now);

    const unsigned maxFailures_;
    const std::chrono::seconds lockout_;
    const std::size_t maxClients_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> clients_;
};

}  // namespace vicary::auth
