// Finding the cache directory vicaryctl works on, and refusing one that is not a Vicary cache.
#pragma once

#include <string>

#include "ctl/CtlOptions.h"

namespace vicary::ctl {

/// The directory --cache names, or else the [cache] directory of the config file (loaded as the server loads it,
/// VICARY_* overrides included). Throws config::ConfigError when the config file cannot be used.
std::string locateCacheDirectory(const CtlOptions& options);

/// Throws std::runtime_error naming `directory` unless it is a directory holding index.db: a missing directory, a
/// file, or a directory without index.db (blobs/ alone: the server has not built its index yet) are refused, so that
/// vicaryctl never creates an index anywhere.
void requireCacheDirectory(const std::string& directory);

}  // namespace vicary::ctl
