#include "upstream/TokenCache.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <typeinfo>

namespace vicary::upstream {

namespace {

/// The string under `name`, or empty when absent or not a string.
std::string stringField(const Poco::JSON::Object& object, const std::string& name)
{
    const Poco::Dynamic::Var value = object.get(name);
    if (value.isEmpty() || !value.isString())
        return {};
    return value.extract<std::string>();
}

std::chrono::seconds expiresInField(const Poco::JSON::Object& object)
{
    const Poco::Dynamic::Var value = object.get("expires_in");
    if (value.isEmpty() || !(value.isNumeric() || value.isString()))
        return TokenCache::kDefaultLifetime;
    try {
        const auto seconds = value.convert<std::int64_t>();
        if (seconds <= 0)
            return TokenCache::kDefaultLifetime;
        return std::chrono::seconds(std::min<std::int64_t>(seconds, TokenCache::kMaxLifetime.count()));
    } catch (const Poco::Exception&) {
        return TokenCache::kDefaultLifetime;
    }
}

}  // namespace

std::optional<TokenResponse> parseTokenResponse(const std::string& json, std::string& error)
{
    Poco::JSON::Object::Ptr object;
    try {
        Poco::JSON::Parser parser;
        const Poco::Dynamic::Var root = parser.parse(json);
        if (root.type() != typeid(Poco::JSON::Object::Ptr)) {
            error = "token response is not a JSON object";
            return std::nullopt;
        }
        object = root.extract<Poco::JSON::Object::Ptr>();
    } catch (const std::exception&) {
        error = "token response is not JSON";  // the parser's message may quote the body
        return std::nullopt;
    }
    if (!object) {
        error = "token response is not a JSON object";
        return std::nullopt;
    }
    try {
        TokenResponse response;
        response.token = stringField(*object, "token");
        if (response.token.empty())
            response.token = stringField(*object, "access_token");
        if (response.token.empty()) {
            error = "token response has neither a token nor an access_token";
            return std::nullopt;
        }
        response.expiresIn = expiresInField(*object);
        error.clear();
        return response;
    } catch (const std::exception&) {
        error = "token response has unreadable fields";
        return std::nullopt;
    }
}

TokenCache::TokenCache(Clock clock, std::size_t capacity)
    : clock_(clock ? std::move(clock) : Clock([] { return std::chrono::system_clock::now(); })),
      capacity_(std::max<std::size_t>(capacity, 1))
{
}

std::optional<std::string> TokenCache::find(const std::string& key) const
{
    const TimePoint now = clock_();
    std::lock_guard<std::mutex> lock(mutex_);
    const auto entry = tokens_.find(key);
    if (entry == tokens_.end() || entry->second.expiresAt <= now + kMargin)
        return std::nullopt;
    return entry->second.value;
}

void TokenCache::put(const std::string& key, std::string value, std::chrono::seconds expiresIn)
{
    if (expiresIn <= std::chrono::seconds::zero())
        expiresIn = kDefaultLifetime;
    expiresIn = std::min(expiresIn, kMaxLifetime);
    const TimePoint now = clock_();
    const TimePoint expiresAt = now + expiresIn;

    std::lock_guard<std::mutex> lock(mutex_);
    const auto existing = tokens_.find(key);
    if (existing != tokens_.end())
        eraseLocked(existing);
    dropExpiredLocked(now);
    while (tokens_.size() >= capacity_ && !byExpiry_.empty())
        eraseLocked(tokens_.find(byExpiry_.begin()->second));
    tokens_.emplace(key, Token{std::move(value), expiresAt});
    byExpiry_.emplace(expiresAt, key);
}

void TokenCache::invalidate(const std::string& key)
{
    std::lock_guard<std::mutex> lock(mutex_);
    const auto entry = tokens_.find(key);
    if (entry != tokens_.end())
        eraseLocked(entry);
}

void TokenCache::clear()
{
    std::lock_guard<std::mutex> lock(mutex_);
    tokens_.clear();
    byExpiry_.clear();
}

std::size_t TokenCache::size() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return tokens_.size();
}

std::string TokenCache::keyOf(const std::string& registry, const std::string& realm, const std::string& service,
                              const std::string& scope)
{
    std::string key;
    key.reserve(registry.size() + realm.size() + service.size() + scope.size() + 32);
    for (const std::string* part : {&registry, &realm, &service, &scope}) {
        key += std::to_string(part->size());
        key += ':';
        key += *part;
        key += ';';
    }
    return key;
}

void TokenCache::dropExpiredLocked(TimePoint now)
{
    while (!byExpiry_.empty() && byExpiry_.begin()->first <= now + kMargin)
        eraseLocked(tokens_.find(byExpiry_.begin()->second));
}

void TokenCache::eraseLocked(std::unordered_map<std::string, Token>::iterator entry)
{
    byExpiry_.erase({entry->second.expiresAt, entry->first});
    tokens_.erase(entry);
}

}  // namespace vicary::upstream
