// One client connection's byte source: POCO's server session, with request heads read into a buffer of its own.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "http/RequestHead.h"

namespace vicary::http {

/// POCO's server session (socket, timeouts, keep-alive flag, writes), reading request heads itself: with recv(2)
/// into one buffer per connection and a parser over it, instead of POCO's one character at a time through an
/// istream (a fifth of the CPU of a small request). Bytes past a head stay buffered for the next request
/// (pipelining). Vicary never reads a request body (see ServerRequest::hasBody). Not thread-safe: one thread
/// serves a connection at a time.
class ServerSession final : public Poco::Net::HTTPServerSession {
public:
    ServerSession(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params);
    ~ServerSession() override;

    /// Bytes received and not yet taken by a request: a pipelined request already here needs no wait.
    std::size_t buffered() const { return end_ - begin_; }

    enum class HeadRead {
        Complete,  ///< `head` holds the next request
        Closed,    ///< the client closed the connection before a whole head arrived
        Refused,   ///< the head is malformed or over the limits; `error` says why
    };

    /// Receives until a whole request head is buffered (HeadScanner) and parses it into `head`, whose views stay
    /// valid until finishHead(). Waits as POCO's reads do (the session's receive timeout, a ConnectionWatch
    /// deadline); network errors and timeouts throw Poco::Exception.
    HeadRead readHead(RequestHead& head, HeadError& error);

    /// Drops the head readHead() returned from the buffer; bytes after it stay for the next request.
    void finishHead();

    /// The client's and this end's addresses, asked of the kernel once per connection.
    const Poco::Net::SocketAddress& clientAddress();
    const Poco::Net::SocketAddress& serverAddress();

private:
    /// Makes room after end_: moves the unconsumed bytes to the front, or doubles the buffer. False when it is
    /// already as large as the largest head HeadScanner lets through.
    bool makeRoom();

    std::unique_ptr<char[]> buffer_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;  ///< first byte not yet taken by a request
    std::size_t end_ = 0;    ///< one past the last byte received
    HeadScanner scanner_;    ///< positions relative to begin_
    std::optional<Poco::Net::SocketAddress> client_;
    std::optional<Poco::Net::SocketAddress> server_;
};

}  // namespace vicary::http
