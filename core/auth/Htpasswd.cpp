#include "auth/Htpasswd.h"

#include <crypt.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace vicary::auth {
namespace {

bool isBcrypt(const std::string& hash)
{
    // "$2y$" cost(2 digits) "$" 53 characters of salt and hash.
    return hash.size() == 60 && hash[0] == '$' && hash[1] == '2' &&
           (hash[2] == 'a' || hash[2] == 'b' || hash[2] == 'y') && hash[3] == '$' && hash[6] == '$';
}

/// Equal strings, in time that depends on their lengths only.
bool constantTimeEquals(const std::string& a, const std::string& b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

}  // namespace

Htpasswd Htpasswd::load(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot read the htpasswd file");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw std::runtime_error(path + ": cannot read the htpasswd file");
    return parse(text.str(), path);
}

Htpasswd Htpasswd::parse(const std::string& text, const std::string& path)
{
    Htpasswd users;
    std::istringstream lines(text);
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty() || line[0] == '#')
            continue;
        const std::string where = path + ":" + std::to_string(number) + ": ";
        const auto colon = line.find(':');
        if (colon == std::string::npos || colon == 0)
            throw std::runtime_error(where + "not 'user:hash'");
        const std::string user = line.substr(0, colon);
        const std::string hash = line.substr(colon + 1);
        if (!isBcrypt(hash))
            throw std::runtime_error(where + "user '" + user +
                                     "' has a hash that is not bcrypt; create it with htpasswd -B");
        if (!users.hashes_.emplace(user, hash).second)
            throw std::runtime_error(where + "user '" + user + "' is listed twice");
    }
    if (users.hashes_.empty())
        throw std::runtime_error(path + ": names no user; add one with htpasswd -B " + path + " <user>");
    return users;
}

bool Htpasswd::verify(const std::string& user, const std::string& password) const
{
    if (hashes_.empty() || password.find('\0') != std::string::npos)
        return false;
    const auto found = hashes_.find(user);
    const bool known = found != hashes_.end();
    const std::string& setting = known ? found->second : hashes_.begin()->second;
    auto data = std::make_unique<crypt_data>();  // large (32 KiB): not on a worker thread's stack
    const char* hashed = crypt_r(password.c_str(), setting.c_str(), data.get());
    // libxcrypt answers a failure with NULL or a string starting with '*', which never equals a bcrypt hash.
    const bool matches = hashed != nullptr && constantTimeEquals(hashed, setting);
    return known && matches;
}

}  // namespace vicary::auth
