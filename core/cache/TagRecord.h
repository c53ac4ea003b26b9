// What the cache remembers about one tag: the manifest it pointed at, and when that was last checked upstream.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vicary::cache {

struct TagRecord {
    std::string digest;     ///< manifest digest, "sha256:..."
    std::string mediaType;  ///< the manifest's Content-Type
    std::uint64_t size = 0;
    std::chrono::system_clock::time_point checkedAt;  ///< last fetched or revalidated upstream
};

}  // namespace vicary::cache
