// The Range request header, for blobs: one byte range or none.
#pragma once

#include <cstdint>
#include <string>

namespace vicary::http {

/// An inclusive byte range [first, last] of a representation.
struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::uint64_t length() const noexcept { return last - first + 1; }
    /// "bytes first-last/size", for Content-Range.
    std::string contentRange(std::uint64_t size) const;
};

enum class RangeRequest {
    Whole,          ///< no Range header, or one the server ignores (not "bytes=", several ranges, malformed): send 200
    Partial,        ///< one satisfiable range: send 206 with Content-Range
    Unsatisfiable,  ///< the range starts at or past the end: send 416 with "Content-Range: bytes */size"
};

/// Interprets a Range header value against a representation of `size` bytes (RFC 9110 14.2): "bytes=a-b",
/// "bytes=a-" and "bytes=-n" (the last n bytes); `last` is clipped to size-1. Sets `range` for Partial.
RangeRequest parseRange(const std::string& header, std::uint64_t size, ByteRange& range) noexcept;

}  // namespace vicary::http
