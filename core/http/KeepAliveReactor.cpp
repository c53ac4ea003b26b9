#include "http/KeepAliveReactor.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <Poco/Logger.h>
#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocketImpl.h>

namespace vicary::http {
namespace {

constexpr std::uint32_t kEvents = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
/// A ready connection waiting this long means the awake workers are held up (an upstream, a big body).
constexpr std::chrono::milliseconds kStall{5};
/// A worker asleep this long ends, unless it is one of the first (one per CPU).
constexpr std::chrono::seconds kIdleExit{10};

/// A stream socket that asks the kernel for its two addresses once. POCO's request object asks for both on every
/// request (getpeername and getsockname: about 4 % of the CPU of a small request); they never change.
class AddressedSocketImpl final : public Poco::Net::StreamSocketImpl {
public:
    explicit AddressedSocketImpl(poco_socket_t fd)
        : StreamSocketImpl(fd), peer_(StreamSocketImpl::peerAddress()), local_(StreamSocketImpl::address())
    {
    }
    Poco::Net::SocketAddress peerAddress() override { return peer_; }
    Poco::Net::SocketAddress address() override { return local_; }

private:
    const Poco::Net::SocketAddress peer_;
    const Poco::Net::SocketAddress local_;
};

/// The accepted socket on a descriptor of its own (the acceptor's closes with its connection object).
Poco::Net::StreamSocket addressed(const Poco::Net::StreamSocket& accepted)
{
    const int fd = ::fcntl(accepted.impl()->sockfd(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        throw Poco::IOException(std::string("cannot take over a new connection: ") + std::strerror(errno));
    try {
        return Poco::Net::StreamSocket(new AddressedSocketImpl(fd));
    } catch (...) {
        ::close(fd);
        throw;
    }
}

}  // namespace

struct KeepAliveReactor::Connection {
    Connection(const Poco::Net::StreamSocket& socket, const Poco::Net::HTTPServerParams::Ptr& params,
               ConnectionWatch& watch)
        : session(socket, params), slot(watch.add(socket)), fd(socket.impl()->sockfd())
    {
    }
    ServerSession session;
    ConnectionWatch::Slot& slot;
    const int fd;
    int served = 0;
};

KeepAliveReactor::KeepAliveReactor(RequestServer& server, ConnectionWatch& watch, std::size_t maxWorkers,
                                   std::size_t maxConnections)
    : server_(server),
      watch_(watch),
      maxWorkers_(std::max<std::size_t>(1, maxWorkers)),
      maxConnections_(std::max<std::size_t>(1, maxConnections)),
      wantAwake_(std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, maxWorkers_))
{
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (epoll_ < 0 || wakeFd_ < 0)
        throw std::runtime_error(std::string("cannot create the connection poller: ") + std::strerror(errno));
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = nullptr;
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, wakeFd_, &event) != 0)
        throw std::runtime_error(std::string("cannot create the connection poller: ") + std::strerror(errno));
}

KeepAliveReactor::~KeepAliveReactor()
{
    stop();
    ::close(wakeFd_);
    ::close(epoll_);
}

void KeepAliveReactor::start()
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (started_)
        return;
    started_ = true;
    poller_ = std::thread([this] { poll(); });
}

void KeepAliveReactor::adopt(const Poco::Net::StreamSocket& socket)
{
    // Two acceptor threads adopt at once: the slot is taken under the lock before the connection is built, so
    // that both cannot pass the bound together.
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_ || open_.size() + adopting_ >= maxConnections_)
            return;  // the caller's socket closes: over [server] threads + queue, as POCO's dispatcher does
        ++adopting_;
    }
    std::unique_ptr<Connection> connection;
    try {
        connection = std::make_unique<Connection>(addressed(socket), server_.params, watch_);
    } catch (const Poco::Exception& e) {
        Poco::Logger::get("http").warning("cannot take a new connection: " + e.displayText());  // a client already gone
        std::lock_guard<std::mutex> lock(mutex_);
        --adopting_;
        return;
    } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        --adopting_;
        throw;
    }
    epoll_event event{};
    event.events = kEvents;
    event.data.ptr = connection.get();
    std::lock_guard<std::mutex> lock(mutex_);
    --adopting_;
    if (stopping_) {  // stop() ran meanwhile and has closed every connection it knew of: close this one too
        watch_.remove(connection->slot);
        return;
    }
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, connection->fd, &event) != 0) {
        Poco::Logger::get("http").warning(std::string("cannot watch a new connection: ") + std::strerror(errno));
        watch_.remove(connection->slot);
        return;
    }
    open_.insert(connection.release());
}

void KeepAliveReactor::stop()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_ || !started_) {
            stopping_ = true;
            return;
        }
        stopping_ = true;
    }
    const std::uint64_t one = 1;
    if (::write(wakeFd_, &one, sizeof one) < 0)
        Poco::Logger::get("http").warning(std::string("cannot wake the connection poller: ") + std::strerror(errno));
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (Sleeper* sleeper : sleepers_)
            sleeper->wake.notify_one();
    }
    pollerWake_.notify_all();
    poller_.join();
    std::vector<std::thread> threads;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        threads.swap(threads_);
    }
    for (std::thread& thread : threads)
        thread.join();
    std::unordered_set<Connection*> open;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        open.swap(open_);
        ready_.clear();
    }
    for (Connection* connection : open) {
        watch_.remove(connection->slot);
        delete connection;
    }
}

