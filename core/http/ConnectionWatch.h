// Deadlines for client connections that POCO's per-call socket timeouts cannot give: a whole request head within
// [server] header_timeout (slowloris), and closing every connection at shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <list>
#include <mutex>
#include <string>
#include <thread>

#include <Poco/Net/StreamSocket.h>

namespace vicary::http {

/// Watches the connections of one server. A connection is armed when it is added (its first request head must be
/// complete within `headerTimeout`), disarmed when a head has been read (headReceived, called by the request router
/// on the thread serving it), and armed again when its response is done (responseDone): the next head must then be
/// complete within keep-alive timeout + header timeout. A connection parked between requests (KeepAliveReactor) is
/// armed for the keep-alive timeout alone, and for the header timeout once bytes arrive. A thread checks twice a
/// second and shuts down the socket of a connection past its deadline, which ends the blocked read in POCO, or wakes
/// the parked connection to its end. Thread-safe.
class ConnectionWatch {
public:
    struct Slot;

    ConnectionWatch(std::chrono::milliseconds headerTimeout, std::chrono::milliseconds keepAliveTimeout);
    ~ConnectionWatch();
    ConnectionWatch(const ConnectionWatch&) = delete;
    ConnectionWatch& operator=(const ConnectionWatch&) = delete;

    /// Registers a connection, armed for its first head. The slot stays valid until remove.
    Slot& add(const Poco::Net::StreamSocket& socket);
    void remove(Slot& slot);

    /// Makes `slot` the connection of the calling thread (for headReceived and responseDone) until it ends.
    class Bind {
    public:
        Bind(ConnectionWatch& watch, Slot& slot) noexcept;
        ~Bind();
        Bind(const Bind&) = delete;
        Bind& operator=(const Bind&) = delete;
    };

    /// Registers the connection, bound to the calling thread, until the scope ends (a connection served start to end
    /// on one thread).
    class Scope {
    public:
        Scope(ConnectionWatch& watch, const Poco::Net::StreamSocket& socket);
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        ConnectionWatch& watch_;
        Slot& slot_;
        Bind bind_;
    };

    /// The connection is parked, idle between requests: it is closed if nothing arrives within the keep-alive timeout.
    void parked(Slot& slot) noexcept;
    /// Bytes arrived on a parked connection: its head must be complete within the header timeout.
    void woke(Slot& slot) noexcept;

    /// The connection on this thread has received a request head: no deadline while the request is served. Does
    /// nothing on a thread without a connection.
    static void headReceived() noexcept;
    /// The connection on this thread has sent its response: the next head is due within keep-alive + header timeout.
    static void responseDone() noexcept;

    /// Shuts down every connection now (the server is stopping; idle kept-alive ones would otherwise linger).
    void closeAll();
    /// Connections closed so far because a head did not arrive in time.
    std::uint64_t expired() const;

    /// One watched connection. Its deadline is an atomic so that the connection's own thread arms and disarms it
    /// twice per request without the watch's mutex (which every connection would otherwise contend for).
    struct Slot {
        Slot(Poco::Net::StreamSocket s, std::string p) : socket(std::move(s)), peer(std::move(p)) {}
        Poco::Net::StreamSocket socket;
        std::string peer;
        std::atomic<std::chrono::steady_clock::rep> deadline{kDisarmed};  ///< steady_clock ticks; kDisarmed while disarmed
        std::atomic<bool> idle{false};  ///< parked between requests: reaching the deadline is a keep-alive close
        bool closed = false;  ///< guarded by the watch's mutex
    };
    static constexpr std::chrono::steady_clock::rep kDisarmed = std::numeric_limits<std::chrono::steady_clock::rep>::max();

private:
    static void arm(Slot& slot, std::chrono::milliseconds after) noexcept;
    static void disarm(Slot& slot) noexcept;
    void watch();

    const std::chrono::milliseconds headerTimeout_;
    const std::chrono::milliseconds keepAliveTimeout_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::list<Slot> slots_;
    std::uint64_t expired_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace vicary::http
