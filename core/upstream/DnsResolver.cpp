#include "upstream/DnsResolver.h"

#include <algorithm>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "upstream/CaresResolver.h"
#include "upstream/SystemResolver.h"

namespace vicary::upstream {

std::unique_ptr<DnsResolver> makeDnsResolver(const std::vector<std::string>& servers, bool ipv6,
                                             std::chrono::milliseconds timeout)
{
    if (timeout.count() <= 0)
        throw std::invalid_argument("DNS resolver timeout must be positive, got " + std::to_string(timeout.count()) +
                                    " ms");
    if (servers.empty())
        return std::make_unique<SystemResolver>(ipv6, timeout);
    return std::make_unique<CaresResolver>(servers, ipv6, timeout);
}

std::optional<Poco::Net::IPAddress> parseIpLiteral(const std::string& host)
{
    std::string text = host;
    if (text.size() > 2 && text.front() == '[' && text.back() == ']')
        text = text.substr(1, text.size() - 2);
    in_addr v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4) == 1)
        return Poco::Net::IPAddress(&v4, sizeof v4);
    Poco::Net::IPAddress v6;
    if (text.find(':') != std::string::npos && Poco::Net::IPAddress::tryParse(text, v6) &&
        v6.family() == Poco::Net::IPAddress::IPv6)
        return v6;
    return std::nullopt;
}

void orderForConnecting(std::vector<Poco::Net::IPAddress>& addresses)
{
    std::vector<Poco::Net::IPAddress> unique;
    for (const Poco::Net::IPAddress& address : addresses)
        if (std::find(unique.begin(), unique.end(), address) == unique.end())
            unique.push_back(address);
    std::stable_partition(unique.begin(), unique.end(), [](const Poco::Net::IPAddress& address) {
        return address.family() == Poco::Net::IPAddress::IPv4;
    });
    addresses = std::move(unique);
}

}  // namespace vicary::upstream
