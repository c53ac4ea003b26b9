// Name resolution for upstream registries: the system resolver or the DNS servers of VICARY_RESOLVER.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Net/IPAddress.h>

namespace vicary::upstream {

/// A failed lookup; what() names the host, the resolver asked (servers or "system resolver") and the reason
/// (no such host, no address records, timed out, connection refused, ...).
class ResolveError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Turns an upstream host name into the addresses to connect to. The caller connects to them itself, in order.
class DnsResolver {
public:
    virtual ~DnsResolver() = default;

    /// Addresses of `host` in the order to try them: IPv4 first, then IPv6 (each family in the order the resolver gave,
    /// duplicates dropped), because an IPv6 route that is configured but broken is the commoner failure. Only IPv4
    /// when the resolver was made with ipv6 = false. An IP literal ("10.0.0.1", "::1" or "[::1]") is returned as is,
    /// whatever the ipv6 setting, without any query. Safe to call from many threads at once; blocks at most the
    /// resolver's timeout, all retries included. Throws ResolveError on failure, never returns an empty list.
    virtual std::vector<Poco::Net::IPAddress> resolve(const std::string& host) const = 0;

    /// For logs: "system resolver" or "DNS servers 127.0.0.1:5353, [::1]:53", with " (IPv4 only)" when ipv6 is off.
    virtual std::string describe() const = 0;
};

/// The system resolver (getaddrinfo: /etc/hosts, nsswitch, resolv.conf) when `servers` is empty, else c-ares asking
/// exactly those servers ("1.2.3.4", "1.2.3.4:53", "[::1]:5353"), with no /etc/hosts and no search domains: the
/// lookup is the name as given. `ipv6` false asks for A records only. `timeout` bounds each resolve() call. Throws
/// std::invalid_argument for a non-positive timeout or a server c-ares cannot parse (the message names it).
std::unique_ptr<DnsResolver> makeDnsResolver(const std::vector<std::string>& servers, bool ipv6,
                                             std::chrono::milliseconds timeout);

/// `host` as an IP address if it is an IPv4 literal in dotted-quad form or an IPv6 literal, bracketed or not
/// (with an optional "%scope"); std::nullopt for anything else, including forms like "127.1".
std::optional<Poco::Net::IPAddress> parseIpLiteral(const std::string& host);

/// Puts `addresses` in connection order: IPv4 before IPv6, stable within a family, later duplicates removed.
void orderForConnecting(std::vector<Poco::Net::IPAddress>& addresses);

}  // namespace vicary::upstream
