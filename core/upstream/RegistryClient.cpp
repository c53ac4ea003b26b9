#include "upstream/RegistryClient.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include <Poco/Base64Encoder.h>
#include <Poco/Logger.h>
#include <Poco/String.h>
#include <Poco/URI.h>

#include "upstream/ChallengeParser.h"

namespace vicary::upstream {
namespace {

constexpr std::size_t kMaxTokenResponse = 1024 * 1024;

std::string basicAuthorization(const Credentials& credentials)
{
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << credentials.username << ':' << credentials.password;
    encoder.close();
    return "Basic " + out.str();
}

std::string encoded(const std::string& value)
{
    std::string out;
    Poco::URI::encode(value, "&+=?#% ", out);
    return out;
}

/// The realm without its query: what messages may show of a URL.
std::string withoutQuery(const std::string& url)
{
    return url.substr(0, url.find('?'));
}

void setAuthorization(UpstreamRequest& request, const std::string& value)
{
    auto& headers = request.headers;
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [](const auto& header) { return Poco::icompare(header.first, "Authorization") == 0; }),
                  headers.end());
    headers.emplace_back("Authorization", value);
}

std::vector<std::string> headerValues(const Poco::Net::HTTPResponse& head, const std::string& name)
{
    std::vector<std::string> values;
    for (const auto& [key, value] : head) {
        if (Poco::icompare(key, name) == 0)
            values.push_back(value);
    }
    return values;
}

/// What the registry's plugin presents for `challenge`; anonymous when there is no plugin.
UpstreamAuth authOf(const RegistryAccess& access, const AuthChallenge& challenge)
{
    return access.plugin != nullptr ? access.plugin->authFor(challenge) : UpstreamAuth{};
}

}  // namespace

RegistryClient::RegistryClient(UpstreamClient& client, TokenCache& tokens) : client_(client), tokens_(tokens) {}

std::unique_ptr<UpstreamResponse> RegistryClient::send(UpstreamRequest request, const RegistryAccess& access)
{
    constexpr int kRetries = 2;
    constexpr std::chrono::milliseconds kBackoff{250};
    constexpr std::chrono::seconds kLongestRetryAfter{5};
    for (int attempt = 0;; ++attempt) {
        std::chrono::milliseconds wait = kBackoff * (1 << attempt);
        try {
            auto response = sendOnce(request, access);
            const int status = response->status();
            if (attempt == kRetries || (status < 500 && status != 429))
                return response;
            if (status == 429) {
                // Retry-After in seconds; a date or a long wait means: give the client the 429 now.
                const std::string retryAfter = response->head().get("Retry-After", "");
                char* end = nullptr;
                const long seconds = retryAfter.empty() ? 0 : std::strtol(retryAfter.c_str(), &end, 10);
                if (!retryAfter.empty() && (end == nullptr || *end != '\0' || seconds < 0 ||
                                            std::chrono::seconds(seconds) > kLongestRetryAfter))
                    return response;
                wait = std::max(wait, std::chrono::milliseconds(std::chrono::seconds(seconds)));
            }
            if (metrics_ != nullptr)
                metrics_->upstreamRetries.with({access.registry}).inc();
            Poco::Logger::get("upstream").information("registry " + access.registry + ": " + request.method + " " +
                                                      withoutQuery(request.url) + " answered " +
                                                      std::to_string(status) + "; trying again");
        } catch (const UpstreamError& e) {
            if (attempt == kRetries || e.kind() != UpstreamError::Kind::Connect)
                throw;
            if (metrics_ != nullptr)
                metrics_->upstreamRetries.with({access.registry}).inc();
            Poco::Logger::get("upstream").information("registry " + access.registry + ": " + e.what() +
                                                      "; trying again");
        }
        std::this_thread::sleep_for(wait);
    }
}

