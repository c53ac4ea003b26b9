// Tags and manifest media types, kept on disk beside the blob store so that they survive restarts.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "cache/TagRecord.h"

namespace vicary::cache {

/// Tag records by (registry, repository, tag, Accept) and manifest media types by digest, as small JSON and text
/// files under <root>/tags/ and <root>/manifest-types/, written atomically (temp file + rename), with an in-memory
/// copy. Thread-safe. (The SQLite index will take this job over.)
class TagStore {
public:
    /// Uses <root>/tags and <root>/manifest-types, creating them. Throws std::runtime_error naming the path.
    explicit TagStore(const std::string& root);

    std::optional<TagRecord> find(const std::string& key);
    /// Stores `record` for `key`; a write failure is logged and the record kept in memory only.
    void put(const std::string& key, const TagRecord& record);
    void erase(const std::string& key);

    /// The media type stored for a manifest digest, if any.
    std::optional<std::string> mediaType(const std::string& digest);
    void setMediaType(const std::string& digest, const std::string& mediaType);

    /// The key of a tag: registry, repository, tag and the client's normalised Accept list.
    static std::string keyOf(const std::string& registry, const std::string& repository, const std::string& tag,
                             const std::string& accept);

private:
    std::string tagPath(const std::string& key) const;
    std::string typePath(const std::string& digest) const;

    std::string root_;
    std::mutex mutex_;
    std::map<std::string, TagRecord> tags_;
    std::map<std::string, std::string> types_;
};

}  // namespace vicary::cache
