#include "http/RegistryHandlers.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <vector>

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/String.h>

#include "cache/UpstreamFailures.h"
#include "http/BodySender.h"
#include "http/ByteRange.h"
#include "http/OciError.h"
#include "http/ResponseHeaders.h"
#include "plugin/Registry.h"

namespace vicary::http {
namespace {

using Poco::Net::HTTPResponse;

/// Closes a file descriptor at scope exit.
struct FileHandle {
    int fd;
    explicit FileHandle(int descriptor) : fd(descriptor) {}
    ~FileHandle()
    {
        if (fd >= 0)
            ::close(fd);
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;
};

void commonHeaders(Poco::Net::HTTPServerResponse& response, const routing::RequestTarget& target)
{
    setApiHeaders(response);
    if (!target.ns.empty())
        response.set("OCI-Namespace", target.ns);
}

/// Answers with the failure; logs it unless it is a plain "not found" (clients ask for missing things all the time).
void sendFailure(Poco::Net::HTTPServerResponse& response, const cache::UpstreamFailure& failure)
{
    if (!failure.notFound())
        Poco::Logger::get("http").warning("answering " + std::to_string(failure.status) + ": " + failure.message);
    sendOciError(response, static_cast<HTTPResponse::HTTPStatus>(failure.status), failure.code, failure.message);
}

bool isHead(const Poco::Net::HTTPServerRequest& request)
{
    return request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD;
}

/// Continues a blob body from another source when the cache cannot: bytes [offset, end) of the blob.
using Continuation = std::function<bool(std::uint64_t offset, std::uint64_t end)>;

/// Sends [range] of a blob of `size` bytes from `fd`; `available` says how much of the file is readable. When the
/// download behind the file is given up for a reason that lets the client have the blob anyway (the cache is full),
/// `rest` sends the remainder; otherwise the connection is aborted so the client sees a failed transfer.
std::uint64_t sendBlobBody(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                           const std::string& digest, std::uint64_t size, int fd,
                           const std::function<std::uint64_t(std::uint64_t)>& available,
                           const Continuation& rest = {})
{
    ByteRange range{0, size == 0 ? 0 : size - 1};
    const RangeRequest kind = parseRange(request.get("Range", ""), size, range);
    response.set("Docker-Content-Digest", digest);
    response.set("Accept-Ranges", "bytes");
    response.setContentType("application/octet-stream");
    if (kind == RangeRequest::Unsatisfiable) {
        response.set("Content-Range", "bytes */" + std::to_string(size));
        sendOciError(response, HTTPResponse::HTTP_REQUESTED_RANGE_NOT_SATISFIABLE, OciCode::SizeInvalid,
                     "range " + request.get("Range", "") + " is not satisfiable for blob " + digest + " of " +
                         std::to_string(size) + " bytes");
        return 0;
    }
    std::uint64_t first = 0;
    std::uint64_t length = size;
    if (kind == RangeRequest::Partial) {
        response.setStatusAndReason(HTTPResponse::HTTP_PARTIAL_CONTENT);
        response.set("Content-Range", range.contentRange(size));
        first = range.first;
        length = range.length();
    } else {
        response.setStatusAndReason(HTTPResponse::HTTP_OK);
    }
    response.setContentLength64(static_cast<Poco::Int64>(length));
    std::ostream& out = response.send();
    out.flush();
    if (isHead(request) || length == 0)
        return 0;
    bool complete = false;
    std::uint64_t sent = first;
    try {
        complete = sendFileRange(request, fd, first, first + length, available, sent);
    } catch (const cache::DownloadAborted& e) {
        if (e.passThrough() && rest) {
            Poco::Logger::get("http").information("blob " + digest + ": the cache gave it up (" + e.what() +
                                                  "); sending the rest straight from the upstream");
            complete = rest(sent, first + length);
            if (complete)
                sent = first + length;
        } else {
            Poco::Logger::get("http").warning("aborting the transfer of blob " + digest + " to " +
                                              request.clientAddress().toString() + ": " + e.what());
        }
    } catch (const std::exception& e) {
        Poco::Logger::get("http").warning("aborting the transfer of blob " + digest + " to " +
                                          request.clientAddress().toString() + ": " + e.what());
    }
    if (!complete)
        abortConnection(request, response);
    return sent - first;
}

}  // namespace

cache::UpstreamSource sourceOf(const routing::RequestTarget& target)
{
    const auto& settings = target.registry->settings();
    return {target.registry->name(), target.upstreamBase, target.upstreamName,
            upstream::EndpointSettings{settings.plainHttp, settings.caFile, settings.allowPrivateRedirects,
                                       target.upstreamBase},
            &target.registry->plugin()};
}

// ---- blobs

BlobHandler::BlobHandler(routing::RequestTarget target, cache::CacheServices& cache,
                         std::shared_ptr<RequestContext> context)
    : target_(std::move(target)), cache_(cache), context_(std::move(context))
{
    context_->kind = "blob";
}

void BlobHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
    commonHeaders(response, target_);
    const routing::Digest& digest = *target_.digest;
    const std::string digestText = digest.text();
    auto lease = cache_.leases.acquire(digestText);  // not evicted while we serve it

