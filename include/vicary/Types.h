// Plain value types shared by the core and registry plugins.
// Part of the Vicary plugin SDK: this header depends on the standard library only.
#pragma once

#include <string>
#include <vector>

namespace vicary {

/// Severity of a message a plugin hands to HostServices::log.
enum class LogLevel { Debug, Info, Warning, Error };

/// A user name and secret for an upstream registry (Basic auth, or the Basic auth that a token realm asks for).
/// An empty username means "no credentials".
struct Credentials {
    std::string username;
    std::string password;

    bool empty() const noexcept { return username.empty(); }
};

/// One challenge from an upstream's WWW-Authenticate header, as the core parsed it.
struct AuthChallenge {
    std::string scheme;   ///< "Bearer" or "Basic", as sent (compare case-insensitively)
    std::string realm;    ///< token endpoint URL (Bearer) or realm name (Basic)
    std::string service;  ///< Bearer only; may be empty
    std::string scope;    ///< Bearer only; may be empty
};

/// What a plugin tells the core to present when it answers a challenge.
struct UpstreamAuth {
    enum class Kind {
        Anonymous,  ///< ask the realm for an anonymous token, or send no Authorization at all
        Basic,      ///< present `credentials` with HTTP Basic (to the token realm, or to the registry itself)
    };
    Kind kind = Kind::Anonymous;
    Credentials credentials;
};

/// The outcome of mapping a client's repository name to the upstream's.
/// Exactly one of `name` (on success) or `error` (on refusal) is non-empty.
struct MappedName {
    std::string name;
    std::string error;

    bool ok() const noexcept { return error.empty(); }
};

}  // namespace vicary
