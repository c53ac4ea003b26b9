// Which network addresses a redirect or token realm chosen by an upstream may make Vicary connect to.
#pragma once

#include <optional>
#include <string>

#include <Poco/Net/IPAddress.h>

namespace vicary::upstream {

/// Why `address` is not a public internet address: "loopback", "private", "link-local", "unspecified",
/// "multicast", "shared (carrier-grade NAT)", "reserved" or "documentation/benchmarking"; std::nullopt for a public
/// address. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged by their IPv4 address. An upstream that answers
/// with a redirect to such an address could make the cache reach into the network it runs in (SSRF).
std::optional<std::string> nonPublicKind(const Poco::Net::IPAddress& address);

}  // namespace vicary::upstream
