#include "config/ResolverParser.h"

#include <algorithm>
#include <sstream>

#include "config/NetworkParsers.h"

namespace vicary::config {
namespace {

/// "53" for an empty port, the port itself if it is 1-65535; throws otherwise.
std::string checkedPort(const std::string& token, const std::string& port)
{
    if (port.empty())
        return "53";
    const bool digits = port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) {
                            return c >= '0' && c <= '9';
                        });
    if (!digits || std::stol(port) < 1 || std::stol(port) > 65535)
        throw ValueError(quoted(token) + " has a bad port (1-65535)");
    return port;
}

/// Normalises one server token to "ip:port" or "[v6]:port".
std::string parseServer(const std::string& token)
{
    if (token[0] == '[') {
        const auto close = token.find(']');
        const std::string v6 = close == std::string::npos ? "" : canonicalIpv6(token.substr(1, close - 1));
        const std::string rest = close == std::string::npos ? "" : token.substr(close + 1);
        if (v6.empty() || (!rest.empty() && rest[0] != ':'))
            throw ValueError(quoted(token) + " is not an IP address with an optional port");
        return "[" + v6 + "]:" + checkedPort(token, rest.empty() ? "" : rest.substr(1));
    }
    if (const std::string v6 = canonicalIpv6(token); !v6.empty())
        return "[" + v6 + "]:53";
    const auto colon = token.find(':');
    const std::string host = token.substr(0, colon);
    if (!isIpv4Literal(host)) {
        const bool numeric = host.find_first_not_of("0123456789.") == std::string::npos;
        if (!numeric && isHostName(host))
            throw ValueError(quoted(token) + " is a host name; the resolver takes IP addresses only (e.g. 1.1.1.1 or "
                                             "[2606:4700::1111])");
        throw ValueError(quoted(token) + " is not an IP address with an optional port");
    }
    return host + ":" + checkedPort(token, colon == std::string::npos ? "" : token.substr(colon + 1));
}

}  // namespace

ResolverSpec parseResolver(const std::string& value)
{
    ResolverSpec spec;
    bool sawOption = false;
    std::istringstream tokens(value);
    std::string token;
    while (tokens >> token) {
        const auto equals = token.find('=');
        if (equals == std::string::npos) {
            spec.servers.push_back(parseServer(token));
            continue;
        }
        sawOption = true;
        const std::string name = token.substr(0, equals);
        const std::string setting = token.substr(equals + 1);
        if (name != "ipv6")
            throw ValueError(quoted(token) + " is not a supported option (the only option is ipv6=on|off)");
        if (setting != "on" && setting != "off")
            throw ValueError(quoted(token) + " must be ipv6=on or ipv6=off");
        spec.ipv6 = setting == "on";
    }
    if (sawOption && spec.servers.empty())
        throw ValueError(quoted(value) + " has options but no server address");
    return spec;
}

}  // namespace vicary::config
