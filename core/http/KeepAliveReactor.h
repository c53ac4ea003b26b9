// Plain HTTP connections parked in one epoll set between requests, each request served by whichever worker is free.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <Poco/Net/StreamSocket.h>

#include "http/ConnectionWatch.h"
#include "http/ServerConnection.h"

struct epoll_event;

namespace vicary::http {

/// A thread per kept-alive connection costs a wake-up and a sleep per request, and on a small VM those dominate
/// (see docs/BENCHMARKS.md, test 4b). Here a connection is a parked epoll registration (one-shot) between requests.
/// Workers serve one ready connection at a time with POCO's blocking request/response objects (handlers may block
/// on an upstream), then take the next ready one without sleeping; only when none is ready do they sleep. About
/// one worker per CPU is kept awake; a poller thread blocks in epoll when every worker sleeps, and otherwise checks
/// every few milliseconds that ready connections do not wait behind workers busy with something long (no request
/// finished meanwhile), waking or starting another worker (at most `maxWorkers`, [server] threads) when they do.
/// Idle connections end after [server] keep_alive_timeout, heads after header_timeout (ConnectionWatch). At most
/// `maxConnections` ([server] threads + queue) are open; beyond that a new one is closed at once.
class KeepAliveReactor {
public:
    KeepAliveReactor(RequestServer& server, ConnectionWatch& watch, std::size_t maxWorkers,
                     std::size_t maxConnections);
    ~KeepAliveReactor();
    KeepAliveReactor(const KeepAliveReactor&) = delete;
    KeepAliveReactor& operator=(const KeepAliveReactor&) = delete;

    void start();
    /// Takes a newly accepted connection; it is served when its first bytes arrive.
    void adopt(const Poco::Net::StreamSocket& socket);
    /// Ends the threads (each finishes the request it serves) and closes every connection. The caller shuts the
    /// sockets down first (ConnectionWatch::closeAll) so that no worker waits on a client.
    void stop();

private:
    struct Connection;
    using Clock = std::chrono::steady_clock;

    void poll();
    void work();
    void serve(Connection* connection);
    void close(Connection* connection);
    /// Queues the connections of `events` (the caller holds the lock) and wakes workers up to one per CPU.
    void queue(const epoll_event* events, int count);
    /// Wakes a sleeping worker, or starts one; false when all `maxWorkers` are awake. Caller holds the lock.
    bool wakeWorker();
    std::size_t awake() const { return workers_ - sleepers_.size(); }
    /// Joins the threads of workers that ended (caller holds the lock).
    void reapFinished();

    /// A sleeping worker. The most recent sleeper is woken first, so that a few warm threads do the work and the
    /// others, idle for kIdleExit, end (their stacks and malloc caches count in the resident memory).
    struct Sleeper {
        std::condition_variable wake;
        bool woken = false;
    };

    RequestServer& server_;
    ConnectionWatch& watch_;
    const std::size_t maxWorkers_;
    const std::size_t maxConnections_;
    const std::size_t wantAwake_;  ///< CPUs
    int epoll_ = -1;
    int wakeFd_ = -1;  ///< eventfd that ends the poller's wait at stop

    mutable std::mutex mutex_;
    std::condition_variable pollerWake_;
    std::deque<std::pair<Connection*, Clock::time_point>> ready_;
    std::unordered_set<Connection*> open_;
    std::size_t adopting_ = 0;  ///< connections admitted by adopt() and not yet in open_
    std::size_t workers_ = 0;
    std::vector<Sleeper*> sleepers_;  ///< most recent last
    std::uint64_t completed_ = 0;  ///< requests served so far: the poller's sign of progress
    bool stopping_ = false;
    bool started_ = false;
    std::thread poller_;
    std::vector<std::thread> threads_;
    std::vector<std::thread::id> finished_;  ///< workers that ended, to be joined
};

}  // namespace vicary::http
