// The grammar of `[upstream] resolver` and VICARY_RESOLVER, modelled on nginx's `resolver` directive.
#pragma once

#include <string>
#include <vector>

#include "config/ValueError.h"

namespace vicary::config {

/// A parsed resolver value.
struct ResolverSpec {
    std::vector<std::string> servers;  ///< "1.2.3.4:53", "[::1]:5353"; empty means the system resolver
    bool ipv6 = true;                  ///< false after "ipv6=off"
};

/// Parses whitespace-separated tokens: servers as IP literals ("1.2.3.4", "1.2.3.4:5353", "::1", "[::1]",
/// "[::1]:5353"; port 53 when none is given) and the option "ipv6=on|off". Throws ValueError for a host name (only
/// IP addresses are accepted), a bad port, any other option (nginx's valid=, status_zone=, ... are not supported)
/// and options without a server. An empty value gives no servers.
ResolverSpec parseResolver(const std::string& value);

}  // namespace vicary::config
