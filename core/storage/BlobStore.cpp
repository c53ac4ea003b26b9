#include "storage/BlobStore.h"

#include <fstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "storage/DigestHasher.h"

namespace vicary::storage {

namespace {

constexpr mode_t kFolderMode = 0755;
const char* const kAlgorithms[] = {"sha256", "sha512"};

[[noreturn]] void throwErrno(int error, const std::string& what)
{
    throw std::system_error(error, std::generic_category(), what);
}

// mkdir(2) that accepts an existing folder. True when this call created it. Throws std::system_error naming the path.
bool makeFolder(const std::string& path)
{
    if (::mkdir(path.c_str(), kFolderMode) == 0) {
        return true;
    }
    const int error = errno;
    struct stat info {};
    if (error == EEXIST && ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
        return false;
    }
    throwErrno(error == EEXIST ? ENOTDIR : error, "blob store: cannot create folder " + path);
}

// makeFolder for `path` and every missing parent.
void makeFolders(const std::string& path)
{
    for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
        const std::string parent = path.substr(0, slash);
        struct stat info {};
        if (::stat(parent.c_str(), &info) != 0) {
            makeFolder(parent);
        }
    }
    makeFolder(path);
}

// fsync(2) on a folder, so that a rename or mkdir in it survives a crash.
void syncFolder(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        throwErrno(errno, "blob store: cannot open folder " + path);
    }
    if (::fsync(fd) != 0) {
        const int error = errno;
        ::close(fd);
        throwErrno(error, "blob store: cannot fsync folder " + path);
    }
    ::close(fd);
}

// Removes every file in `folder`: temp files of downloads that a crash or kill interrupted.
void removeLeftovers(const std::string& folder)
{
    std::error_code ec;
    std::filesystem::directory_iterator it(folder, ec);
    const std::filesystem::directory_iterator end;
    for (; !ec && it != end; it.increment(ec)) {
        std::error_code typeError;
        if (it->is_directory(typeError)) {
            continue;  // not ours to remove
        }
        std::error_code removeError;
        std::filesystem::remove(it->path(), removeError);
        if (removeError) {
            throw std::system_error(removeError, "blob store: cannot remove leftover temp file " + it->path().string());
        }
    }
    if (ec) {
        throw std::system_error(ec, "blob store: cannot list folder " + folder);
    }
}

// Creates and removes a file in `folder`, so that a read-only store fails at start-up rather than on the first pull.
void checkWritable(const std::string& folder)
{
    const std::string pattern = folder + "/.write-check-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    const int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
    if (fd < 0) {
        throwErrno(errno, "blob store: cannot write in folder " + folder);
    }
    ::close(fd);
    ::unlink(buffer.data());
}

std::string withoutTrailingSlashes(std::string path)
{
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path;
}

}  // namespace

BlobStore::BlobStore(const std::string& root) : root_(withoutTrailingSlashes(root))
{
    if (root_.empty()) {
        throw std::runtime_error("blob store: the root folder is empty");
    }
    makeFolders(root_);
    makeFolder(root_ + "/blobs");
    for (const char* algorithm : kAlgorithms) {
        const std::string folder = root_ + "/blobs/" + algorithm;
        makeFolder(folder);
        if (::access(folder.c_str(), W_OK | X_OK) != 0) {
            throwErrno(errno, "blob store: cannot write in folder " + folder);
        }
    }
    const std::string tmp = root_ + "/tmp";
    makeFolder(tmp);
    removeLeftovers(tmp);
    checkWritable(tmp);
}

std::optional<StoredBlob> BlobStore::find(const std::string& algorithm, const std::string& hex) const
{
    if (!DigestHasher::isValidHex(algorithm, hex)) {
        return std::nullopt;  // never build a path from unchecked input
    }
    const std::string path = pathFor(algorithm, hex);
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return std::nullopt;
        }
        throwErrno(errno, "blob store: cannot stat " + path);
    }
    if (!S_ISREG(info.st_mode)) {
        return std::nullopt;
    }
    return StoredBlob{path, static_cast<std::uint64_t>(info.st_size)};
}

TempBlob BlobStore::createTemp(const std::string& algorithm) { return TempBlob::create(root_ + "/tmp", algorithm); }

std::optional<StoredBlob> BlobStore::commitIfDigestMatches(TempBlob&& temp, const std::string& hex,
                                                           const std::function<void()>& onVerified)
{
    TempBlob blob(std::move(temp));  // from here the file is removed on every return and throw before the rename
    if (!blob.state_) {
        throw std::invalid_argument("blob store: commit of a temp blob that was moved from");
    }
    const std::string actual = blob.finishHex();
    if (actual != hex) {
        return std::nullopt;
    }
    if (onVerified) {
        onVerified();
    }
    blob.syncAndClose();

    // The path is built from the computed digest, never from the caller's string.
    const std::string target = pathFor(blob.algorithm(), actual);
    const std::string algorithmFolder = root_ + "/blobs/" + blob.algorithm();
    const std::string fanOutFolder = algorithmFolder + "/" + actual.substr(0, 2);
    if (makeFolder(fanOutFolder)) {
        syncFolder(algorithmFolder);
    }
    // rename(2) replaces a file committed meanwhile by another download of the same digest: same content, one file.
    if (::rename(blob.path().c_str(), target.c_str()) != 0) {
        throwErrno(errno, "blob store: cannot rename " + blob.path() + " to " + target);
    }
    blob.markCommitted();
    syncFolder(fanOutFolder);
    return StoredBlob{target, blob.size()};
}

void BlobStore::forEachStored(const std::function<void(const Entry&)>& visit) const
{
    namespace fs = std::filesystem;
    for (const char* algorithm : {"sha256", "sha512"}) {
        const fs::path top = fs::path(root_) / "blobs" / algorithm;
        std::error_code ec;
        if (!fs::is_directory(top, ec))
            continue;
        for (const auto& fanOut : fs::directory_iterator(top)) {
            if (!fanOut.is_directory())
                continue;
            for (const auto& file : fs::directory_iterator(fanOut.path())) {
                const std::string hex = file.path().filename().string();
                std::error_code sizeError;
                const auto size = file.is_regular_file() ? fs::file_size(file.path(), sizeError) : 0;
                if (!file.is_regular_file() || sizeError || !DigestHasher::isValidHex(algorithm, hex) ||
                    hex.compare(0, 2, fanOut.path().filename().string()) != 0) {
                    fs::remove_all(file.path(), ec);
                    continue;
                }
                visit(Entry{algorithm, hex, file.path().string(), static_cast<std::uint64_t>(size)});
            }
        }
    }
}

bool BlobStore::remove(const std::string& algorithm, const std::string& hex)
{
    if (!DigestHasher::isValidHex(algorithm, hex))
        return false;
    const std::string path = pathFor(algorithm, hex);
    if (::unlink(path.c_str()) == 0)
        return true;
    if (errno == ENOENT)
        return false;
    throw std::system_error(errno, std::generic_category(), "cannot remove " + path);
}

bool BlobStore::verify(const std::string& algorithm, const std::string& hex) const
{
    if (!DigestHasher::isValidHex(algorithm, hex))
        return false;
    std::ifstream in(pathFor(algorithm, hex), std::ios::binary);
    if (!in)
        return false;
    DigestHasher hasher(algorithm);
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        hasher.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    return hasher.finishHex() == hex;
}

std::string BlobStore::pathFor(const std::string& algorithm, const std::string& hex) const
{
    return root_ + "/blobs/" + algorithm + "/" + hex.substr(0, 2) + "/" + hex;
}

}  // namespace vicary::storage
