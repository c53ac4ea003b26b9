// Sending a file's bytes on a client connection without copying them through user space.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
class StreamSocket;
}  // namespace Poco::Net

namespace vicary::http {

/// Sends bytes [offset, end) of the open file `fd` on the request's connection with sendfile(2), after the response
/// head. `available(offset)` returns how many bytes of the file are readable now (blocking until more than `offset`
/// are, for a file still being written; it throws to abort). Call after response.send() and a flush of its stream.
/// Returns false when the client went away or was too slow (the socket's send timeout); the caller then aborts the
/// connection with abortConnection.
bool sendFileRange(Poco::Net::HTTPServerRequest& request, int fd, std::uint64_t offset, std::uint64_t end,
                   const std::function<std::uint64_t(std::uint64_t)>& available);

/// As sendFileRange, and tells in `sent` the offset reached (for a caller that continues from elsewhere when
/// `available` throws).
bool sendFileRange(Poco::Net::HTTPServerRequest& request, int fd, std::uint64_t offset, std::uint64_t end,
                   const std::function<std::uint64_t(std::uint64_t)>& available, std::uint64_t& sent);

/// Sends all `size` bytes at `data` on `socket` (plain or TLS), as many sendBytes calls as it takes. Throws what POCO
/// throws (send timeout, reset); false when the socket took nothing.
bool sendAll(Poco::Net::StreamSocket& socket, const char* data, std::size_t size);

/// Sends `size` bytes from `in` on the request's connection (after the response head). False when the client went
/// away or `in` ended early.
bool sendStream(Poco::Net::HTTPServerRequest& request, std::istream& in, std::uint64_t size);

/// Ends the connection at once, so that a client that got part of a body sees a failed transfer (the declared
/// Content-Length is never reached), and POCO does not keep the connection alive.
void abortConnection(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

}  // namespace vicary::http