    if (auto stored = cache_.blobs.find(digest.algorithm, digest.hex)) {
        FileHandle file(::open(stored->path.c_str(), O_RDONLY | O_CLOEXEC));
        if (file.fd >= 0) {
            cache_.accesses.touch(digestText);
            const std::uint64_t size = stored->size;
            context_->cacheResult = "hit";
            context_->cacheBytes +=
                sendBlobBody(request, response, digestText, size, file.fd, [size](std::uint64_t) { return size; });
            return;
        }
    }
    if (isHead(request)) {
        headUncached(response);
        return;
    }

    bool started = false;
    auto download = cache_.downloads.join(digest, sourceOf(target_), started);
    if (started)
        Poco::Logger::get("cache").information("registry " + target_.registry->name() + ": fetching blob " +
                                               digestText + " of " + target_.upstreamName);
    context_->cacheResult = started ? "miss" : "coalesced";
    auto reader = download->addReader();  // counted as a client waiting on a download
    cache::UpstreamFailure failure;
    const auto waitStart = std::chrono::steady_clock::now();
    auto size = download->waitForHead(failure);
    context_->upstreamSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - waitStart).count();
    if (!size) {
        if (failure.passThrough)
            passThrough(request, response);
        else
            sendFailure(response, failure);
        return;
    }
    FileHandle file(download->openForReading());
    if (file.fd < 0) {
        passThrough(request, response);  // the download was given up between its head and now
        return;
    }
    const auto stall = cache_.stall;
    context_->upstreamBytes += sendBlobBody(
        request, response, digestText, *size, file.fd,
        [&download, stall](std::uint64_t offset) { return download->waitForBytes(offset, stall); },
        [this, &request](std::uint64_t offset, std::uint64_t end) { return sendRestFromUpstream(request, offset, end); });
}

void BlobHandler::passThrough(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
    // The cache cannot hold this blob now: relay it from the upstream as it comes, with the client's Range.
    context_->cacheResult = "passthrough";
    const auto source = sourceOf(target_);
    const std::string digestText = target_.digest->text();
    upstream::UpstreamRequest get;
    get.url = source.url("blobs/" + digestText);
    get.followRedirects = true;
    if (request.has("Range"))
        get.headers.emplace_back("Range", request.get("Range"));
    try {
        auto answer = cache_.client.send(get, source.access());
        const int status = answer->status();
        if ((status != 200 && status != 206) || !answer->head().hasContentLength()) {
            sendFailure(response, cache::failureFromStatus(source.registry, "blob " + digestText, status,
                                                           OciCode::BlobUnknown));
            return;
        }
        const auto length = static_cast<std::uint64_t>(answer->head().getContentLength64());
        response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
        response.set("Docker-Content-Digest", digestText);
        response.setContentType("application/octet-stream");
        if (status == 206)
            response.set("Content-Range", answer->head().get("Content-Range", ""));
        response.setContentLength64(static_cast<Poco::Int64>(length));
        response.send().flush();
        if (sendStream(request, answer->body(), length))
            context_->upstreamBytes += length;
        else
            abortConnection(request, response);
    } catch (const upstream::AuthError& e) {
        sendFailure(response, cache::failureFromAuth(e));
    } catch (const upstream::UpstreamError& e) {
        if (response.sent())
            abortConnection(request, response);
        else
            sendFailure(response, cache::failureFromError(source.registry, e));
    }
}

