#include "http/BodySender.h"

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

namespace vicary::http {
namespace {

int socketOf(Poco::Net::HTTPServerRequest& request)
{
    return static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().impl()->sockfd();
}

}  // namespace

bool sendFileRange(Poco::Net::HTTPServerRequest& request, int fd, std::uint64_t offset, std::uint64_t end,
                   const std::function<std::uint64_t(std::uint64_t)>& available)
{
    const int socket = socketOf(request);
    constexpr std::uint64_t kMaxChunk = 8 * 1024 * 1024;
    while (offset < end) {
        const std::uint64_t readable = std::min(available(offset), end);
        auto position = static_cast<off_t>(offset);
        const auto count = static_cast<std::size_t>(std::min(readable - offset, kMaxChunk));
        const ssize_t sent = ::sendfile(socket, fd, &position, count);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            return false;  // EPIPE, ECONNRESET, or EAGAIN after the socket's send timeout
        }
        if (sent == 0)
            return false;
        offset += static_cast<std::uint64_t>(sent);
    }
    return true;
}

void abortConnection(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
    response.setKeepAlive(false);
    ::shutdown(socketOf(request), SHUT_RDWR);
}

}  // namespace vicary::http
