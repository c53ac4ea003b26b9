// The system resolver (getaddrinfo), bounded by a timeout.
#pragma once

#include "upstream/DnsResolver.h"

namespace vicary::upstream {

/// Resolves with getaddrinfo, so /etc/hosts, nsswitch.conf and resolv.conf apply. getaddrinfo cannot be cancelled,
/// so each lookup runs on a detached thread of its own and resolve() stops waiting for it at the timeout; a lookup
/// abandoned that way finishes in the background within the system's own resolv.conf timeouts.
class SystemResolver final : public DnsResolver {
public:
    /// `ipv6` false asks for IPv4 addresses only; `timeout` must be positive.
    SystemResolver(bool ipv6, std::chrono::milliseconds timeout);

    /// See DnsResolver::resolve. Thread-safe; starts one short-lived thread per lookup that is not an IP literal.
    std::vector<Poco::Net::IPAddress> resolve(const std::string& host) const override;

    /// "system resolver", with " (IPv4 only)" when ipv6 is off.
    std::string describe() const override;

private:
    bool _ipv6;
    std::chrono::milliseconds _timeout;
};

}  // namespace vicary::upstream