void KeepAliveReactor::queue(const epoll_event* events, int count)
{
    const auto now = Clock::now();
    for (int i = 0; i < count; ++i) {
        if (events[i].data.ptr != nullptr)
            ready_.emplace_back(static_cast<Connection*>(events[i].data.ptr), now);
    }
    const std::size_t wanted = std::min(ready_.size(), wantAwake_);
    while (awake() < wanted && wakeWorker()) {
    }
}

bool KeepAliveReactor::wakeWorker()
{
    if (stopping_)
        return false;
    if (!sleepers_.empty()) {
        Sleeper* sleeper = sleepers_.back();
        sleepers_.pop_back();
        sleeper->woken = true;
        sleeper->wake.notify_one();
        return true;
    }
    if (workers_ >= maxWorkers_)
        return false;
    reapFinished();
    ++workers_;
    threads_.emplace_back([this] { work(); });
    return true;
}

void KeepAliveReactor::reapFinished()
{
    for (const std::thread::id id : finished_) {
        auto it = std::find_if(threads_.begin(), threads_.end(), [id](const std::thread& t) { return t.get_id() == id; });
        if (it != threads_.end()) {
            it->join();  // it has left work() or is about to: its last act was to register here
            threads_.erase(it);
        }
    }
    finished_.clear();
}

void KeepAliveReactor::poll()
{
    epoll_event events[64];
    std::unique_lock<std::mutex> lock(mutex_);
    std::uint64_t completedSeen = completed_;
    while (!stopping_) {
        int count = 0;
        if (awake() == 0) {
            // Every worker sleeps: wait here for the next ready connection.
            lock.unlock();
            count = ::epoll_wait(epoll_, events, 64, 1000);
            lock.lock();
        } else {
            // Awake workers take ready connections themselves; look in now and then for ones they leave waiting.
            pollerWake_.wait_for(lock, kStall);
            if (stopping_)
                break;
            lock.unlock();
            count = ::epoll_wait(epoll_, events, 64, 0);
            lock.lock();
        }
        if (count > 0)
            queue(events, count);
        // Held up: a connection has waited kStall and no request finished since the last look. (Waiting alone only
        // says the CPUs are busy; waking more workers then adds switches, not progress.)
        if (!ready_.empty() && completed_ == completedSeen && Clock::now() - ready_.front().second >= kStall)
            wakeWorker();
        completedSeen = completed_;
    }
}

void KeepAliveReactor::work()
{
    epoll_event events[16];
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
        if (!ready_.empty()) {
            Connection* connection = ready_.front().first;
            ready_.pop_front();
            lock.unlock();
            serve(connection);
            lock.lock();
            ++completed_;
            continue;
        }
        if (stopping_)
            break;
        lock.unlock();
        const int count = ::epoll_wait(epoll_, events, 16, 0);
        lock.lock();
        if (count > 0) {
            queue(events, count);
            continue;
        }
        Sleeper self;
        sleepers_.push_back(&self);
        if (awake() == 0)
            pollerWake_.notify_one();
        const bool woken = self.wake.wait_for(lock, kIdleExit, [&] { return self.woken || stopping_; });
        if (!self.woken)
            sleepers_.erase(std::find(sleepers_.begin(), sleepers_.end(), &self));
        if (!woken && workers_ > wantAwake_) {
            --workers_;  // idle for kIdleExit and more workers than CPUs: end this one
            finished_.push_back(std::this_thread::get_id());
            return;
        }
    }
}

void KeepAliveReactor::serve(Connection* connection)
{
    bool keep = false;
    {
        ConnectionWatch::Bind bind(watch_, connection->slot);
        watch_.woke(connection->slot);
        try {
            do {
                keep = server_.serveOne(connection->session, connection->served);
            } while (keep && connection->session.buffered() > 0);
        } catch (const Poco::Exception& e) {
            Poco::Logger::get("http").debug("connection ended: " + e.displayText());
            keep = false;
        } catch (const std::exception& e) {
            Poco::Logger::get("http").error(std::string("connection ended by an unexpected error: ") + e.what());
            keep = false;
        }
    }
    if (keep) {
        watch_.parked(connection->slot);
        epoll_event event{};
        event.events = kEvents;
        event.data.ptr = connection;
        if (::epoll_ctl(epoll_, EPOLL_CTL_MOD, connection->fd, &event) == 0)
            return;
    }
    close(connection);
}

void KeepAliveReactor::close(Connection* connection)
{
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, connection->fd, nullptr);
    watch_.remove(connection->slot);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        open_.erase(connection);
    }
    delete connection;  // the session closes the socket
}

}  // namespace vicary::http
