// Client authentication for the whole server: HTTP Basic against an htpasswd file, with lockouts after failures.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/FailedAttempts.h"
#include "auth/Htpasswd.h"
#include "config/Settings.h"

namespace vicary::auth {

/// What to do with a request.
struct Decision {
    enum class Kind {
        Allowed,    ///< valid credentials of `user`
        Challenge,  ///< none or wrong: 401 with the Basic challenge
        LockedOut,  ///< too many failures from this address: 429 for `retryAfter`
    };
    Kind kind = Kind::Challenge;
    std::string user;                  ///< the user name, when Allowed
    std::string reason;                ///< for the client's error message: never a secret
    std::chrono::seconds retryAfter{0};  ///< when LockedOut
    bool failed = false;                 ///< a Challenge because the credentials given were wrong (not absent)
};

/// Checks Authorization headers. A successful check is remembered (keyed by a salted SHA-256 of the credentials, so
/// no password is kept) for a few minutes, because clients send Basic credentials with every request and bcrypt is
/// deliberately slow. Failures are logged (client address, user, why; never the password) and counted per client
/// address; at [auth] max_failures the address is locked out for [auth] lockout. Thread-safe.
class ClientAuth {
public:
    ClientAuth(Htpasswd users, const config::AuthSettings& settings);

    /// Judges the Authorization header value `authorization` ("" when absent) of a request from `client` (its
    /// address, without port).
    Decision check(const std::string& authorization, const std::string& client);

    /// The Basic challenge: `Basic realm="<realm>", charset="UTF-8"`.
    std::string challenge() const;

private:
    bool rememberedValid(const std::string& key, std::chrono::steady_clock::time_point now);
    void remember(const std::string& key, std::chrono::steady_clock::time_point now);
    Decision failure(const std::string& client, const std::string& user, const std::string& why);

    const Htpasswd users_;
    const std::string realm_;
    const std::string salt_;  ///< random per process, so remembered keys say nothing about passwords
    FailedAttempts failures_;
    std::mutex mutex_;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> verified_;  ///< key → valid until
};

/// The user name in a Basic Authorization header value; "" when there is none. Does not check the password: only
/// for requests the server already authenticated.
std::string basicUser(const std::string& authorization);

}  // namespace vicary::auth
