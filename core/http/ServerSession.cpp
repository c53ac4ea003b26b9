#include "http/ServerSession.h"

#include <cstring>
#include <string_view>

namespace vicary::http {
namespace {

/// A connection's buffer to begin with (a head from docker, containerd or skopeo is well under 4 KiB) and at most:
/// HeadScanner refuses a head before it needs more (empty lines, the longest request line, 101 longest fields).
constexpr std::size_t kInitialBuffer = 4096;
constexpr std::size_t kMaxBuffer = 1024 * 1024;

}  // namespace

ServerSession::ServerSession(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params)
    : HTTPServerSession(socket, std::move(params))
{
}

ServerSession::~ServerSession() = default;

bool ServerSession::makeRoom()
{
    if (begin_ > 0) {
        std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
        return true;
    }
    if (capacity_ >= kMaxBuffer)
        return false;
    const std::size_t capacity = capacity_ == 0 ? kInitialBuffer : capacity_ * 2;
    auto bigger = std::make_unique<char[]>(capacity);
    if (end_ > 0)
        std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ = capacity;
    return true;
}

ServerSession::HeadRead ServerSession::readHead(RequestHead& head, HeadError& error)
{
    scanner_.reset();
    for (;;) {
        switch (scanner_.scan(buffer_.get() + begin_, end_ - begin_)) {
        case HeadScanner::State::Complete: {
            const std::string_view text(buffer_.get() + begin_ + scanner_.begin(), scanner_.end() - scanner_.begin());
            error = parseRequestHead(text, head);
            return error.status == 0 ? HeadRead::Complete : HeadRead::Refused;
        }
        case HeadScanner::State::Refused:
            error = scanner_.error();
            return HeadRead::Refused;
        case HeadScanner::State::NeedMore: break;
        }
        if (end_ == capacity_ && !makeRoom()) {
            error = HeadError{431, "request head larger than " + std::to_string(kMaxBuffer) + " bytes"};
            return HeadRead::Refused;
        }
        const int n = receive(buffer_.get() + end_, static_cast<int>(capacity_ - end_));
        if (n <= 0)
            return HeadRead::Closed;
        end_ += static_cast<std::size_t>(n);
    }
}

void ServerSession::finishHead()
{
    begin_ += scanner_.end();
    scanner_.reset();
    if (begin_ < end_)
        return;
    begin_ = end_ = 0;
    if (capacity_ > kInitialBuffer) {  // a long head grew it: give the memory back
        buffer_.reset();
        capacity_ = 0;
    }
}

const Poco::Net::SocketAddress& ServerSession::clientAddress()
{
    if (!client_)
        client_ = socket().peerAddress();
    return *client_;
}

const Poco::Net::SocketAddress& ServerSession::serverAddress()
{
    if (!server_)
        server_ = socket().address();
    return *server_;
}

}  // namespace vicary::http
