#include "http/ByteRange.h"

#include <limits>

namespace vicary::http {
namespace {

/// Parses all of [begin, end) as a decimal number; false when empty, not digits, or too large.
bool parseNumber(const std::string& text, std::size_t begin, std::size_t end, std::uint64_t& value) noexcept
{
    if (begin >= end || end - begin > 19)
        return false;
    value = 0;
    for (std::size_t i = begin; i < end; ++i) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
    }
    return true;
}

}  // namespace

std::string ByteRange::contentRange(std::uint64_t size) const
{
    return "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size);
}

RangeRequest parseRange(const std::string& header, std::uint64_t size, ByteRange& range) noexcept
{
    static const std::string prefix = "bytes=";
    if (header.compare(0, prefix.size(), prefix) != 0 || header.find(',') != std::string::npos)
        return RangeRequest::Whole;
    const std::size_t dash = header.find('-', prefix.size());
    if (dash == std::string::npos)
        return RangeRequest::Whole;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    const bool hasFirst = parseNumber(header, prefix.size(), dash, first);
    const bool hasLast = parseNumber(header, dash + 1, header.size(), last);
    if (!hasFirst) {
        // "bytes=-n": the last n bytes; "bytes=-0" is unsatisfiable, junk before the dash is malformed (ignored).
        if (dash != prefix.size() || !hasLast || last == 0)
            return dash == prefix.size() && hasLast && last == 0 ? RangeRequest::Unsatisfiable : RangeRequest::Whole;
        if (size == 0)
            return RangeRequest::Unsatisfiable;
        range = {last >= size ? 0 : size - last, size - 1};
        return RangeRequest::Partial;
    }
    if (dash + 1 != header.size() && !hasLast)
        return RangeRequest::Whole;
    if (hasLast && last < first)
        return RangeRequest::Whole;  // invalid: ignored, as RFC 9110 says
    if (first >= size)
        return RangeRequest::Unsatisfiable;
    range = {first, hasLast && last < size ? last : size - 1};
    return RangeRequest::Partial;
}

}  // namespace vicary::http
