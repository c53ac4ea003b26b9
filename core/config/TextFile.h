// Reading a whole file for the configuration: the config file itself, password files, CA bundles.
#pragma once

#include <string>

namespace vicary::config {

/// Reads the whole file at `path` into `contents`. Returns 0 on success, otherwise the errno of the failure (EISDIR
/// for a directory, ENOENT, EACCES, ...); `contents` is then unspecified.
int readTextFile(const std::string& path, std::string& contents);

/// `text` without trailing '\n' and '\r' characters.
std::string withoutTrailingNewlines(std::string text);

}  // namespace vicary::config
