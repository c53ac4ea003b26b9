#include "http/BodySender.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/StreamSocket.h>

#include "http/ServerRequest.h"

namespace vicary::http {
namespace {

int socketOf(Poco::Net::HTTPServerRequest& request)
{
    return static_cast<ServerRequest&>(request).socket().impl()->sockfd();
}

/// A body at least this long that is readable in full is sent corked.
constexpr std::uint64_t kCorkAtLeast = 256 * 1024;

/// TCP_CORK for the life of the object: the kernel sends only full segments, and the last partial one when the cork
/// comes off. Without it, every 64 KiB that sendfile(2) hands TCP leaves a 53-byte tail segment on loopback (MSS
/// 65483) that is pushed at once because the connection has TCP_NODELAY: twice the segments and wake-ups of the
/// reader, ~1.5 x the CPU per byte (nginx's `tcp_nopush` does the same). Not for a file still growing: a corked tail
/// would wait up to 200 ms while the sender waits for the download.
class Cork {
public:
    Cork(int socket, bool on) : socket_(on ? socket : -1) { set(1); }
    ~Cork() { set(0); }
    Cork(const Cork&) = delete;
    Cork& operator=(const Cork&) = delete;

private:
    void set(int value) const
    {
        // A failure only costs speed (the socket is then sent uncorked, or gone); the send reports real errors.
        if (socket_ >= 0)
            ::setsockopt(socket_, IPPROTO_TCP, TCP_CORK, &value, sizeof value);
    }
    const int socket_;
};

}  // namespace

bool sendFileRange(Poco::Net::HTTPServerRequest& request, int fd, std::uint64_t offset, std::uint64_t end,
                   const std::function<std::uint64_t(std::uint64_t)>& available)
{
    std::uint64_t sent = 0;
    return sendFileRange(request, fd, offset, end, available, sent);
}

bool sendAll(Poco::Net::StreamSocket& socket, const char* data, std::size_t size)
{
    for (std::size_t done = 0; done < size;) {
        const int n = socket.sendBytes(data + done, static_cast<int>(size - done));
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool sendStream(Poco::Net::HTTPServerRequest& request, std::istream& in, std::uint64_t size)
{
    auto& socket = static_cast<ServerRequest&>(request).socket();
    std::vector<char> buffer(256 * 1024);
    while (size > 0) {
        in.read(buffer.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(buffer.size(), size)));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0)
            return false;
        try {
            if (!sendAll(socket, buffer.data(), got))
                return false;
        } catch (const Poco::Exception&) {
            return false;
        }
        size -= got;
    }
    return true;
}

bool sendFileRange(Poco::Net::HTTPServerRequest& request, int fd, std::uint64_t offset, std::uint64_t end,
                   const std::function<std::uint64_t(std::uint64_t)>& available, std::uint64_t& sent)
{
    sent = offset;
    auto& streamSocket = static_cast<ServerRequest&>(request).socket();
    if (dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(streamSocket.impl()) != nullptr) {
        // TLS: the bytes must go through the TLS layer; sendfile(2) would put them on the wire in the clear.
        std::vector<char> buffer(256 * 1024);
        while (offset < end) {
            const std::uint64_t readable = std::min(available(offset), end);
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(readable - offset, buffer.size()));
            const ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset));
            if (got <= 0)
                return false;
            try {
                if (!sendAll(streamSocket, buffer.data(), static_cast<std::size_t>(got)))
                    return false;
            } catch (const Poco::Exception&) {
                return false;
            }
            offset += static_cast<std::uint64_t>(got);
            sent = offset;
        }
        return true;
    }
    const int socket = socketOf(request);
    constexpr std::uint64_t kMaxChunk = 8 * 1024 * 1024;
    std::uint64_t readable = offset < end ? std::min(available(offset), end) : end;
    const Cork cork(socket, readable == end && end - offset >= kCorkAtLeast);
    while (offset < end) {
        if (readable <= offset)
            readable = std::min(available(offset), end);
        auto position = static_cast<off_t>(offset);
        const auto count = static_cast<std::size_t>(std::min(readable - offset, kMaxChunk));
        const ssize_t written = ::sendfile(socket, fd, &position, count);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            return false;  // EPIPE, ECONNRESET, or EAGAIN after the socket's send timeout
        }
        if (written == 0)
            return false;
        offset += static_cast<std::uint64_t>(written);
        sent = offset;
    }
    return true;
}

void abortConnection(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
    response.setKeepAlive(false);
    ::shutdown(socketOf(request), SHUT_RDWR);
}

}  // namespace vicary::http
