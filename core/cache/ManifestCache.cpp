#include "cache/ManifestCache.h"

#include <algorithm>
#include <set>
#include <sstream>

#include <unistd.h>

#include <Poco/Crypto/DigestEngine.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include "cache/ManifestJson.h"
#include "cache/UpstreamFailures.h"

namespace vicary::cache {
namespace {

/// The distribution spec lets a registry refuse manifests over 4 MiB; so do we, upstream ones included.
constexpr std::uint64_t kMaxManifest = 4 * 1024 * 1024;

std::string hexDigest(const std::string& algorithm, const std::string& body)
{
    Poco::Crypto::DigestEngine engine(algorithm == "sha512" ? "SHA512" : "SHA256");
    engine.update(body);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

/// The manifest's media type: the upstream's Content-Type, else the document's own mediaType field.
std::string mediaTypeOf(const Poco::Net::HTTPResponse& head, const std::string& body)
{
    std::string type = head.getContentType();
    const auto semicolon = type.find(';');
    if (semicolon != std::string::npos)
        type = Poco::trim(type.substr(0, semicolon));
    if (!type.empty() && type != "application/octet-stream" && type != "text/plain")
        return type;
    if (auto documentType = manifestMediaType(body))
        return *documentType;
    return type.empty() ? "application/octet-stream" : type;
}

upstream::UpstreamRequest manifestRequest(const ManifestRequest& request, const std::string& method,
                                          const std::string& reference)
{
    upstream::UpstreamRequest upstreamRequest;
    upstreamRequest.method = method;
    upstreamRequest.url = request.source.url("manifests/" + reference);
    upstreamRequest.followRedirects = true;
    if (!request.accept.empty())
        upstreamRequest.headers.emplace_back("Accept", request.accept);
    return upstreamRequest;
}

std::string describe(const ManifestRequest& request, const std::string& reference)
{
    return "manifest " + request.source.name + (reference.find(':') != std::string::npos ? "@" : ":") + reference;
}

}  // namespace

ManifestCache::ManifestCache(upstream::RegistryClient& client, storage::BlobStore& store, CacheCatalog& tags,
                             Clock clock)
    : client_(client), store_(store), tags_(tags), clock_(clock ? std::move(clock) : Clock([] {
          return std::chrono::system_clock::now();
      }))
{
}

std::string ManifestCache::acceptKey(const std::vector<std::string>& acceptHeaders)
{
    // A client sends the same Accept on every request: remember the last one per thread rather than split and
    // sort it each time.
    thread_local std::vector<std::string> lastHeaders;
    thread_local std::string lastKey;
    if (!lastHeaders.empty() && acceptHeaders == lastHeaders)
        return lastKey;
    std::set<std::string> types;
    for (const auto& header : acceptHeaders) {
        Poco::StringTokenizer tokens(header, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
        for (const auto& token : tokens)
            types.insert(Poco::toLower(token));
    }
    std::string key;
    for (const auto& type : types)
        key += (key.empty() ? "" : ", ") + type;
    lastHeaders = acceptHeaders;
    lastKey = key;
    return key;
}

std::optional<ManifestAnswer> ManifestCache::stored(const std::string& digestText)
{
    auto digest = routing::parseDigest(digestText);
    if (!digest)
        return std::nullopt;
    auto blob = store_.find(digest->algorithm, digest->hex);
    auto type = tags_.manifestType(digestText);
    if (!blob || !type)
        return std::nullopt;
    return ManifestAnswer{digestText, *type, blob->size, blob->path, false};
}

ManifestResult ManifestCache::coalesced(const std::string& key, const std::function<ManifestResult()>& work)
{
    std::promise<ManifestResult> promise;
    std::shared_future<ManifestResult> future;
    bool leader = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = inFlight_.find(key);
        if (it == inFlight_.end()) {
            future = promise.get_future().share();
            inFlight_.emplace(key, future);
            leader = true;
        } else {
            future = it->second;
        }
    }
    if (leader) {
        ManifestResult result;
        try {
            result = work();
        } catch (const std::exception& e) {
            result = UpstreamFailure{500, http::OciCode::Unknown, e.what()};
        }
        promise.set_value(result);
        std::lock_guard<std::mutex> lock(mutex_);
        inFlight_.erase(key);
    }
    return future.get();
}

std::optional<ManifestAnswer> ManifestCache::recall(const std::string& key, std::chrono::seconds tagTtl)
{
    const auto now = clock_();
    std::shared_lock<std::shared_mutex> lock(hotMutex_);
    auto it = hot_.find(key);
    if (it == hot_.end() || now >= it->second.until || now - it->second.checkedAt >= tagTtl)
        return std::nullopt;
    return it->second.answer;
}

void ManifestCache::remember(const std::string& key, const ManifestAnswer& answer,
                             std::chrono::system_clock::time_point checkedAt)
{
    const auto until = clock_() + kHotFor;
    std::unique_lock<std::shared_mutex> lock(hotMutex_);
    if (hot_.size() >= kMaxHot && hot_.find(key) == hot_.end())
        hot_.clear();  // many distinct tags: a memo this short-lived is cheap to refill
    hot_[key] = HotTag{answer, checkedAt, until};
}

void ManifestCache::forget(const std::string& key)
{
    std::unique_lock<std::shared_mutex> lock(hotMutex_);
    hot_.erase(key);
}

bool ManifestCache::negative(const std::string& key)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = notFoundUntil_.find(key);
    if (it == notFoundUntil_.end())
        return false;
    if (clock_() < it->second)
        return true;
    notFoundUntil_.erase(it);
    return false;
}

ManifestResult ManifestCache::get(const ManifestRequest& request)
{
    return request.digest ? getByDigest(request) : getByTag(request);
}

ManifestResult ManifestCache::getByDigest(const ManifestRequest& request)
{
    const std::string digest = request.digest->text();
    if (auto answer = stored(digest))
        return *answer;  // immutable: no upstream call at all
    return coalesced("digest\n" + digest, [&] {
        if (auto answer = stored(digest))
            return ManifestResult(*answer);
        return fetch(request, digest, request.digest);
    });
}

ManifestResult ManifestCache::getByTag(const ManifestRequest& request)
{
    const TagKey key{request.source.registry, request.source.name, request.reference, request.accept};
    const std::string flightKey = "tag\n" + key.registry + "\n" + key.repository + "\n" + key.tag + "\n" + key.accept;
    if (auto hot = recall(flightKey, request.tagTtl); hot && ::access(hot->path.c_str(), F_OK) == 0)
        return *hot;  // a GET serves the file: it must still be there (evicted, purged)
    auto record = tags_.findTag(key);
    std::optional<ManifestAnswer> cached = record ? stored(record->digest) : std::nullopt;
    if (cached && clock_() - record->checkedAt < request.tagTtl) {
        remember(flightKey, *cached, record->checkedAt);
        return *cached;
    }
    if (!cached && negative(flightKey))
        return UpstreamFailure{404, http::OciCode::ManifestUnknown,
                               "registry " + request.source.registry + ": " + describe(request, request.reference) +
                                   ": not found upstream (remembered)"};

    return coalesced(flightKey, [&]() -> ManifestResult {
        Poco::Logger& log = Poco::Logger::get("cache");
        if (cached) {
            // Stale: ask with HEAD (Docker Hub does not count HEADs against the pull limit) whether it moved.
            ManifestResult head = headUpstream(request, request.reference);
            if (auto* failure = std::get_if<UpstreamFailure>(&head)) {
                if (failure->notFound()) {
                    tags_.eraseTag(key);
                    forget(flightKey);
                    return head;
                }
                log.warning("registry " + request.source.registry + ": " + describe(request, request.reference) +
                            ": upstream failed (" + failure->message + "); serving the cached " + cached->digest +
                            " past its freshness");
                ManifestAnswer stale = *cached;
                stale.stale = true;
                stale.result = "stale";
                return stale;
            }
            const auto& answer = std::get<ManifestAnswer>(head);
            if (answer.digest == cached->digest) {
                tags_.putTag(key, TagRecord{cached->digest, cached->mediaType, cached->size, clock_()});
                forget(flightKey);
                ManifestAnswer revalidated = *cached;
                revalidated.result = "revalidated";
                return revalidated;
            }
            if (!answer.digest.empty()) {
                auto digest = routing::parseDigest(answer.digest);
                if (digest && routing::isSupportedDigest(*digest)) {
                    ManifestResult fetched = stored(answer.digest) ? ManifestResult(*stored(answer.digest))
                                                                   : fetch(request, answer.digest, digest);
                    if (auto* manifest = std::get_if<ManifestAnswer>(&fetched)) {
                        tags_.putTag(key, TagRecord{manifest->digest, manifest->mediaType, manifest->size, clock_()});
                        forget(flightKey);
                    }
                    return fetched;
                }
            }
        }
        ManifestResult fetched = fetch(request, request.reference, std::nullopt);
        if (auto* manifest = std::get_if<ManifestAnswer>(&fetched)) {
            tags_.putTag(key, TagRecord{manifest->digest, manifest->mediaType, manifest->size, clock_()});
            forget(flightKey);
        } else if (std::get<UpstreamFailure>(fetched).notFound() && request.negativeTtl.count() > 0) {
            std::lock_guard<std::mutex> lock(mutex_);
            const auto now = clock_();
            if (notFoundUntil_.size() >= kMaxNotFound) {
                // Every distinct missing tag adds an entry: sweep the expired ones, and if a client keeps asking for
                // new ones faster than they expire, forget them all rather than grow.
                for (auto it = notFoundUntil_.begin(); it != notFoundUntil_.end();)
                    it = it->second <= now ? notFoundUntil_.erase(it) : std::next(it);
                if (notFoundUntil_.size() >= kMaxNotFound)
                    notFoundUntil_.clear();
            }
            notFoundUntil_[flightKey] = now + request.negativeTtl;
        }
        return fetched;
    });
}

std::variant<std::unique_ptr<upstream::UpstreamResponse>, UpstreamFailure> ManifestCache::ask(
    const ManifestRequest& request, const std::string& method, const std::string& reference)
{
    std::unique_ptr<upstream::UpstreamResponse> response;
    try {
        response = client_.send(manifestRequest(request, method, reference), request.source.access());
    } catch (const upstream::AuthError& e) {
        return failureFromAuth(e);
    } catch (const upstream::UpstreamError& e) {
        return failureFromError(request.source.registry, e);
    }
    if (response->status() != 200)
        return failureFromStatus(request.source.registry, describe(request, reference), response->status(),
                                 http::OciCode::ManifestUnknown);
    return response;
}

ManifestResult ManifestCache::fetch(const ManifestRequest& request, const std::string& reference,
                                    const std::optional<routing::Digest>& expected)
{
    const std::string what = describe(request, reference);
    auto asked = ask(request, "GET", reference);
    if (auto* failure = std::get_if<UpstreamFailure>(&asked))
        return *failure;
    auto& response = std::get<std::unique_ptr<upstream::UpstreamResponse>>(asked);
    const auto& head = response->head();
    if (head.hasContentLength() && static_cast<std::uint64_t>(head.getContentLength64()) > kMaxManifest)
        return UpstreamFailure{502, http::OciCode::ManifestInvalid,
                               "registry " + request.source.registry + ": " + what + " is larger than 4 MiB; refused"};
    std::string body(kMaxManifest + 1, '\0');
    response->body().read(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(static_cast<std::size_t>(response->body().gcount()));
    if (body.size() > kMaxManifest)
        return UpstreamFailure{502, http::OciCode::ManifestInvalid,
                               "registry " + request.source.registry + ": " + what + " is larger than 4 MiB; refused"};
    if (head.hasContentLength() && static_cast<std::uint64_t>(head.getContentLength64()) != body.size())
        return UpstreamFailure{502, http::OciCode::Unavailable,
                               "registry " + request.source.registry + ": " + what + ": transfer broke"};

    // What the content must hash to: the digest asked for, else the one the upstream claims, else whatever it is.
    std::optional<routing::Digest> claimed = expected;
    if (!claimed) {
        auto header = routing::parseDigest(head.get("Docker-Content-Digest", ""));
        if (header && routing::isSupportedDigest(*header))
            claimed = header;
    }
    const std::string algorithm = claimed ? claimed->algorithm : "sha256";
    const std::string hex = hexDigest(algorithm, body);
    if (claimed && claimed->hex != hex) {
        Poco::Logger::get("cache").error("registry " + request.source.registry + ": " + what + ": content hashes to " +
                                         algorithm + ":" + hex + ", not " + claimed->text() + "; not cached");
        return UpstreamFailure{502, http::OciCode::Unavailable,
                               "registry " + request.source.registry + ": " + what +
                                   ": upstream content does not match its digest"};
    }
    const std::string digest = algorithm + ":" + hex;
    const std::string mediaType = mediaTypeOf(head, body);

    storage::TempBlob temp = store_.createTemp(algorithm);
    temp.write(body.data(), body.size());
    auto blob = store_.commitIfDigestMatches(std::move(temp), hex);
    if (!blob)
        return UpstreamFailure{500, http::OciCode::Unknown, "manifest " + digest + ": store refused its own digest"};
    try {
        tags_.recordManifest(digest, blob->size, mediaType, request.source.registry, request.source.name);
    } catch (const std::exception& e) {
        Poco::Logger::get("cache").error("manifest " + digest + ": cannot record it in the index: " + e.what());
        return UpstreamFailure{500, http::OciCode::Unknown, "manifest " + digest + ": the cache index failed"};
    }
    return ManifestAnswer{digest, mediaType, blob->size, blob->path, false, "miss"};
}

ManifestResult ManifestCache::headUpstream(const ManifestRequest& request, const std::string& reference)
{
    auto asked = ask(request, "HEAD", reference);
    if (auto* failure = std::get_if<UpstreamFailure>(&asked))
        return *failure;
    const auto& head = std::get<std::unique_ptr<upstream::UpstreamResponse>>(asked)->head();
    ManifestAnswer answer;
    answer.result = "miss";
    answer.digest = head.get("Docker-Content-Digest", "");
    answer.mediaType = mediaTypeOf(head, "");
    answer.size = head.hasContentLength() ? static_cast<std::uint64_t>(head.getContentLength64()) : 0;
    return answer;
}

ManifestResult ManifestCache::head(const ManifestRequest& request)
{
    if (request.digest) {
        if (auto answer = stored(request.digest->text()))
            return *answer;
        return headUpstream(request, request.reference);
    }
    const TagKey key{request.source.registry, request.source.name, request.reference, request.accept};
    const std::string flightKey = "tag\n" + key.registry + "\n" + key.repository + "\n" + key.tag + "\n" + key.accept;
    if (auto hot = recall(flightKey, request.tagTtl))
        return *hot;  // a HEAD only says what the tag points at: no file check
    auto record = tags_.findTag(key);
    std::optional<ManifestAnswer> cached = record ? stored(record->digest) : std::nullopt;
    if (cached && clock_() - record->checkedAt < request.tagTtl) {
        remember(flightKey, *cached, record->checkedAt);
        return *cached;
    }
    forget(flightKey);
    ManifestResult upstreamAnswer = headUpstream(request, request.reference);
    if (auto* failure = std::get_if<UpstreamFailure>(&upstreamAnswer)) {
        if (cached && !failure->notFound()) {
            ManifestAnswer stale = *cached;
            stale.stale = true;
            stale.result = "stale";
            return stale;
        }
        return upstreamAnswer;
    }
    auto& answer = std::get<ManifestAnswer>(upstreamAnswer);
    if (cached && answer.digest == cached->digest) {
        tags_.putTag(key, TagRecord{cached->digest, cached->mediaType, cached->size, clock_()});
    } else if (auto digest = routing::parseDigest(answer.digest); digest && routing::isSupportedDigest(*digest)) {
        // Remember what the tag points at, though the manifest itself is not fetched for a HEAD: containerd resolves
        // tags with HEAD only and then GETs by digest, which stores the manifest; from then on this tag is served
        // from the cache, and served stale when the upstream is down.
        tags_.putTag(key, TagRecord{answer.digest, answer.mediaType, answer.size, clock_()});
    }
    if (answer.digest.empty() || answer.size == 0) {
        // An upstream HEAD that does not say what the manifest is cannot answer a HEAD; only a GET could.
        return UpstreamFailure{502, http::OciCode::Unavailable,
                               "registry " + request.source.registry + ": " + describe(request, request.reference) +
                                   ": upstream HEAD gave no digest or size"};
    }
    return answer;
}

}  // namespace vicary::cache
