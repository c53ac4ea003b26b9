#include "ctl/StoredFiles.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>
#include <vector>

#include "routing/Grammar.h"
#include "storage/DigestHasher.h"

namespace vicary::ctl {

namespace {

namespace fs = std::filesystem;

const char* const kAlgorithms[] = {"sha256", "sha512"};

}  // namespace

StoredFiles::StoredFiles(std::string cacheDirectory) : root_(std::move(cacheDirectory)) {}

std::optional<std::string> StoredFiles::pathFor(const std::string& digest) const
{
    const auto parsed = routing::parseDigest(digest);
    if (!parsed || !storage::DigestHasher::isValidHex(parsed->algorithm, parsed->hex)) {
        return std::nullopt;  // never build a path from unchecked input
    }
    return root_ + "/blobs/" + parsed->algorithm + "/" + parsed->hex.substr(0, 2) + "/" + parsed->hex;
}

std::optional<std::uint64_t> StoredFiles::sizeOf(const std::string& digest) const
{
    const auto path = pathFor(digest);
    if (!path) {
        return std::nullopt;
    }
    struct stat info {};
    if (::stat(path->c_str(), &info) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            return std::nullopt;
        }
        throw std::system_error(errno, std::generic_category(), "cannot stat " + *path);
    }
    if (!S_ISREG(info.st_mode)) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(info.st_size);
}

bool StoredFiles::remove(const std::string& digest) const
{
    const auto path = pathFor(digest);
    if (!path) {
        return false;
    }
    if (::unlink(path->c_str()) == 0) {
        return true;
    }
    if (errno == ENOENT || errno == ENOTDIR) {
        return false;
    }
    throw std::system_error(errno, std::generic_category(), "cannot remove " + *path);
}

bool StoredFiles::verify(const std::string& digest) const
{
    const auto path = pathFor(digest);
    if (!path) {
        return false;
    }
    std::ifstream in(*path, std::ios::binary);
    if (!in) {
        return false;
    }
    const auto parsed = routing::parseDigest(digest);
    storage::DigestHasher hasher(parsed->algorithm);
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        hasher.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) {
        throw std::system_error(EIO, std::generic_category(), "cannot read " + *path);
    }
    return hasher.finishHex() == parsed->hex;
}

void StoredFiles::forEach(const std::function<void(const File&)>& visit) const
{
    for (const char* algorithm : kAlgorithms) {
        const fs::path top = fs::path(root_) / "blobs" / algorithm;
        std::error_code ec;
        if (!fs::is_directory(top, ec)) {
            continue;
        }
        for (fs::directory_iterator fanOut(top, ec), end; !ec && fanOut != end; fanOut.increment(ec)) {
            std::error_code typeError;
            if (!fanOut->is_directory(typeError)) {
                visit(File{"", fanOut->path().string(), 0});
                continue;
            }
            const std::string prefix = fanOut->path().filename().string();
            std::error_code listError;
            for (fs::directory_iterator file(fanOut->path(), listError); !listError && file != end;
                 file.increment(listError)) {
                const std::string hex = file->path().filename().string();
                std::error_code sizeError;
                const bool regular = file->is_regular_file(typeError);
                const std::uint64_t size = regular ? fs::file_size(file->path(), sizeError) : 0;
                if (typeError == std::errc::no_such_file_or_directory ||
                    sizeError == std::errc::no_such_file_or_directory) {
                    continue;  // removed meanwhile (eviction by a running server)
                }
                const bool named = regular && !sizeError && storage::DigestHasher::isValidHex(algorithm, hex) &&
                                   hex.compare(0, 2, prefix) == 0;
                visit(File{named ? std::string(algorithm) + ":" + hex : "", file->path().string(), size});
            }
            if (listError) {
                throw std::system_error(listError, "cannot list folder " + fanOut->path().string());
            }
        }
        if (ec) {
            throw std::system_error(ec, "cannot list folder " + top.string());
        }
    }
}

}  // namespace vicary::ctl