bool BlobHandler::sendRestFromUpstream(Poco::Net::HTTPServerRequest& request, std::uint64_t offset, std::uint64_t end)
{
    const auto source = sourceOf(target_);
    upstream::UpstreamRequest get;
    get.url = source.url("blobs/" + target_.digest->text());
    get.followRedirects = true;
    get.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(end - 1));
    try {
        auto answer = cache_.client.send(get, source.access());
        if (answer->status() == 200) {
            // No Range support upstream: skip what the client already has.
            std::vector<char> skip(64 * 1024);
            std::uint64_t left = offset;
            while (left > 0) {
                answer->body().read(skip.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(skip.size(), left)));
                const auto got = static_cast<std::uint64_t>(answer->body().gcount());
                if (got == 0)
                    return false;
                left -= got;
            }
        } else if (answer->status() != 206) {
            return false;
        }
        return sendStream(request, answer->body(), end - offset);
    } catch (const std::exception& e) {
        Poco::Logger::get("http").warning("blob " + target_.digest->text() + ": the upstream could not send the rest: " +
                                          e.what());
        return false;
    }
}

void BlobHandler::headUncached(Poco::Net::HTTPServerResponse& response)
{
    // Answered from an upstream HEAD: the blob is not downloaded for a HEAD.
    const auto source = sourceOf(target_);
    const std::string digestText = target_.digest->text();
    upstream::UpstreamRequest head;
    head.method = "HEAD";
    head.url = source.url("blobs/" + digestText);
    head.followRedirects = true;
    try {
        auto answer = cache_.client.send(head, source.access());
        if (answer->status() != 200) {
            sendFailure(response, cache::failureFromStatus(source.registry, "blob " + digestText, answer->status(),
                                                           OciCode::BlobUnknown));
            return;
        }
        response.set("Docker-Content-Digest", digestText);
        response.setContentType("application/octet-stream");
        if (answer->head().hasContentLength())
            response.setContentLength64(answer->head().getContentLength64());
        response.setStatusAndReason(HTTPResponse::HTTP_OK);
        response.send();
    } catch (const upstream::AuthError& e) {
        sendFailure(response, cache::failureFromAuth(e));
    } catch (const upstream::UpstreamError& e) {
        sendFailure(response, cache::failureFromError(source.registry, e));
    }
}

// ---- manifests

ManifestHandler::ManifestHandler(routing::RequestTarget target, cache::CacheServices& cache,
                                 std::shared_ptr<RequestContext> context)
    : target_(std::move(target)), cache_(cache), context_(std::move(context))
{
    context_->kind = "manifest";
}

void ManifestHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
    commonHeaders(response, target_);
    std::vector<std::string> accept;
    for (auto it = request.find("Accept"); it != request.end() && Poco::icompare(it->first, "Accept") == 0; ++it)
        accept.push_back(it->second);

    cache::ManifestRequest manifest;
    manifest.source = sourceOf(target_);
    manifest.reference = target_.reference;
    manifest.digest = target_.digest;
    manifest.accept = cache::ManifestCache::acceptKey(accept);
    const auto registryTtl = target_.registry->settings().tagTtl;
    manifest.tagTtl = registryTtl.count() > 0 ? registryTtl : std::chrono::seconds(cache_.tagTtlSeconds.load());
    manifest.negativeTtl = std::chrono::seconds(cache_.negativeTtlSeconds.load());

    const auto start = std::chrono::steady_clock::now();
    cache::ManifestResult result = isHead(request) ? cache_.manifests.head(manifest) : cache_.manifests.get(manifest);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (auto* answer = std::get_if<cache::ManifestAnswer>(&result); answer == nullptr || std::string(answer->result) != "hit")
        context_->upstreamSeconds += took;
    if (auto* failure = std::get_if<cache::UpstreamFailure>(&result)) {
        sendFailure(response, *failure);
        return;
    }
    const auto& answer = std::get<cache::ManifestAnswer>(result);
    // Open the body before the head goes out: the evictor may remove a manifest between lookup and open.
    FileHandle file(answer.path.empty() || isHead(request) ? -1 : ::open(answer.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!answer.path.empty() && !isHead(request) && file.fd < 0) {
        sendOciError(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, OciCode::Unavailable,
                     "manifest " + answer.digest + " was evicted while being served; try again");
        return;
    }
    cache_.accesses.touch(answer.digest);
    context_->cacheResult = answer.result;
    response.setContentType(answer.mediaType);
    response.set("Docker-Content-Digest", answer.digest);
    if (answer.stale)
        response.set("Warning", "110 - \"Response is Stale\"");
    response.setContentLength64(static_cast<Poco::Int64>(answer.size));
    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    std::ostream& out = response.send();
    out.flush();
    if (isHead(request) || answer.path.empty())
        return;
    const std::uint64_t size = answer.size;
    if (!sendFileRange(request, file.fd, 0, size, [size](std::uint64_t) { return size; }))
        abortConnection(request, response);
    else if (std::string(answer.result) == "miss")
        context_->upstreamBytes += size;
    else
        context_->cacheBytes += size;
}

