// The content-addressed store: verified blobs and manifests on disk, named by their digest.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "storage/TempBlob.h"

namespace vicary::storage {

/// A committed object: a file whose content has the digest it is named by. The file never changes once committed.
struct StoredBlob {
    std::string path;
    std::uint64_t size = 0;
};

/// Files under a root folder: blobs/<algorithm>/<first two hex>/<hex> for committed objects, tmp/ for downloads in
/// progress. Supported algorithms: sha256 and sha512. All methods are thread-safe.
class BlobStore {
public:
    /// Opens the store under `root`, creating its folders, and removes temp files left by an earlier run. Throws
    /// std::runtime_error naming the path when a folder cannot be created or written.
    explicit BlobStore(const std::string& root);

    /// The committed object with this digest, if there is one: one stat(), no reading.
    std::optional<StoredBlob> find(const std::string& algorithm, const std::string& hex) const;

    /// A new, empty temp file that hashes what is written with `algorithm` as it goes. Throws std::system_error
    /// naming the path when it cannot be created, std::invalid_argument for an unsupported algorithm.
    TempBlob createTemp(const std::string& algorithm);

    /// When the digest of everything written to `temp` equals algorithm:hex (the algorithm it was created with),
    /// flushes it to disk and renames it atomically to its place, and returns the stored object. Otherwise removes the
    /// temp file and returns nullopt: nothing unverified is ever found by find(). Committing a digest that is already
    /// stored (two downloads raced) keeps one file with that content. Throws std::system_error on I/O failure, after
    /// removing the temp file. `onVerified`, when given, is called once the digest matched, before the flush (which
    /// for a large blob takes a while), so that readers need not wait for the disk.
    std::optional<StoredBlob> commitIfDigestMatches(TempBlob&& temp, const std::string& hex,
                                                    const std::function<void()>& onVerified = nullptr);

    /// One committed file as found on disk by forEachStored.
    struct Entry {
        std::string algorithm;
        std::string hex;
        std::string path;
        std::uint64_t size = 0;
    };
    /// Calls `visit` for every file under blobs/ whose name is a well-formed digest of its folder's algorithm; files
    /// with other names are removed (they cannot be anything the store made). For reconciliation at start-up.
    void forEachStored(const std::function<void(const Entry&)>& visit) const;

    /// Removes the committed object; false when it was not there. Throws std::system_error on another failure.
    bool remove(const std::string& algorithm, const std::string& hex);

    /// Re-hashes the stored file and tells whether its content still has its name's digest (vicaryctl verify,
    /// adoption of files the index does not know). False for a missing file.
    bool verify(const std::string& algorithm, const std::string& hex) const;

    const std::string& root() const noexcept { return root_; }

private:
    std::string pathFor(const std::string& algorithm, const std::string& hex) const;

    std::string root_;
};

}  // namespace vicary::storage
