// The Range header (http/ByteRange.h) against a representation size. Input: the size in decimal digits (other bytes
// skipped; wrapping modulo 2^64, so sizes near the top are reachable), '\n', then the header value; with no '\n' the
// whole input is the header and the size is 1000. Each answer is compared with a separate, plainer reading of
// RFC 9110 section 14.1.2.
#include <cstdint>
#include <optional>
#include <string>

#include "FuzzTarget.h"
#include "http/ByteRange.h"

namespace {

using vicary::http::ByteRange;
using vicary::http::RangeRequest;

/// A decimal number of 1 to 19 digits (the parser's bound: always below 2^64), else nothing.
std::optional<std::uint64_t> decimal(const std::string& text)
{
    if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return std::stoull(text);
}

/// What RFC 9110 says to do with `header` for `size` bytes: one `bytes=first-[last]` or `bytes=-suffix` range, any
/// other value ignored (Whole).
RangeRequest expected(const std::string& header, std::uint64_t size, ByteRange& range)
{
    const std::string prefix = "bytes=";
    if (header.compare(0, prefix.size(), prefix) != 0)
        return RangeRequest::Whole;
    const std::string spec = header.substr(prefix.size());
    const std::size_t dash = spec.find('-');
    if (dash == std::string::npos)
        return RangeRequest::Whole;
    const std::string firstText = spec.substr(0, dash);
    const std::optional<std::uint64_t> last = decimal(spec.substr(dash + 1));
    if (firstText.empty()) {
        if (!last)
            return RangeRequest::Whole;
        if (*last == 0 || size == 0)
            return RangeRequest::Unsatisfiable;  // a zero suffix, or nothing to take a suffix of
        range = {*last >= size ? 0 : size - *last, size - 1};
        return RangeRequest::Partial;
    }
    const std::optional<std::uint64_t> first = decimal(firstText);
    if (!first || (!last && dash + 1 != spec.size()) || (last && *last < *first))
        return RangeRequest::Whole;  // malformed, or last before first: invalid, so ignored
    if (*first >= size)
        return RangeRequest::Unsatisfiable;
    range = {*first, last && *last < size ? *last : size - 1};
    return RangeRequest::Partial;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string input(vicary::fuzz::textOf(data, size));
    const std::size_t newline = input.find('\n');
    std::uint64_t length = 1000;
    std::string header = input;
    if (newline != std::string::npos) {
        length = 0;
        for (std::size_t i = 0; i < newline; ++i)
            if (input[i] >= '0' && input[i] <= '9')
                length = length * 10 + static_cast<std::uint64_t>(input[i] - '0');  // wraps; other bytes skipped
        header = input.substr(newline + 1);
    }

    const ByteRange untouched{7, 3};
    ByteRange range = untouched;
    const RangeRequest answer = vicary::http::parseRange(header, length, range);
    if (answer == RangeRequest::Partial) {
        VICARY_FUZZ_CHECK(range.first <= range.last && range.last < length);
        VICARY_FUZZ_CHECK(range.length() >= 1 && range.length() <= length);
        VICARY_FUZZ_CHECK(range.contentRange(length) == "bytes " + std::to_string(range.first) + "-" +
                                                             std::to_string(range.last) + "/" +
                                                             std::to_string(length));
    } else {
        VICARY_FUZZ_CHECK(range.first == untouched.first && range.last == untouched.last);
    }

    ByteRange model = untouched;
    const RangeRequest modelAnswer =
        header.find(',') != std::string::npos ? RangeRequest::Whole : expected(header, length, model);
    VICARY_FUZZ_CHECK(answer == modelAnswer);
    if (answer == RangeRequest::Partial)
        VICARY_FUZZ_CHECK(range.first == model.first && range.last == model.last);
    return 0;
}
