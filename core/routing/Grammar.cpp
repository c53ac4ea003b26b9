#include "routing/Grammar.h"

#include <cstddef>

namespace vicary::routing {

namespace {

constexpr std::size_t kMaxRepositoryNameLength = 255;  // distribution/reference NameTotalLengthMax
constexpr std::size_t kMaxTagLength = 128;
constexpr std::size_t kSha256HexLength = 64;
constexpr std::size_t kSha512HexLength = 128;

// Character tests by value, never through <cctype>: those depend on the locale and take negative chars badly.
constexpr bool isLowerAlnum(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
constexpr bool isAlnum(char c) noexcept { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
constexpr bool isLowerHex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// One name component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`. A single left-to-right pass: after an alphanumeric run
// comes either the end or one separator, and a separator must be followed by an alphanumeric.
bool isValidNameComponent(std::string_view component) noexcept
{
    std::size_t i = 0;
    const std::size_t n = component.size();
    while (true) {
        if (i == n || !isLowerAlnum(component[i])) {
            return false;  // empty component, or a separator not followed by [a-z0-9]
        }
        while (i < n && isLowerAlnum(component[i])) {
            ++i;
        }
        if (i == n) {
            return true;
        }
        const char separator = component[i];
        std::size_t run = 0;
        while (i < n && component[i] == separator) {
            ++i;
            ++run;
        }
        const bool allowed = (separator == '.' && run == 1) || (separator == '_' && run <= 2) || separator == '-';
        if (!allowed) {
            return false;
        }
    }
}

// algorithm `[a-z0-9]+([+._-][a-z0-9]+)*`: single separators between non-empty alphanumeric runs.
bool isValidAlgorithm(std::string_view algorithm) noexcept
{
    if (algorithm.empty()) {
        return false;
    }
    bool afterSeparator = true;  // the first character must be [a-z0-9]
    for (const char c : algorithm) {
        if (isLowerAlnum(c)) {
            afterSeparator = false;
        } else if ((c == '+' || c == '.' || c == '_' || c == '-') && !afterSeparator) {
            afterSeparator = true;
        } else {
            return false;
        }
    }
    return !afterSeparator;
}

// encoded `[a-zA-Z0-9=_-]+`.
bool isValidEncoded(std::string_view encoded) noexcept
{
    if (encoded.empty()) {
        return false;
    }
    for (const char c : encoded) {
        if (!(isAlnum(c) || c == '=' || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

bool isLowerHexOfLength(std::string_view text, std::size_t length) noexcept
{
    if (text.size() != length) {
        return false;
    }
    for (const char c : text) {
        if (!isLowerHex(c)) {
            return false;
        }
    }
    return true;
}

// The extra rule for a registered algorithm; unregistered ones only need the generic grammar.
bool fitsRegisteredAlgorithm(std::string_view algorithm, std::string_view encoded) noexcept
{
    if (algorithm == "sha256") {
        return isLowerHexOfLength(encoded, kSha256HexLength);
    }
    if (algorithm == "sha512") {
        return isLowerHexOfLength(encoded, kSha512HexLength);
    }
    return true;
}

// Splits `text` at its first ':' and checks it; on success sets `algorithm` and `encoded` as views into `text`.
bool splitValidDigest(std::string_view text, std::string_view& algorithm, std::string_view& encoded) noexcept
{
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    const std::string_view a = text.substr(0, colon);
    const std::string_view e = text.substr(colon + 1);  // a second ':' lands here and fails isValidEncoded
    if (!isValidAlgorithm(a) || !isValidEncoded(e) || !fitsRegisteredAlgorithm(a, e)) {
        return false;
    }
    algorithm = a;
    encoded = e;
    return true;
}

}  // namespace

bool isValidRepositoryName(std::string_view name) noexcept
{
    if (name.empty() || name.size() > kMaxRepositoryNameLength) {
        return false;
    }
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = name.find('/', start);
        const std::string_view component =
            name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (!isValidNameComponent(component)) {
            return false;
        }
        if (slash == std::string_view::npos) {
            return true;
        }
        start = slash + 1;  // a trailing '/' leaves an empty component, which fails above
    }
}

bool isValidTag(std::string_view tag) noexcept
{
    if (tag.empty() || tag.size() > kMaxTagLength) {
        return false;
    }
    if (!(isAlnum(tag[0]) || tag[0] == '_')) {
        return false;
    }
    for (std::size_t i = 1; i < tag.size(); ++i) {
        const char c = tag[i];
        if (!(isAlnum(c) || c == '.' || c == '_' || c == '-')) {
            return false;
        }
    }
    return true;
}

std::string Digest::text() const
{
    std::string out;
    out.reserve(algorithm.size() + 1 + hex.size());
    out.append(algorithm).append(1, ':').append(hex);
    return out;
}

bool isValidDigest(std::string_view text) noexcept
{
    std::string_view algorithm;
    std::string_view encoded;
    return splitValidDigest(text, algorithm, encoded);
}

std::optional<Digest> parseDigest(std::string_view text)
{
    std::string_view algorithm;
    std::string_view encoded;
    if (!splitValidDigest(text, algorithm, encoded)) {
        return std::nullopt;
    }
    return Digest{std::string(algorithm), std::string(encoded)};
}

bool isSupportedDigest(const Digest& digest) noexcept
{
    if (digest.algorithm == "sha256") {
        return isLowerHexOfLength(digest.hex, kSha256HexLength);
    }
    if (digest.algorithm == "sha512") {
        return isLowerHexOfLength(digest.hex, kSha512HexLength);
    }
    return false;
}

std::optional<ReferenceKind> classifyReference(std::string_view reference) noexcept
{
    if (reference.find(':') != std::string_view::npos) {
        return isValidDigest(reference) ? std::optional<ReferenceKind>(ReferenceKind::Digest) : std::nullopt;
    }
    return isValidTag(reference) ? std::optional<ReferenceKind>(ReferenceKind::Tag) : std::nullopt;
}

}  // namespace vicary::routing
