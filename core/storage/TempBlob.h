// A file being written for one download, hashed as it is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vicary::storage {

/// A temp file under the store's tmp/ folder. Move-only; destroying it removes the file unless it was committed.
/// One writer; other threads may read the file by path (the bytes up to size() are on disk once write() returned).
class TempBlob {
public:
    TempBlob(TempBlob&&) noexcept;
    TempBlob& operator=(TempBlob&&) noexcept;
    ~TempBlob();

    /// Appends `size` bytes and feeds them to the hash. Throws std::system_error naming the path (ENOSPC, EIO, ...).
    void write(const char* data, std::size_t size);
    /// A buffer of `size` bytes to receive the next bytes into and give to write(std::vector<char>&&, ...): then
    /// the hash takes them without a copy (the hasher's own buffers; may wait for one). Hold at most one at a time.
    std::vector<char> buffer(std::size_t size);
    /// Appends bytes [offset, offset + length) of `buffer` (from buffer()) and feeds them to the hash; takes the
    /// buffer, also when it throws as write() does.
    void write(std::vector<char>&& buffer, std::size_t offset, std::size_t length);
    /// Bytes written so far.
    std::uint64_t size() const noexcept;
    const std::string& path() const noexcept;
    const std::string& algorithm() const noexcept;

private:
    friend class BlobStore;
    struct State;
    explicit TempBlob(std::unique_ptr<State> state);

    /// A new empty file `<directory>/<random>.partial` (mkstemp), hashed with `algorithm`. Throws
    /// std::invalid_argument for an unsupported algorithm, std::system_error naming the path.
    static TempBlob create(const std::string& directory, const std::string& algorithm);
    /// The lowercase hex digest of everything written; call once, before commit.
    std::string finishHex();
    /// fsync(2) and close the file. Throws std::system_error naming the path.
    void syncAndClose();
    /// The file has been renamed away: the destructor no longer removes it.
    void markCommitted() noexcept;

    std::unique_ptr<State> state_;
};

}  // namespace vicary::storage
