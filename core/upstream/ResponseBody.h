// The body of one upstream response as a stream buffer that tells a complete body from a broken connection.
#pragma once

#include <cstdint>
#include <streambuf>
#include <string>
#include <vector>

#include "upstream/UpstreamSession.h"

namespace vicary::upstream {

/// Decodes a response body from `session` (fixed length, chunked, or until the peer closes) and counts it.
/// underflow() returns EOF only at the real end of the body; when the connection fails first (timeout, reset, closed
/// before Content-Length bytes or before the last chunk, malformed chunk) it throws UpstreamError (Timeout or
/// Protocol) whose message starts with `context` ("GET https://host/path"). Not thread-safe.
class ResponseBody : public std::streambuf {
public:
    enum class Framing {
        Empty,       ///< HEAD, 1xx, 204, 304: no body
        Length,      ///< Content-Length bytes
        Chunked,     ///< Transfer-Encoding: chunked
        UntilClose,  ///< neither: the body ends when the peer closes (the connection is not reusable)
    };

    ResponseBody(UpstreamSession& session, Framing framing, std::uint64_t length, std::string context,
                 long readTimeoutMs);

    /// True once the body was read to its real end (at once for Empty).
    bool complete() const noexcept { return complete_; }
    /// True once a read failed; the connection is unusable then.
    bool failed() const noexcept { return failed_; }
    /// Body bytes received so far.
    std::uint64_t received() const noexcept { return received_; }
    Framing framing() const noexcept { return framing_; }

    /// Reads and discards the rest of the body, at most `limit` bytes; true when the end was reached cleanly.
    bool drain(std::uint64_t limit) noexcept;

protected:
    int_type underflow() override;
    /// Large reads (istream::read of a whole chunk) go straight into the caller's buffer, without the copy through
    /// the stream's own buffer and in as few receive calls as the data allows.
    std::streamsize xsgetn(char_type* s, std::streamsize count) override;

private:
    std::size_t fill(char* buffer, std::size_t size);
    std::size_t readChunked(char* buffer, std::size_t size);
    std::string readLine();
    int readSome(char* buffer, std::size_t size);
    int readByte();
    [[noreturn]] void fail(const std::string& reason);

    UpstreamSession& session_;
    const Framing framing_;
    const std::uint64_t length_;
    const std::string context_;
    const long readTimeoutMs_;
    std::uint64_t received_ = 0;
    std::uint64_t chunkLeft_ = 0;  ///< bytes left in the current chunk
    bool inChunk_ = false;
    bool complete_ = false;
    bool failed_ = false;
    std::vector<char> buffer_;
};

}  // namespace vicary::upstream
