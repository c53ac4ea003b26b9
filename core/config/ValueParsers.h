// Parsers for the scalar values of the config file: numbers, ports, durations, sizes, booleans, names and paths.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/Settings.h"
#include "config/ValueError.h"

namespace vicary::config {

/// Parses a decimal whole number in [min, max] ("16"). Throws ValueError for signs, fractions, text or a number
/// out of range.
std::uint64_t parseNumber(const std::string& value, std::uint64_t min, std::uint64_t max);

/// Parses a TCP port, 0..65535 (0 means "pick a free one" where the caller allows it). Throws ValueError.
std::uint16_t parsePort(const std::string& value);

/// Parses a duration: a whole number with an optional unit s, m, h or d ("90", "30s", "5m", "2h", "1d"); no unit
/// means seconds. Throws ValueError for anything else, and for a value that does not fit.
std::chrono::seconds parseDuration(const std::string& value);

/// parseDuration, refusing anything shorter than `minimum`. Throws ValueError.
std::chrono::seconds parseDurationAtLeast(const std::string& value, std::chrono::seconds minimum);

/// Parses a size in bytes: a whole number, an optional space and an optional case-insensitive unit B, K/KB, M/MB,
/// G/GB, T/TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024). Throws ValueError for negatives, fractions,
/// unknown units and sizes that do not fit in 64 bits.
std::uint64_t parseSize(const std::string& value);

/// Parses a cache size limit: a percentage of the filesystem in (0, 100] ("80%", "12.5%"), a size (parseSize), or
/// "0" for no limit. Throws ValueError.
SizeLimit parseSizeLimit(const std::string& value);

/// Parses a boolean: true/false, yes/no, on/off, 1/0, in any case. Throws ValueError.
bool parseBool(const std::string& value);

/// Parses a URL scheme the server hands out: "http" or "https". Throws ValueError.
std::string parseScheme(const std::string& value);

/// Parses `[server] congestion_control`: "auto", "system", or a Linux TCP congestion control name (1-15 lowercase
/// letters, digits, '_' or '-'; whether the kernel has it and allows it is checked when the socket is made). Throws
/// ValueError.
std::string parseCongestionControl(const std::string& value);

/// Parses a log level, in any case: debug, information (or info), notice, warning, error; returns the full lowercase
/// name. Throws ValueError listing the levels.
std::string parseLogLevel(const std::string& value);

/// True if `name` is a registry or plugin name: [a-z0-9][a-z0-9_-]{0,62}.
bool isValidName(const std::string& name);

/// Returns `value` if it is a valid name (isValidName); throws ValueError otherwise.
std::string parseName(const std::string& value);

/// Makes `value` an absolute, lexically normalised path without a trailing '/', resolving a relative one against
/// `baseDirectory` (itself absolute). Never touches the filesystem; throws ValueError only for an empty value.
std::string resolvePath(const std::string& value, const std::string& baseDirectory);

/// User names separated by commas and/or spaces (as in an htpasswd file: no ':' and no control characters), each
/// once. Throws ValueError naming the offending entry.
std::vector<std::string> parseUserList(const std::string& value);

}  // namespace vicary::config
