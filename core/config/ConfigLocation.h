// The prefixes of configuration messages: where a bad value came from.
#pragma once

#include <string>

namespace vicary::config {

/// "<file>:<line>: [<section>] <key>: ", or without ":<line>" when `line` is 0, "[<section>]: " when `key` is empty
/// and no section part when `section` is empty. Ready for the description of the problem to be appended.
std::string fileLocation(const std::string& file, int line, const std::string& section, const std::string& key);

/// "environment <variable>: ".
std::string environmentLocation(const std::string& variable);

}  // namespace vicary::config
