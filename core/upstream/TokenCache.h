// Bearer tokens from upstream token realms, kept until shortly before they expire.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace vicary::upstream {

/// What a token realm answered (distribution spec, "Token Response Fields").
struct TokenResponse {
    std::string token;              ///< `token`, else `access_token`; never empty
    std::chrono::seconds expiresIn; ///< `expires_in`; 60 s when absent, not a positive number, or out of range
};

/// The token in a token realm's JSON response body. Accepts `token` or `access_token` (a non-empty `token` wins
/// when both are present). On failure returns std::nullopt and sets `error` to a short description that never
/// contains the token or the body (e.g. "token response is not JSON"); on success clears `error`.
/// The caller bounds the body size. Never throws; safe to call concurrently.
std::optional<TokenResponse> parseTokenResponse(const std::string& json, std::string& error);

/// Tokens per (registry, realm, service, scope), each until it expires. Thread-safe: every method may be called
/// concurrently. Holds at most `capacity` tokens: a put() into a full cache first drops expired tokens, then the
/// ones that expire soonest.
class TokenCache {
public:
    using TimePoint = std::chrono::system_clock::time_point;
    using Clock = std::function<TimePoint()>;

    struct Token {
        std::string value;
        TimePoint expiresAt;
    };

    /// find() treats a token that expires within this margin as gone, so a request never leaves with a token that
    /// expires in flight.
    static constexpr std::chrono::seconds kMargin{10};
    /// The lifetime of a token whose realm gave none (the distribution spec's default).
    static constexpr std::chrono::seconds kDefaultLifetime{60};
    /// Longer lifetimes are cut to this.
    static constexpr std::chrono::seconds kMaxLifetime{24 * 60 * 60};
    static constexpr std::size_t kDefaultCapacity = 10000;

    /// `clock` gives the current time (std::chrono::system_clock::now when empty); `capacity` of 0 counts as 1.
    explicit TokenCache(Clock clock = {}, std::size_t capacity = kDefaultCapacity);

    /// The token stored under `key` if it is still valid for more than kMargin; std::nullopt otherwise.
    std::optional<std::string> find(const std::string& key) const;

    /// Stores `value` under `key`, replacing any token there, valid for `expiresIn` from now (kDefaultLifetime when
    /// `expiresIn` <= 0, at most kMaxLifetime). A lifetime no longer than kMargin is stored but never found.
    void put(const std::string& key, std::string value, std::chrono::seconds expiresIn);

    /// Forgets the token under `key` (e.g. after the upstream refused it); nothing happens when there is none.
    void invalidate(const std::string& key);
    /// Drops every token (credentials changed on reload).
    void clear();

    /// How many tokens are stored, expired ones not yet dropped included.
    std::size_t size() const;

    /// The cache key for a token: unambiguous for any four strings (each part is length-prefixed).
    /// Contains the scope and realm, so it is not a secret, but it is not meant for logs either.
    static std::string keyOf(const std::string& registry, const std::string& realm, const std::string& service,
                             const std::string& scope);

private:
    /// Drops tokens find() would no longer return. Needs mutex_.
    void dropExpiredLocked(TimePoint now);
    void eraseLocked(std::unordered_map<std::string, Token>::iterator entry);

    Clock clock_;
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Token> tokens_;
    std::set<std::pair<TimePoint, std::string>> byExpiry_;  ///< the same tokens, soonest to expire first
};

}  // namespace vicary::upstream