// ---- tags/list and referrers

PassThroughHandler::PassThroughHandler(routing::RequestTarget target, std::string query, cache::CacheServices& cache,
                                       std::shared_ptr<RequestContext> context)
    : target_(std::move(target)), query_(std::move(query)), cache_(cache), context_(std::move(context))
{
    context_->kind = target_.endpoint == routing::Endpoint::TagsList ? "tags" : "referrers";
}

void PassThroughHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
    commonHeaders(response, target_);
    const auto source = sourceOf(target_);
    const bool tags = target_.endpoint == routing::Endpoint::TagsList;
    const std::string path = tags ? "tags/list" : "referrers/" + target_.reference;
    const std::string url = source.url(path) + (query_.empty() ? "" : "?" + query_);
    const std::string key = source.registry + "\n" + url;

    auto entry = cache_.memo.find(key);
    const auto start = std::chrono::steady_clock::now();
    struct Timer {
        RequestContext& context;
        std::chrono::steady_clock::time_point start;
        bool upstream = false;
        ~Timer()
        {
            if (upstream)
                context.upstreamSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
    } timer{*context_, start};
    if (!entry) {
        timer.upstream = true;
        upstream::UpstreamRequest get;
        get.url = url;
        if (!tags)
            get.headers.emplace_back("Accept", "application/vnd.oci.image.index.v1+json");
        try {
            auto answer = cache_.client.send(get, source.access());
            if (answer->status() != 200) {
                sendFailure(response, cache::failureFromStatus(source.registry, path + " of " + source.name,
                                                               answer->status(),
                                                               tags ? OciCode::NameUnknown : OciCode::ManifestUnknown));
                return;
            }
            // Read as it comes, in small pieces: a 4 MiB buffer per request would let concurrent tags/list requests
            // pin memory that they mostly do not need.
            constexpr std::size_t kLimit = 4 * 1024 * 1024;
            std::string body;
            char piece[16 * 1024];
            while (body.size() <= kLimit && answer->body().read(piece, sizeof piece).gcount() > 0)
                body.append(piece, static_cast<std::size_t>(answer->body().gcount()));
            if (body.size() > kLimit) {
                sendOciError(response, HTTPResponse::HTTP_BAD_GATEWAY, OciCode::Unavailable,
                             "registry " + source.registry + ": " + path + " answer larger than 4 MiB");
                return;
            }
            cache::MemoEntry fresh;
            fresh.contentType = answer->head().getContentType();
            fresh.body = std::move(body);
            // Pagination links name the upstream repository; the client must follow them to us, under its name.
            std::string link = answer->head().get("Link", "");
            const std::string upstreamPath = "/v2/" + target_.upstreamName + "/";
            const std::string clientPath =
                "/v2/" + (target_.host.empty() || !target_.ns.empty() ? "" : target_.host + "/") + target_.clientName + "/";
            Poco::replaceInPlace(link, upstreamPath, clientPath);
            fresh.link = link;
            cache_.memo.put(key, fresh);
            entry = std::move(fresh);
        } catch (const upstream::AuthError& e) {
            sendFailure(response, cache::failureFromAuth(e));
            return;
        } catch (const upstream::UpstreamError& e) {
            sendFailure(response, cache::failureFromError(source.registry, e));
            return;
        }
    }
    response.setStatusAndReason(HTTPResponse::HTTP_OK);
    response.setContentType(entry->contentType.empty() ? "application/json" : entry->contentType);
    if (!entry->link.empty())
        response.set("Link", entry->link);
    response.setContentLength64(static_cast<Poco::Int64>(entry->body.size()));
    response.send() << entry->body;
    (void)request;
}

}  // namespace vicary::http
