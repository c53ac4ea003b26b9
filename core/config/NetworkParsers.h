// Parsers for the network values of the config file: addresses, host names, host lists and base URLs.
#pragma once

#include <string>
#include <vector>

#include "config/ValueError.h"

namespace vicary::config {

/// True if `host` is a DNS name: dot-separated labels of lowercase letters, digits and '-' (not at either end of a
/// label), each at most 63 characters, at most 253 in all. IPv4 literals pass too.
bool isHostName(const std::string& host);

/// True if `text` is a dotted-quad IPv4 address ("10.0.0.1"; no short forms, no leading zeros).
bool isIpv4Literal(const std::string& text);

/// The canonical form of the IPv6 address `text` (no brackets, e.g. "0:0::1" -> "::1"), or "" if it is not one.
std::string canonicalIpv6(const std::string& text);

/// Parses `[server] bind`: an IPv4 literal, an IPv6 literal (with or without brackets; returned without) or a host
/// name (returned lowercase). Throws ValueError.
std::string parseBindAddress(const std::string& value);

/// Parses a list of host names separated by commas and/or whitespace, each optionally with ":port" (1-65535);
/// returns them lowercase, in order. Throws ValueError naming the first bad or repeated entry. An empty value gives an
/// empty list.
std::vector<std::string> parseHostList(const std::string& value);

/// Parses a base URL: http:// or https://, a host (name, IPv4 or [IPv6]), an optional :port (1-65535) and an optional
/// path; no user info, query or fragment. Returns it with scheme and host lowercased and trailing '/' removed. Throws
/// ValueError; the message quotes the value except when it carries user info (which may hold a password).
std::string parseBaseUrl(const std::string& value);

/// The scheme of a URL that parseBaseUrl returned: "http" or "https".
std::string urlScheme(const std::string& url);

}  // namespace vicary::config
