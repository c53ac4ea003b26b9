// A resolver that asks given DNS servers through c-ares (VICARY_RESOLVER).
#pragma once

#include "upstream/DnsResolver.h"

namespace vicary::upstream {

/// Asks exactly the configured DNS servers: no /etc/hosts, no search domains, no resolv.conf servers. Each lookup
/// gets a c-ares channel of its own, so lookups run in parallel without sharing state.
class CaresResolver final : public DnsResolver {
public:
    /// `servers` as "ip", "ip:port" or "[ipv6]:port", asked in that order; `ipv6` false asks for A records only;
    /// `timeout` bounds each resolve() call, retries included. Throws std::invalid_argument for an empty server list,
    /// a server c-ares cannot parse, or a non-positive timeout; ResolveError if c-ares cannot be set up.
    CaresResolver(std::vector<std::string> servers, bool ipv6, std::chrono::milliseconds timeout);

    /// See DnsResolver::resolve. Thread-safe. Each server gets two tries (the second with twice the wait, as c-ares
    /// does), scheduled to fit the timeout; the timeout is also enforced by a hard deadline.
    std::vector<Poco::Net::IPAddress> resolve(const std::string& host) const override;

    /// "DNS servers 127.0.0.1:5353, [::1]:53", with " (IPv4 only)" when ipv6 is off.
    std::string describe() const override;

private:
    std::vector<std::string> _servers;
    std::string _serversCsv;  ///< for ares_set_servers_ports_csv
    bool _ipv6;
    std::chrono::milliseconds _timeout;
};

}  // namespace vicary::upstream