std::unique_ptr<UpstreamResponse> RegistryClient::exchange(const UpstreamRequest& request, const RegistryAccess& access)
{
    const auto start = std::chrono::steady_clock::now();
    try {
        auto response = client_.send(request, access.endpoint);
        if (metrics_ != nullptr) {
            metrics_->upstreamRequests.with({access.registry, request.method, std::to_string(response->status())}).inc();
            metrics_->upstreamSeconds.with({access.registry})
                .observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        }
        return response;
    } catch (const UpstreamError& e) {
        if (metrics_ != nullptr) {
            static const char* const kinds[] = {"connect", "timeout", "protocol", "redirects"};
            metrics_->upstreamErrors.with({access.registry, kinds[static_cast<int>(e.kind())]}).inc();
        }
        throw;
    }
}

std::unique_ptr<UpstreamResponse> RegistryClient::sendOnce(UpstreamRequest request, const RegistryAccess& access)
{
    std::optional<KnownChallenge> known;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = challenges_.find(access.registry);
        if (it != challenges_.end())
            known = it->second;
    }
    bool sentCached = false;
    if (known) {
        if (auto authorization = authorizationFor(access, *known, false)) {
            setAuthorization(request, *authorization);
            sentCached = true;
        }
    }
    auto response = exchange(request, access);
    noteRateLimit(access.registry, response->head());
    if (response->status() != 401)
        return response;

    std::vector<AuthChallenge> challenges = parseChallenges(headerValues(response->head(), "WWW-Authenticate"));
    const AuthChallenge* chosen = nullptr;
    for (const auto& challenge : challenges) {
        if (Poco::icompare(challenge.scheme, "bearer") == 0 && !challenge.realm.empty()) {
            chosen = &challenge;
            break;
        }
        if (Poco::icompare(challenge.scheme, "basic") == 0 && chosen == nullptr)
            chosen = &challenge;
    }
    if (chosen == nullptr)
        return response;  // a 401 we cannot answer: the caller reports it
    KnownChallenge challenge{Poco::toLower(chosen->scheme), chosen->realm, chosen->service};
    {
        std::lock_guard<std::mutex> lock(mutex_);
        challenges_[access.registry] = challenge;
    }
    const std::string scope = chosen->scope.empty() ? access.scope : chosen->scope;
    if (sentCached && challenge.scheme == "bearer")
        tokens_.invalidate(TokenCache::keyOf(access.registry, challenge.realm, challenge.service, scope));

    RegistryAccess scoped = access;
    scoped.scope = scope;
    auto authorization = authorizationFor(scoped, challenge, true);
    if (!authorization)
        throw AuthError(401, "registry " + access.registry + ": the upstream requires credentials (" +
                                 chosen->scheme + "); configure username and password for [registry." +
                                 access.registry + "]");
    response.reset();
    setAuthorization(request, *authorization);
    auto retried = exchange(request, access);
    if (retried->status() == 401) {
        if (challenge.scheme == "bearer")
            tokens_.invalidate(TokenCache::keyOf(access.registry, challenge.realm, challenge.service, scope));
        throw AuthError(401, "registry " + access.registry + ": the upstream still answers 401 with " +
                                 (challenge.scheme == "bearer" ? "a fresh token" : "the configured credentials") +
                                 " for " + scope);
    }
    noteRateLimit(access.registry, retried->head());
    return retried;
}

void RegistryClient::noteRateLimit(const std::string& registry, const Poco::Net::HTTPResponse& head)
{
    // "ratelimit-remaining: 76;w=21600": pulls left in the window.
    const std::string limitText = head.get("ratelimit-limit", "");
    const std::string remainingText = head.get("ratelimit-remaining", "");
    if (limitText.empty() || remainingText.empty())
        return;
    const long limit = std::strtol(limitText.c_str(), nullptr, 10);
    const long remaining = std::strtol(remainingText.c_str(), nullptr, 10);
    const bool low = limit > 0 && remaining * 10 < limit;
    std::lock_guard<std::mutex> lock(mutex_);
    rateLimits_[registry] = RateLimit{limit, remaining};
    bool& warned = rateLimitLow_[registry];
    if (low && !warned)
        Poco::Logger::get("upstream").warning("registry " + registry + ": upstream rate limit low: " +
                                              std::to_string(remaining) + " of " + std::to_string(limit) +
                                              " pulls left in the window");
    warned = low;
}

