// A manifest's own mediaType (cache/ManifestJson.h) from any body, JSON or not: no crash, no exception other than
// std::bad_alloc (libFuzzer reports an escaping one as a crash), the same answer twice, and a found type survives
// being wrapped in a minimal manifest again.
#include <optional>
#include <string>

#include "FuzzTarget.h"
#include "cache/ManifestJson.h"

namespace {

/// `text` as a JSON string literal, or nothing when it holds a byte this plain escaper does not handle.
std::optional<std::string> jsonString(const std::string& text)
{
    std::string quoted = "\"";
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte >= 0x7F)
            return std::nullopt;  // control characters and non-ASCII: their escaping is the parser's business
        if (c == '"' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    return quoted + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string body(vicary::fuzz::textOf(data, size));
    const std::optional<std::string> type = vicary::cache::manifestMediaType(body);
    VICARY_FUZZ_CHECK(vicary::cache::manifestMediaType(body) == type);
    if (type) {
        if (const auto literal = jsonString(*type)) {
            const std::string wrapped = "{\"schemaVersion\":2,\"mediaType\":" + *literal + ",\"layers\":[]}";
            VICARY_FUZZ_CHECK(vicary::cache::manifestMediaType(wrapped) == type);
        }
    }
    return 0;
}
