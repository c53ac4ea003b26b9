#include "http/ActiveRequests.h"

#include <sys/socket.h>

namespace vicary::http {

void ActiveRequests::add(int socket)
{
    std::lock_guard<std::mutex> lock(mutex_);
    sockets_.insert(socket);
}

void ActiveRequests::remove(int socket)
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = sockets_.find(socket);
        if (it != sockets_.end())
            sockets_.erase(it);
    }
    idle_.notify_all();
}

std::size_t ActiveRequests::count() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return sockets_.size();
}

std::size_t ActiveRequests::waitIdle(std::chrono::milliseconds deadline)
{
    std::unique_lock<std::mutex> lock(mutex_);
    idle_.wait_for(lock, deadline, [this] { return sockets_.empty(); });
    return sockets_.size();
}

void ActiveRequests::abortAll()
{
    std::lock_guard<std::mutex> lock(mutex_);
    for (int socket : sockets_)
        ::shutdown(socket, SHUT_RDWR);
}

}  // namespace vicary::http
