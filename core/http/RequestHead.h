// An HTTP/1.1 request head (request line and header fields) found in and parsed from a byte buffer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vicary::http {

/// What reading a head accepts at most, regardless of configuration (the [server] limits are checked later, on the
/// parsed head, and are at most these). A head over any of them is refused without being read to its end.
struct HeadLimits {
    static constexpr std::size_t kMethod = 32;
    static constexpr std::size_t kTarget = 16384;  ///< the largest [server] max_uri_length
    static constexpr std::size_t kFields = 100;    ///< the largest [server] max_headers
    static constexpr std::size_t kName = 256;
    static constexpr std::size_t kValue = 8192;
    static constexpr std::size_t kLeadingEmpty = 1024;  ///< bytes of empty lines before a request line
};

/// Why a head is refused: the status it gets and a message for the client and the log.
struct HeadError {
    int status = 0;  ///< 0: no error; else 400, 414 or 431
    std::string message;
};

/// Finds where a request head ends in a buffer that grows between calls, looking at each byte once (a client that
/// sends a byte at a time costs no more than one that sends the head at once). Empty lines before the request line
/// are skipped (RFC 9112 2.2). Refuses a line or a number of lines over HeadLimits as soon as it is seen, and a
/// request line as soon as a byte cannot belong to one: a TLS ClientHello sent to the plain HTTP port gets its 400 at
/// once, so a client probing for HTTPS (skopeo, Go's registry client) falls back to HTTP without waiting out a timeout.
/// Not thread-safe; one per connection.
class HeadScanner {
public:
    enum class State { NeedMore, Complete, Refused };

    /// Scans `size` bytes at `data`, of which the first bytes already scanned must be unchanged since the last call.
    State scan(const char* data, std::size_t size);

    /// Where the request line starts and one past the head's blank line ends (State::Complete only).
    std::size_t begin() const { return begin_; }
    std::size_t end() const { return end_; }
    /// Why the head was refused (State::Refused only).
    const HeadError& error() const { return error_; }

    /// Forgets the head, for the next one; positions count from the start of the buffer then passed to scan().
    void reset() { *this = HeadScanner(); }

private:
    State refuse(int status, std::string message);
    /// Checks the request line's bytes from pos_ up to `until` (its LF, or the end of the bytes so far).
    bool requestLineBytesFit(const char* data, std::size_t until);

    std::size_t pos_ = 0;        ///< next byte to look at
    std::size_t lineStart_ = 0;  ///< first byte of the line being read
    std::size_t lines_ = 0;      ///< complete lines of the head so far (request line included)
    bool started_ = false;       ///< the request line has begun (leading empty lines are behind)
    int part_ = 0;               ///< of the request line: 0 method, 1 target, 2 version
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    HeadError error_;
};

/// A parsed head. The views point into the buffer it was parsed from.
struct RequestHead {
    std::string_view method;
    std::string_view target;
    std::string_view version;  ///< "HTTP/1.1", "HTTP/1.0", ...
    struct Field {
        std::string_view name;
        std::string_view value;  ///< without leading and trailing spaces or tabs
    };
    std::vector<Field> fields;
};

/// Parses the head `text` (from the request line to the blank line that ends it, as HeadScanner delimits it) into
/// `head`. Lines end in CRLF or a bare LF. Strict where leniency has been abused, RFC 9112: a method is a token, a
/// target has no spaces or control characters, the version is HTTP/<digit>.<digit>, a field name is a token directly
/// followed by ':', a value has no control characters but tab, obsolete line folding is refused, a CR appears only
/// before an LF. Returns no error, or 400 (malformed), 414 (target over HeadLimits::kTarget) or 431 (a field over the
/// limits) with a message naming what is wrong.
HeadError parseRequestHead(std::string_view text, RequestHead& head);

}  // namespace vicary::http
