#include "config/NetworkParsers.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

#include <Poco/String.h>

namespace vicary::config {
namespace {

bool isLabel(const std::string& label)
{
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
        return false;
    return std::all_of(label.begin(), label.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool isNonZeroPort(const std::string& digits)
{
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (digits.empty() || digits.size() > 5 || !std::all_of(digits.begin(), digits.end(), digit))
        return false;
    const long port = std::stol(digits);
    return port >= 1 && port <= 65535;
}

bool hasSpaceOrControl(const std::string& text)
{
    return std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; });
}

/// Checks "host" or "host:port" of a host list entry.
bool isHostWithOptionalPort(const std::string& entry)
{
    const auto colon = entry.find(':');
    if (colon == std::string::npos)
        return isHostName(entry);
    return isHostName(entry.substr(0, colon)) && isNonZeroPort(entry.substr(colon + 1));
}

/// Parses the authority of a URL ("host", "host:port", "[v6]:port") into its canonical form; "" if invalid.
std::string canonicalAuthority(const std::string& authority)
{
    std::string host;
    std::string rest;
    if (!authority.empty() && authority[0] == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos)
            return "";
        const std::string v6 = canonicalIpv6(authority.substr(1, close - 1));
        if (v6.empty())
            return "";
        host = "[" + v6 + "]";
        rest = authority.substr(close + 1);
    } else {
        const auto colon = authority.find(':');
        host = Poco::toLower(authority.substr(0, colon));
        rest = colon == std::string::npos ? "" : authority.substr(colon);
        if (!isHostName(host))
            return "";
    }
    if (rest.empty())
        return host;
    if (rest[0] != ':' || !isNonZeroPort(rest.substr(1)))
        return "";
    return host + rest;
}

}  // namespace

bool isHostName(const std::string& host)
{
    if (host.empty() || host.size() > 253)
        return false;
    std::size_t start = 0;
    while (true) {
        const auto dot = host.find('.', start);
        if (!isLabel(host.substr(start, dot == std::string::npos ? std::string::npos : dot - start)))
            return false;
        if (dot == std::string::npos)
            return true;
        start = dot + 1;
    }
}

bool isIpv4Literal(const std::string& text)
{
    in_addr address{};
    return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

std::string canonicalIpv6(const std::string& text)
{
    in6_addr address{};
    if (inet_pton(AF_INET6, text.c_str(), &address) != 1)
        return "";
    char buffer[INET6_ADDRSTRLEN] = {};
    if (inet_ntop(AF_INET6, &address, buffer, sizeof buffer) == nullptr)
        return "";
    return buffer;
}

std::string parseBindAddress(const std::string& value)
{
    if (isIpv4Literal(value))
        return value;
    std::string v6 = value;
    if (v6.size() > 2 && v6.front() == '[' && v6.back() == ']')
        v6 = v6.substr(1, v6.size() - 2);
    if (const std::string canonical = canonicalIpv6(v6); !canonical.empty())
        return canonical;
    const std::string host = Poco::toLower(value);
    if (isHostName(host))
        return host;
    throw ValueError(quoted(value) + " is not an IPv4 address, an IPv6 address or a host name");
}

std::vector<std::string> parseHostList(const std::string& value)
{
    std::vector<std::string> hosts;
    std::set<std::string> seen;
    std::string entry;
    const auto flush = [&] {
        if (entry.empty())
            return;
        const std::string host = Poco::toLower(entry);
        if (!isHostWithOptionalPort(host))
            throw ValueError(quoted(entry) + " is not a host name (letters, digits, '-' and '.', optionally with "
                                             ":port)");
        if (!seen.insert(host).second)
            throw ValueError(quoted(entry) + " is listed twice");
        hosts.push_back(host);
        entry.clear();
    };
    for (char c : value) {
        if (c == ',' || std::isspace(static_cast<unsigned char>(c)))
            flush();
        else
            entry += c;
    }
    flush();
    if (hosts.empty() && !value.empty())
        throw ValueError(quoted(value) + " holds no host name");
    return hosts;
}

std::string parseBaseUrl(const std::string& value)
{
    const auto separator = value.find("://");
    const std::string scheme = separator == std::string::npos ? "" : Poco::toLower(value.substr(0, separator));
    if (scheme != "http" && scheme != "https")
        throw ValueError(quoted(value) + " is not an http:// or https:// URL");
    const std::string rest = value.substr(separator + 3);
    const auto pathStart = std::min(rest.find('/'), rest.size());
    const std::string authority = rest.substr(0, pathStart);
    if (authority.find('@') != std::string::npos)
        throw ValueError("the URL carries user info (user@ or user:password@), which is not accepted; set the "
                         "username and password keys instead");
    if (rest.find_first_of("?#") != std::string::npos)
        throw ValueError(quoted(value) + " has a query or fragment; give only scheme, host, port and path");
    if (hasSpaceOrControl(value))
        throw ValueError(quoted(value) + " contains a space or control character");
    const std::string canonical = canonicalAuthority(authority);
    if (canonical.empty())
        throw ValueError(quoted(value) + " has no valid host (a host name, an IPv4 address or [IPv6]) with an "
                                         "optional :port (1-65535)");
    std::string path = rest.substr(pathStart);
    while (!path.empty() && path.back() == '/')
        path.pop_back();
    return scheme + "://" + canonical + path;
}

std::string urlScheme(const std::string& url)
{
    return url.substr(0, url.find("://"));
}

}  // namespace vicary::config
