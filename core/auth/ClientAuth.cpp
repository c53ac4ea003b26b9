#include "auth/ClientAuth.h"

#include <optional>

#include <Poco/Crypto/DigestEngine.h>
#include <Poco/Logger.h>
#include <Poco/RandomStream.h>
#include <Poco/String.h>

#include "config/Base64Credentials.h"

namespace vicary::auth {
namespace {

constexpr std::chrono::minutes kRemembered{5};
constexpr std::size_t kMaxRemembered = 4096;

std::string randomSalt()
{
    Poco::RandomInputStream random;
    std::string salt(32, '\0');
    random.read(salt.data(), static_cast<std::streamsize>(salt.size()));
    return salt;
}

/// The credentials part of a Basic Authorization value (trimmed), or nullopt when the scheme is not Basic.
std::optional<std::string> basicToken(const std::string& authorization)
{
    const std::string value = Poco::trim(authorization);
    const auto space = value.find(' ');
    if (space == std::string::npos || Poco::icompare(value.substr(0, space), "basic") != 0)
        return std::nullopt;
    return Poco::trim(value.substr(space + 1));
}

/// The credentials of a Basic Authorization value, or false (with `why`) when it is not one.
bool basicCredentials(const std::string& authorization, Credentials& credentials, std::string& why)
{
    const std::optional<std::string> token = basicToken(authorization);
    if (!token) {
        why = "not Basic credentials";
        return false;
    }
    try {
        credentials = config::decodeBase64Credentials(*token);
    } catch (const std::exception&) {
        why = "malformed Basic credentials";
        return false;
    }
    return true;
}

/// No credentials: no header, or Basic with an empty user and password (what skopeo sends when it has none). Not a
/// failed attempt, just a client that has yet to be asked.
bool isAnonymous(const std::string& authorization)
{
    if (Poco::trim(authorization).empty())
        return true;
    const std::optional<std::string> token = basicToken(authorization);
    return token && (token->empty() || *token == "Og==");  // "" or base64(":")
}

}  // namespace

ClientAuth::ClientAuth(Htpasswd users, const config::AuthSettings& settings)
    : users_(std::move(users)),
      realm_(settings.realm),
      salt_(randomSalt()),
      failures_(settings.maxFailures, settings.lockout)
{
}

std::string ClientAuth::challenge() const
{
    return "Basic realm=\"" + realm_ + "\", charset=\"UTF-8\"";
}

Decision ClientAuth::check(const std::string& authorization, const std::string& client)
{
    const auto now = std::chrono::steady_clock::now();
    if (const auto wait = failures_.lockedFor(client); wait.count() > 0)
        return {Decision::Kind::LockedOut, "", "too many failed authentication attempts from " + client, wait};
    if (isAnonymous(authorization))
        return {Decision::Kind::Challenge, "", "authentication required", std::chrono::seconds(0)};

    Credentials credentials;
    std::string why;
    if (!basicCredentials(authorization, credentials, why))
        return failure(client, "", why);

    Poco::Crypto::DigestEngine sha256("SHA256");
    sha256.update(salt_);
    sha256.update(credentials.username);
    sha256.update('\0');
    sha256.update(credentials.password);
    const std::string key = Poco::Crypto::DigestEngine::digestToHex(sha256.digest());
    if (rememberedValid(key, now))
        return {Decision::Kind::Allowed, credentials.username, "", std::chrono::seconds(0)};
    if (!users_.verify(credentials.username, credentials.password))
        return failure(client, credentials.username,
                       users_.hasUser(credentials.username) ? "wrong password" : "unknown user");
    remember(key, now);
    failures_.succeed(client);
    return {Decision::Kind::Allowed, credentials.username, "", std::chrono::seconds(0)};
}

Decision ClientAuth::failure(const std::string& client, const std::string& user, const std::string& why)
{
    const unsigned count = failures_.fail(client);
    auto& log = Poco::Logger::get("auth");
    const std::string who = user.empty() ? std::string() : " for user '" + user + "'";
    if (count >= failures_.maxFailures())
        log.warning("client " + client + ": authentication failed" + who + " (" + why + "); " +
                    std::to_string(count) + " failures: locked out for " +
                    std::to_string(failures_.lockout().count()) + " s");
    else
        log.warning("client " + client + ": authentication failed" + who + " (" + why + "), failure " +
                    std::to_string(count) + " of " + std::to_string(failures_.maxFailures()) + " before a lockout");
    return {Decision::Kind::Challenge, "", "authentication failed: " + why, std::chrono::seconds(0), true};
}

bool ClientAuth::rememberedValid(const std::string& key, std::chrono::steady_clock::time_point now)
{
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = verified_.find(key);
    if (found == verified_.end())
        return false;
    if (found->second > now)
        return true;
    verified_.erase(found);
    return false;
}

void ClientAuth::remember(const std::string& key, std::chrono::steady_clock::time_point now)
{
    std::lock_guard<std::mutex> lock(mutex_);
    if (verified_.size() >= kMaxRemembered)
        verified_.clear();  // bounded; the next requests pay one bcrypt each again
    verified_[key] = now + kRemembered;
}

std::string basicUser(const std::string& authorization)
{
    Credentials credentials;
    std::string why;
    return basicCredentials(authorization, credentials, why) ? credentials.username : std::string();
}

}  // namespace vicary::auth
