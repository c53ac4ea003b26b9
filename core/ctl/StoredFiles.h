// The committed files of a cache directory as seen from outside the server: read, re-hashed, removed one by one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace vicary::ctl {

/// blobs/<algorithm>/<first two hex>/<hex> under a cache directory, the layout storage::BlobStore writes. Unlike
/// BlobStore it creates nothing and never touches tmp/ (where a running server keeps its downloads), so it is safe on
/// a live cache. Thread-compatible.
class StoredFiles {
public:
    explicit StoredFiles(std::string cacheDirectory);

    /// The path of the file for `digest` ("sha256:<hex>"), or nullopt for a digest Vicary cannot store.
    std::optional<std::string> pathFor(const std::string& digest) const;

    /// The size of the stored file, or nullopt when there is none. Throws std::system_error for a stat() failure
    /// other than a missing file.
    std::optional<std::uint64_t> sizeOf(const std::string& digest) const;

    /// Removes the stored file; false when it was not there. Throws std::system_error naming the path otherwise.
    bool remove(const std::string& digest) const;

    /// Re-hashes the stored file: true when its content has the digest it is named by, false when not or missing.
    /// Throws std::system_error naming the path on a read error.
    bool verify(const std::string& digest) const;

    /// One file found under blobs/.
    struct File {
        std::string digest;  ///< empty for a file whose name or place is no digest's
        std::string path;
        std::uint64_t size = 0;
    };
    /// Calls `visit` for every regular file under blobs/<algorithm>/<xx>/, and for anything else found there (with
    /// an empty digest). Removes nothing. Throws std::system_error naming the folder when one cannot be listed.
    void forEach(const std::function<void(const File&)>& visit) const;

private:
    std::string root_;
};

}  // namespace vicary::ctl