std::optional<std::string> RegistryClient::authorizationFor(const RegistryAccess& access,
                                                            const KnownChallenge& challenge, bool allowFetch)
{
    if (challenge.scheme == "basic") {
        const UpstreamAuth auth = authOf(access, AuthChallenge{"Basic", challenge.realm, "", ""});
        if (auth.kind != UpstreamAuth::Kind::Basic || auth.credentials.empty())
            return std::nullopt;
        return basicAuthorization(auth.credentials);
    }
    const std::string key = TokenCache::keyOf(access.registry, challenge.realm, challenge.service, access.scope);
    if (auto token = tokens_.find(key))
        return "Bearer " + *token;
    if (!allowFetch)
        return std::nullopt;
    return "Bearer " + fetchToken(access, challenge, access.scope);
}

std::string RegistryClient::fetchToken(const RegistryAccess& access, const KnownChallenge& challenge,
                                       const std::string& scope)
{
    std::string url = challenge.realm;
    std::string query;
    if (!challenge.service.empty())
        query += "service=" + encoded(challenge.service);
    if (!scope.empty())
        query += std::string(query.empty() ? "" : "&") + "scope=" + encoded(scope);
    if (!query.empty())
        url += (url.find('?') == std::string::npos ? "?" : "&") + query;

    UpstreamRequest request;
    request.url = url;
    const UpstreamAuth auth = authOf(access, AuthChallenge{"Bearer", challenge.realm, challenge.service, scope});
    const bool withCredentials = auth.kind == UpstreamAuth::Kind::Basic && !auth.credentials.empty();
    if (withCredentials)
        request.headers.emplace_back("Authorization", basicAuthorization(auth.credentials));
    // The realm is the one this registry advertised; credentials go there and nowhere else (the client drops them
    // on a redirect to another host).
    auto response = exchange(request, access);
    const std::string who = withCredentials ? "the configured credentials of user " + auth.credentials.username
                                            : "an anonymous token";
    if (metrics_ != nullptr)
        metrics_->tokenFetches.with({access.registry, response->status() == 200 ? "ok" : "refused"}).inc();
    if (response->status() == 401 || response->status() == 403)
        throw AuthError(response->status(), "registry " + access.registry + ": token server " +
                                                withoutQuery(challenge.realm) + " refused " + who + " for " + scope +
                                                " (" + std::to_string(response->status()) + ")");
    if (response->status() != 200)
        throw UpstreamError(UpstreamError::Kind::Protocol, "registry " + access.registry + ": token server " +
                                                               withoutQuery(challenge.realm) + " answered " +
                                                               std::to_string(response->status()));
    std::string body(kMaxTokenResponse + 1, '\0');
    response->body().read(body.data(), static_cast<std::streamsize>(body.size()));
    body.resize(static_cast<std::size_t>(response->body().gcount()));
    std::string error;
    auto token = parseTokenResponse(body, error);
    if (!token || body.size() > kMaxTokenResponse)
        throw UpstreamError(UpstreamError::Kind::Protocol, "registry " + access.registry + ": token server " +
                                                               withoutQuery(challenge.realm) + ": " +
                                                               (token ? "answer too large" : error));
    tokens_.put(TokenCache::keyOf(access.registry, challenge.realm, challenge.service, scope), token->token,
                token->expiresIn);
    Poco::Logger::get("upstream").debug("registry " + access.registry + ": got a token for " + scope + " from " +
                                        withoutQuery(challenge.realm) + " with " + who);
    return token->token;
}

}  // namespace vicary::upstream

namespace vicary::upstream {

std::optional<RegistryClient::RateLimit> RegistryClient::rateLimit(const std::string& registry) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = rateLimits_.find(registry);
    if (it == rateLimits_.end())
        return std::nullopt;
    return it->second;
}

}  // namespace vicary::upstream
