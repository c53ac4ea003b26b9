// The distribution-spec grammars (routing/Grammar.h) on any text: no crash, no hang, and the functions agree with
// each other and with the rules their contracts state.
#include <optional>
#include <string_view>

#include "FuzzTarget.h"
#include "routing/Grammar.h"

namespace {

using namespace vicary::routing;

bool hasUppercase(std::string_view text)
{
    for (const char c : text)
        if (c >= 'A' && c <= 'Z')
            return true;
    return false;
}

void checkName(std::string_view input)
{
    if (!isValidRepositoryName(input))
        return;
    VICARY_FUZZ_CHECK(!input.empty() && input.size() <= 255);
    VICARY_FUZZ_CHECK(input.front() != '/' && input.back() != '/' && input.find("//") == std::string_view::npos);
    VICARY_FUZZ_CHECK(!hasUppercase(input) && input.find(':') == std::string_view::npos);
    // Components are checked alone, so both sides of any '/' are names too.
    for (std::size_t slash = input.find('/'); slash != std::string_view::npos; slash = input.find('/', slash + 1)) {
        VICARY_FUZZ_CHECK(isValidRepositoryName(input.substr(0, slash)));
        VICARY_FUZZ_CHECK(isValidRepositoryName(input.substr(slash + 1)));
    }
    // A one-component name is `[a-z0-9]` followed by `[a-z0-9._-]`: a tag when it is short enough.
    if (input.find('/') == std::string_view::npos && input.size() <= 128)
        VICARY_FUZZ_CHECK(isValidTag(input));
}

void checkTag(std::string_view input)
{
    if (!isValidTag(input))
        return;
    VICARY_FUZZ_CHECK(!input.empty() && input.size() <= 128);
    VICARY_FUZZ_CHECK(input.find(':') == std::string_view::npos && input.find('/') == std::string_view::npos);
    VICARY_FUZZ_CHECK(input.front() != '.' && input.front() != '-');
}

void checkDigest(std::string_view input)
{
    const bool valid = isValidDigest(input);
    const std::optional<Digest> digest = parseDigest(input);
    VICARY_FUZZ_CHECK(digest.has_value() == valid);
    if (!digest)
        return;
    VICARY_FUZZ_CHECK(digest->text() == input);
    VICARY_FUZZ_CHECK(!digest->algorithm.empty() && !digest->hex.empty());
    VICARY_FUZZ_CHECK(digest->algorithm.find(':') == std::string::npos && digest->hex.find(':') == std::string::npos);
    VICARY_FUZZ_CHECK(!isValidRepositoryName(input) && !isValidTag(input));
    const bool registered = digest->algorithm == "sha256" || digest->algorithm == "sha512";
    VICARY_FUZZ_CHECK(isSupportedDigest(*digest) == registered);
    if (digest->algorithm == "sha256")
        VICARY_FUZZ_CHECK(digest->hex.size() == 64 && !hasUppercase(digest->hex));
    if (digest->algorithm == "sha512")
        VICARY_FUZZ_CHECK(digest->hex.size() == 128 && !hasUppercase(digest->hex));
}

void checkReference(std::string_view input)
{
    const std::optional<ReferenceKind> kind = classifyReference(input);
    if (input.find(':') != std::string_view::npos)
        VICARY_FUZZ_CHECK(kind == (isValidDigest(input) ? std::optional<ReferenceKind>(ReferenceKind::Digest)
                                                        : std::nullopt));
    else
        VICARY_FUZZ_CHECK(kind == (isValidTag(input) ? std::optional<ReferenceKind>(ReferenceKind::Tag)
                                                     : std::nullopt));
}

/// isSupportedDigest on a hand-built Digest: the input split at its first ':', checked without the grammar.
void checkHandBuiltDigest(std::string_view input)
{
    const std::size_t colon = input.find(':');
    const Digest digest{std::string(input.substr(0, colon)),
                        colon == std::string_view::npos ? std::string() : std::string(input.substr(colon + 1))};
    if (isSupportedDigest(digest))
        VICARY_FUZZ_CHECK(colon != std::string_view::npos && isValidDigest(input));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input = vicary::fuzz::textOf(data, size);
    checkName(input);
    checkTag(input);
    checkDigest(input);
    checkReference(input);
    checkHandBuiltDigest(input);
    return 0;
}
