// The users of an htpasswd file, with bcrypt hashes checked by crypt(3) from libxcrypt.
#pragma once

#include <map>
#include <string>

namespace vicary::auth {

/// User name → bcrypt hash, as `htpasswd -B` writes them ("user:$2y$05$..." a line). Only bcrypt ($2a$, $2b$, $2y$)
/// is accepted: the older htpasswd schemes (MD5 apr1, SHA-1, crypt DES, plain text) are too cheap to guess. Immutable
/// once loaded, so it is shared by all worker threads without locking.
class Htpasswd {
public:
    /// Reads and parses `path`. Throws std::runtime_error naming the file (and line) when it cannot be read, a line
    /// is not "user:hash", a hash is not bcrypt, a user is listed twice, or it names no user at all. Blank lines and
    /// lines starting with '#' are skipped.
    static Htpasswd load(const std::string& path);
    /// Parses `text` as the content of the file `path` (named in errors only).
    static Htpasswd parse(const std::string& text, const std::string& path);

    /// Whether `password` is `user`'s: crypt_r(3) with the stored hash as setting, compared in constant time. An
    /// unknown user costs the same bcrypt computation, so response times do not tell which users exist.
    bool verify(const std::string& user, const std::string& password) const;
    bool hasUser(const std::string& user) const { return hashes_.count(user) != 0; }
    std::size_t size() const noexcept { return hashes_.size(); }

private:
    std::map<std::string, std::string> hashes_;
};

}  // namespace vicary::auth
