// Reading a manifest's own JSON document (OCI image manifest or index, Docker schema 2), kept apart from the cache
// rules so that it can be fuzzed and tested alone.
#pragma once

#include <optional>
#include <string>

namespace vicary::cache {

/// The top-level `mediaType` string of the manifest document `body`. std::nullopt when `body` is not JSON, is not a
/// JSON object, has no `mediaType`, or its value is not a string. Nesting deeper than the parser's limit (128) is not
/// JSON here. The caller bounds the body size (manifests are refused over 4 MiB). Throws only std::bad_alloc; safe to
/// call concurrently.
std::optional<std::string> manifestMediaType(const std::string& body);

}  // namespace vicary::cache
