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

ConnectionWatch::Scope::Scope(ConnectionWatch& watch, const Poco::Net::StreamSocket& socket) : watch_(watch)
{
    std::string peer;
    try {
        peer = socket.peerAddress().toString();
    } catch (const Poco::Exception&) {
        peer = "a client";  // already gone
    }
    std::lock_guard<std::mutex> lock(watch_.mutex_);
    watch_.slots_.emplace_back(socket, std::move(peer));
    current = {&watch_, &watch_.slots_.back()};
    watch_.arm(watch_.slots_.back(), watch_.headerTimeout_);
}

ConnectionWatch::Scope::~Scope()
{
    std::lock_guard<std::mutex> lock(watch_.mutex_);
    for (auto it = watch_.slots_.begin(); it != watch_.slots_.end(); ++it) {
        if (&*it == current.slot) {
            watch_.slots_.erase(it);
            break;
        }
    }
    current = {};
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

std::size_t ConnectionWatch::size() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return slots_.size();
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
            ++expired_;
            Poco::Logger::get("http").information("closing the connection from " + slot.peer +
                                                  ": no complete request head within the header timeout (" +
                                                  std::to_string(headerTimeout_.count() / 1000) + " s)");
            shutdownSocket(slot);
        }
    }
}

}  // namespace vicary::http
