#include "cache/BlobFetcher.h"

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <thread>
#include <vector>

#include <Poco/Logger.h>
#include <Poco/NumberParser.h>

#include "cache/UpstreamFailures.h"

namespace vicary::cache {
namespace {

constexpr std::size_t kChunk = 256 * 1024;

/// The start offset of a "Content-Range: bytes a-b/total" header, and its total; false when malformed.
bool parseContentRange(const std::string& value, std::uint64_t& start, std::uint64_t& total)
{
    Poco::UInt64 a = 0;
    Poco::UInt64 t = 0;
    const std::size_t dash = value.find('-');
    const std::size_t slash = value.find('/');
    if (value.compare(0, 6, "bytes ") != 0 || dash == std::string::npos || slash == std::string::npos ||
        !Poco::NumberParser::tryParseUnsigned64(value.substr(6, dash - 6), a) ||
        !Poco::NumberParser::tryParseUnsigned64(value.substr(slash + 1), t))
        return false;
    start = a;
    total = t;
    return true;
}

}  // namespace

BlobFetcher::BlobFetcher(upstream::RegistryClient& client, storage::BlobStore& store, CacheCatalog& catalog,
                         Evictor* evictor, FetchSettings settings)
    : client_(client), store_(store), catalog_(catalog), evictor_(evictor), settings_(settings)
{
}

void BlobFetcher::run(Download& download, const UpstreamSource& source) noexcept
{
    try {
        fetch(download, source);
    } catch (const std::system_error& e) {
        const bool full = e.code().value() == ENOSPC || e.code().value() == EDQUOT;
        Poco::Logger::get("cache").error("registry " + source.registry + ": blob " + download.digest() +
                                         ": cannot write to the cache (" + e.what() + "); " +
                                         (full ? "clients get it straight from the upstream" : "failing its clients"));
        if (full)
            ++diskFull_;
        if (full && evictor_ != nullptr)
            evictor_->trigger();
        UpstreamFailure failure{full ? 503 : 500, full ? http::OciCode::Unavailable : http::OciCode::Unknown,
                                "blob " + download.digest() + ": cache write failed: " + e.what()};
        failure.passThrough = full;
        download.failed(failure);
    } catch (const std::exception& e) {
        download.failed({502, http::OciCode::Unavailable,
                         "registry " + source.registry + ": blob " + download.digest() + ": " + e.what()});
    } catch (...) {
        download.failed({500, http::OciCode::Unknown, "blob " + download.digest() + ": unexpected error"});
    }
}

void BlobFetcher::fetch(Download& download, const UpstreamSource& source)
{
    Poco::Logger& log = Poco::Logger::get("cache");
    const std::string what = "blob " + download.digest() + " of " + source.name;
    const std::string url = source.url("blobs/" + download.digest());
    storage::TempBlob temp = store_.createTemp(download.algorithm());
    std::uint64_t size = 0;
    bool sizeKnown = false;
    int resumes = 0;
    std::vector<char> buffer;  // the temp blob's (its hasher's): what is received into it is hashed without a copy
    // Room reserved under the cap for this blob, given back however this function ends.
    std::uint64_t reservation = 0;
    struct Release {
        Evictor* evictor;
        std::uint64_t& bytes;
        ~Release()
        {
            if (evictor != nullptr && bytes > 0)
                evictor->release(bytes);
        }
    } release{evictor_, reservation};
    std::string lastProblem;

    for (;;) {
        if (resumes > settings_.maxResumes) {
            download.failed({502, http::OciCode::Unavailable,
                             "registry " + source.registry + ": " + what + ": transfer broke after " +
                                 std::to_string(temp.size()) + " of " + std::to_string(size) + " bytes and " +
                                 std::to_string(settings_.maxResumes) + " resumes failed (" + lastProblem + ")"});
            return;
        }
        upstream::UpstreamRequest request;
        request.url = url;
        request.followRedirects = true;  // registries send blobs from CDNs
        if (temp.size() > 0)
            request.headers.emplace_back("Range", "bytes=" + std::to_string(temp.size()) + "-");
        std::unique_ptr<upstream::UpstreamResponse> response;
        try {
            response = client_.send(request, source.access());
        } catch (const upstream::AuthError& e) {
            download.failed(failureFromAuth(e));
            return;
        } catch (const upstream::UpstreamError& e) {
            if (!sizeKnown) {
                download.failed(failureFromError(source.registry, e));
                return;
            }
            lastProblem = e.what();
            ++resumes;
            std::this_thread::sleep_for(settings_.resumeDelay);
            continue;
        }

        std::uint64_t skip = 0;
        const int status = response->status();
        if (!sizeKnown) {
            if (status != 200) {
                download.failed(failureFromStatus(source.registry, what, status, http::OciCode::BlobUnknown));
                return;
            }
            if (!response->head().hasContentLength()) {
                download.failed({502, http::OciCode::Unavailable,
                                 "registry " + source.registry + ": " + what + ": upstream sent no Content-Length"});
                return;
            }
            size = static_cast<std::uint64_t>(response->head().getContentLength64());
            sizeKnown = true;
            if (evictor_ != nullptr) {
                if (!evictor_->reserve(size)) {
                    log.warning("registry " + source.registry + ": " + what + ": " + std::to_string(size) +
                                " bytes do not fit in the cache now; clients get it straight from the upstream");
                    UpstreamFailure failure{503, http::OciCode::Unavailable, what + ": does not fit in the cache"};
                    failure.passThrough = true;
                    download.failed(failure);
                    return;
                }
                reservation = size;
            }
            download.started(size, temp.path());
        } else if (status == 206) {
            std::uint64_t start = 0;
            std::uint64_t total = 0;
            if (!parseContentRange(response->head().get("Content-Range", ""), start, total) || start != temp.size() ||
                total != size) {
                lastProblem = "upstream answered the resume with a wrong Content-Range";
                ++resumes;
                continue;
            }
            log.information("registry " + source.registry + ": " + what + ": resumed at byte " +
                            std::to_string(temp.size()) + " of " + std::to_string(size));
        } else if (status == 200) {
            skip = temp.size();  // no Range support upstream: read again from the start, keep what we have
        } else {
            lastProblem = "upstream answered the resume with " + std::to_string(status);
            ++resumes;
            continue;
        }

        lastProblem = "connection ended early";
        try {
            std::istream& body = response->body();
            while (temp.size() < size) {
                if (download.cancelled())
                    throw std::runtime_error("abandoned at shutdown");
                if (buffer.empty())
                    buffer = temp.buffer(kChunk);  // kept across a failed read: at most one is out at a time
                const std::uint64_t wanted = std::min<std::uint64_t>(buffer.size(), size - temp.size() + skip);
                body.read(buffer.data(), static_cast<std::streamsize>(wanted));
                const auto got = static_cast<std::uint64_t>(body.gcount());
                if (got == 0)
                    break;
                const std::uint64_t skipped = std::min(skip, got);
                skip -= skipped;
                if (got > skipped) {
                    temp.write(std::move(buffer), static_cast<std::size_t>(skipped),
                               static_cast<std::size_t>(got - skipped));
                    buffer.clear();  // moved from; the next turn takes another
                    download.progressed(temp.size());
                }
            }
        } catch (const upstream::UpstreamError& e) {
            lastProblem = e.what();
        }
        if (temp.size() >= size)
            break;
        log.warning("registry " + source.registry + ": " + what + ": transfer broke after " +
                    std::to_string(temp.size()) + " of " + std::to_string(size) + " bytes; resuming");
        ++resumes;
        std::this_thread::sleep_for(settings_.resumeDelay);
    }

    auto stored = store_.commitIfDigestMatches(std::move(temp), download.hex(), [&download] { download.verified(); });
    if (!stored) {
        log.error("registry " + source.registry + ": " + what + ": content does not match its digest; discarded, not cached");
        download.failed({502, http::OciCode::Unavailable,
                         "registry " + source.registry + ": " + what + ": upstream content does not match the digest"});
        return;
    }
    try {
        catalog_.recordBlob(download.digest(), stored->size, source.registry, source.name);
    } catch (const std::exception& e) {
        // The blob is stored and verified; the next start adopts it into the index.
        log.error("registry " + source.registry + ": " + what + ": cannot record it in the index: " + e.what());
    }
    download.committed(*stored);
}

}  // namespace vicary::cache
