#include "http/ConnectionWatch.h"

#include <sys/socket.h>

#include <Poco/Logger.h>

namespace vicary::http {
namespace {

struct Current {
    ConnectionWatch* watch = nullptr;
    ConnectionWatch::Slot* slot = nullptr;
};
thread_local Current current;

/// Ends reads and writes on the socket without touching its TLS state (which belongs to the connection's thread):
/// the blocked read returns, POCO ends the connection and closes the descriptor.
void shutdownSocket(ConnectionWatch::Slot& slot)
{
    if (slot.closed)
        return;
    slot.closed = true;
    const int fd = slot.socket.impl()->sockfd();
    if (fd >= 0)
        ::shutdown(fd, SHUT_RDWR);
}

}  // namespace

ConnectionWatch::ConnectionWatch(std::chrono::milliseconds headerTimeout, std::chrono::milliseconds keepAliveTimeout)
    : headerTimeout_(headerTimeout), keepAliveTimeout_(keepAliveTimeout), thread_([this] { watch(); })
{
}

ConnectionWatch::~ConnectionWatch()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

ConnectionWatch::Slot& ConnectionWatch::add(const Poco::Net::StreamSocket& socket)
{
    std::string peer;
    try {
        peer = socket.peerAddress().toString();
    } catch (const Poco::Exception&) {
        peer = "a client";  // already gone
    }
    std::lock_guard<std::mutex> lock(mutex_);
    Slot& slot = slots_.emplace_back(socket, std::move(peer));
    arm(slot, headerTimeout_);
    return slot;
}

void ConnectionWatch::remove(Slot& slot)
{
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = slots_.begin(); it != slots_.end(); ++it) {
        if (&*it == &slot) {
            slots_.erase(it);
            return;
        }
    }
}

ConnectionWatch::Bind::Bind(ConnectionWatch& watch, Slot& slot) noexcept
{
    current = {&watch, &slot};
}

ConnectionWatch::Bind::~Bind()
{
    current = {};
}

ConnectionWatch::Scope::Scope(ConnectionWatch& watch, const Poco::Net::StreamSocket& socket)
    : watch_(watch), slot_(watch.add(socket)), bind_(watch, slot_)
{
}

ConnectionWatch::Scope::~Scope()
{
    watch_.remove(slot_);
}

void ConnectionWatch::parked(Slot& slot) noexcept
{
    slot.idle.store(true, std::memory_order_relaxed);
    arm(slot, keepAliveTimeout_);
}

void ConnectionWatch::woke(Slot& slot) noexcept
{
    slot.idle.store(false, std::memory_order_relaxed);
    arm(slot, headerTimeout_);
}

void ConnectionWatch::headReceived() noexcept
{
    if (current.watch == nullptr)
        return;
    disarm(*current.slot);
}

void ConnectionWatch::responseDone() noexcept
{
    if (current.watch == nullptr)
        return;
    const ConnectionWatch& watch = *current.watch;
    arm(*current.slot, watch.keepAliveTimeout_ + watch.headerTimeout_);
}

void ConnectionWatch::arm(Slot& slot, std::chrono::milliseconds after) noexcept
{
    const auto deadline = std::chrono::steady_clock::now() + after;
    slot.deadline.store(deadline.time_since_epoch().count(), std::memory_order_relaxed);
}

void ConnectionWatch::disarm(Slot& slot) noexcept
{
    slot.deadline.store(kDisarmed, std::memory_order_relaxed);
}

void ConnectionWatch::closeAll()
{
    std::lock_guard<std::mutex> lock(mutex_);
    for (Slot& slot : slots_)
        shutdownSocket(slot);
}

std::uint64_t ConnectionWatch::expired() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return expired_;
}

void ConnectionWatch::watch()
{
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::milliseconds(500));
        const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
        for (Slot& slot : slots_) {
            if (slot.closed || slot.deadline.load(std::memory_order_relaxed) > now)
                continue;
            if (slot.idle.load(std::memory_order_relaxed)) {
                shutdownSocket(slot);  // kept alive and idle for keep_alive_timeout: an ordinary end
                continue;
            }
            ++expired_;
            Poco::Logger::get("http").information("closing the connection from " + slot.peer +
                                                  ": no complete request head within the header timeout (" +
                                                  std::to_string(headerTimeout_.count() / 1000) + " s)");
            shutdownSocket(slot);
        }
    }
}

}  // namespace vicary::http
