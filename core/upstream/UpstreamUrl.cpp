#include "upstream/UpstreamUrl.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace vicary::upstream {

namespace {

std::uint16_t defaultPort(const std::string& scheme)
{
    return scheme == "https" ? 443 : 80;
}

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

/// RFC 3986 5.2.4: "/a/b/../c/./d" -> "/a/c/d".
std::string removeDotSegments(const std::string& path)
{
    std::vector<std::string> out;
    std::size_t start = 1;
    bool trailingSlash = false;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos)
            end = path.size();
        const std::string segment = path.substr(start, end - start);
        if (segment == "..") {
            if (!out.empty())
                out.pop_back();
            trailingSlash = true;
        } else if (segment == ".") {
            trailingSlash = true;
        } else {
            out.push_back(segment);
            trailingSlash = false;
        }
        start = end + 1;
    }
    std::string result;
    for (const std::string& segment : out)
        result += "/" + segment;
    if (trailingSlash || result.empty())
        result += "/";
    return result;
}

}  // namespace

std::string UpstreamUrl::authority() const
{
    std::string text = hostIsIpv6() ? "[" + host + "]" : host;
    if (port != defaultPort(scheme))
        text += ":" + std::to_string(port);
    return text;
}

std::string UpstreamUrl::origin() const
{
    return scheme + "://" + (hostIsIpv6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string UpstreamUrl::target() const
{
    return query.empty() ? path : path + "?" + query;
}

std::string UpstreamUrl::withoutQuery() const
{
    return scheme + "://" + authority() + path;
}

std::string UpstreamUrl::toString() const
{
    return scheme + "://" + authority() + target();
}

std::optional<UpstreamUrl> parseUpstreamUrl(const std::string& text)
{
    const std::size_t colon = text.find("://");
    if (colon == std::string::npos)
        return std::nullopt;
    UpstreamUrl url;
    url.scheme = lower(text.substr(0, colon));
    if (url.scheme != "http" && url.scheme != "https")
        return std::nullopt;
    for (char c : text)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return std::nullopt;  // no spaces or control characters: they would corrupt the request line

    std::string rest = text.substr(colon + 3);
    if (const std::size_t hash = rest.find('#'); hash != std::string::npos)
        rest.erase(hash);
    const std::size_t authorityEnd = rest.find_first_of("/?");
    std::string authority = rest.substr(0, authorityEnd);
    std::string pathAndQuery = authorityEnd == std::string::npos ? "" : rest.substr(authorityEnd);
    if (const std::size_t at = authority.rfind('@'); at != std::string::npos)
        authority.erase(0, at + 1);

    std::string portText;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string::npos)
            return std::nullopt;
        url.host = authority.substr(1, close - 1);
        if (url.host.find(':') == std::string::npos)
            return std::nullopt;
        const std::string after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return std::nullopt;
            portText = after.substr(1);
        }
    } else {
        const std::size_t portColon = authority.find(':');
        url.host = authority.substr(0, portColon);
        if (portColon != std::string::npos)
            portText = authority.substr(portColon + 1);
        if (url.host.find_first_of("[]") != std::string::npos)
            return std::nullopt;
    }
    url.host = lower(url.host);
    if (url.host.empty())
        return std::nullopt;
    if (portText.empty()) {
        url.port = defaultPort(url.scheme);
    } else {
        if (portText.size() > 5 || !std::all_of(portText.begin(), portText.end(),
                                                [](unsigned char c) { return std::isdigit(c) != 0; }))
            return std::nullopt;
        const unsigned long port = std::stoul(portText);
        if (port == 0 || port > 65535)
            return std::nullopt;
        url.port = static_cast<std::uint16_t>(port);
    }

    const std::size_t question = pathAndQuery.find('?');
    url.path = pathAndQuery.substr(0, question);
    if (question != std::string::npos)
        url.query = pathAndQuery.substr(question + 1);
    if (url.path.empty())
        url.path = "/";
    return url;
}

std::optional<UpstreamUrl> resolveLocation(const UpstreamUrl& base, const std::string& location)
{
    if (location.empty())
        return std::nullopt;
    if (location.find("://") != std::string::npos && location.find("://") < location.find_first_of("/?#"))
        return parseUpstreamUrl(location);
    if (location.size() >= 2 && location.compare(0, 2, "//") == 0)
        return parseUpstreamUrl(base.scheme + ":" + location);
    for (char c : location)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
            return std::nullopt;

    std::string reference = location.substr(0, location.find('#'));
    UpstreamUrl url = base;
    const std::size_t question = reference.find('?');
    std::string path = reference.substr(0, question);
    std::string query = question == std::string::npos ? "" : reference.substr(question + 1);
    if (path.empty()) {
        if (question == std::string::npos)
            return url;  // only a fragment: the same resource
        url.query = query;
        return url;
    }
    if (path.front() != '/')
        path = base.path.substr(0, base.path.rfind('/') + 1) + path;
    url.path = removeDotSegments(path);
    url.query = query;
    return url;
}

}  // namespace vicary::upstream
