#include "storage/TempBlob.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "storage/PipelinedHasher.h"

namespace vicary::storage {

namespace {

constexpr char kSuffix[] = ".partial";
constexpr int kSuffixLength = sizeof(kSuffix) - 1;

[[noreturn]] void throwErrno(int error, const std::string& what)
{
    throw std::system_error(error, std::generic_category(), what);
}

}  // namespace

struct TempBlob::State {
    State(std::string filePath, int descriptor, const std::string& algorithm)
        : path(std::move(filePath)), fd(descriptor), hasher(algorithm)
    {
    }
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    ~State()
    {
        if (fd >= 0) {
            ::close(fd);
        }
        if (!committed) {
            ::unlink(path.c_str());
        }
    }

    std::string path;
    int fd = -1;
    PipelinedHasher hasher;
    std::uint64_t size = 0;
    bool committed = false;
};

TempBlob::TempBlob(std::unique_ptr<State> state) : state_(std::move(state)) {}
TempBlob::TempBlob(TempBlob&&) noexcept = default;
TempBlob& TempBlob::operator=(TempBlob&&) noexcept = default;
TempBlob::~TempBlob() = default;

TempBlob TempBlob::create(const std::string& directory, const std::string& algorithm)
{
    DigestHasher::requireSupported(algorithm);  // before any file exists
    const std::string pattern = directory + "/XXXXXX" + kSuffix;
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    const int fd = ::mkostemps(buffer.data(), kSuffixLength, O_CLOEXEC);
    if (fd < 0) {
        throwErrno(errno, "cannot create temp file " + pattern);
    }
    std::string path(buffer.data());
    // Readable like any other file the daemon serves; mkstemp makes it 0600.
    if (::fchmod(fd, 0644) != 0) {
        const int error = errno;
        ::close(fd);
        ::unlink(path.c_str());
        throwErrno(error, "cannot chmod temp file " + path);
    }
    std::unique_ptr<State> state;
    try {
        state = std::make_unique<State>(path, fd, algorithm);
    } catch (...) {
        ::close(fd);
        ::unlink(path.c_str());
        throw;
    }
    return TempBlob(std::move(state));
}

void TempBlob::write(const char* data, std::size_t size)
{
    if (!state_ || state_->fd < 0) {
        throw std::logic_error("write to a temp blob that was moved from or committed");
    }
    while (size > 0) {
        const ssize_t written = ::write(state_->fd, data, size);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwErrno(errno, "cannot write temp file " + state_->path);
        }
        const auto count = static_cast<std::size_t>(written);
        state_->hasher.update(data, count);
        state_->size += count;
        data += count;
        size -= count;
    }
}

std::vector<char> TempBlob::buffer(std::size_t size)
{
    if (!state_) {
        throw std::logic_error("buffer of a temp blob that was moved from");
    }
    return state_->hasher.buffer(size);
}

void TempBlob::write(std::vector<char>&& buffer, std::size_t offset, std::size_t length)
{
    std::vector<char> taken(std::move(buffer));
    if (!state_ || state_->fd < 0) {
        throw std::logic_error("write to a temp blob that was moved from or committed");
    }
    if (offset > taken.size() || length > taken.size() - offset) {
        throw std::out_of_range("temp blob write past the end of its buffer");
    }
    for (std::size_t done = 0; done < length;) {
        const ssize_t written = ::write(state_->fd, taken.data() + offset + done, length - done);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int error = errno;
            state_->hasher.update(taken.data() + offset, done);  // what reached the file counts, as in write() above
            state_->size += done;
            throwErrno(error, "cannot write temp file " + state_->path);
        }
        done += static_cast<std::size_t>(written);
    }
    state_->size += length;
    state_->hasher.update(std::move(taken), offset, length);
}

std::uint64_t TempBlob::size() const noexcept { return state_ ? state_->size : 0; }

const std::string& TempBlob::path() const noexcept
{
    static const std::string empty;
    return state_ ? state_->path : empty;
}

const std::string& TempBlob::algorithm() const noexcept
{
    static const std::string empty;
    return state_ ? state_->hasher.algorithm() : empty;
}

std::string TempBlob::finishHex() { return state_->hasher.finishHex(); }

void TempBlob::syncAndClose()
{
    if (::fsync(state_->fd) != 0) {
        throwErrno(errno, "cannot fsync temp file " + state_->path);
    }
    const int fd = state_->fd;
    state_->fd = -1;
    // After close() failed the descriptor is gone either way (Linux); do not retry it.
    if (::close(fd) != 0 && errno != EINTR) {
        throwErrno(errno, "cannot close temp file " + state_->path);
    }
}

void TempBlob::markCommitted() noexcept { state_->committed = true; }

}  // namespace vicary::storage
