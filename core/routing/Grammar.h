// The OCI distribution-spec grammars for repository names, tags, digests and manifest references.
// Hand-written scanners: each runs in time linear in its input and never backtracks, because the inputs come straight
// from request paths.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vicary::routing {

/// Whether `name` is a distribution-spec repository `<name>`: one or more path components separated by single '/',
/// each matching `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, at most 255 characters in all (the reference docker limit).
/// Empty components, a leading or trailing '/', uppercase, ".." and "___" are rejected. Thread-safe.
bool isValidRepositoryName(std::string_view name) noexcept;

/// Whether `tag` is a distribution-spec tag: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`, so 1 to 128 characters.
/// Thread-safe.
bool isValidTag(std::string_view tag) noexcept;

/// A digest split at its first ':'. `hex` holds the encoded part, which is lowercase hex for the registered
/// algorithms (sha256, sha512) and `[a-zA-Z0-9=_-]+` for any other.
struct Digest {
    std::string algorithm;  ///< e.g. "sha256"
    std::string hex;        ///< the encoded part after ':'

    /// The digest as written on the wire: algorithm ":" hex.
    std::string text() const;
};

/// Whether `text` is a digest per the spec's grammar `algorithm ":" encoded`, with algorithm
/// `[a-z0-9]+([+._-][a-z0-9]+)*` and encoded `[a-zA-Z0-9=_-]+`; for sha256 the encoded part must be exactly 64
/// lowercase hex characters, for sha512 exactly 128. Other algorithms pass if they fit the generic grammar (see
/// isSupportedDigest). Thread-safe.
bool isValidDigest(std::string_view text) noexcept;

/// Parses `text` as isValidDigest does; std::nullopt when it is not a valid digest. Throws only std::bad_alloc.
std::optional<Digest> parseDigest(std::string_view text);

/// Whether Vicary can verify content against `digest`: its algorithm is sha256 with 64 lowercase hex characters or
/// sha512 with 128. Checks the fields itself, so a hand-built Digest is judged as strictly as a parsed one.
bool isSupportedDigest(const Digest& digest) noexcept;

/// What a manifest reference (the `<reference>` in /v2/<name>/manifests/<reference>) names.
enum class ReferenceKind { Tag, Digest };

/// Classifies a manifest reference: one containing ':' is a digest and must be a valid one (isValidDigest), any other
/// is a tag and must be a valid tag (isValidTag). std::nullopt when the reference is invalid. Thread-safe.
std::optional<ReferenceKind> classifyReference(std::string_view reference) noexcept;

}  // namespace vicary::routing
