// The requests being handled right now, so that shutdown can wait for them and, past its deadline, end them.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <chrono>
#include <mutex>
#include <set>

namespace vicary::http {

/// Socket descriptors of requests in their handler. Thread-safe.
class ActiveRequests {
public:
    void add(int socket);
    void remove(int socket);
    std::size_t count() const;
    /// Waits until no request is active or `deadline` passed; returns how many are still active.
    std::size_t waitIdle(std::chrono::milliseconds deadline);
    /// Shuts down the sockets of the requests still active: their clients see the transfer end early.
    void abortAll();

private:
    mutable std::mutex mutex_;
    std::condition_variable idle_;
    std::multiset<int> sockets_;
};

}  // namespace vicary::http
