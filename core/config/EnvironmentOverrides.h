// The VICARY_* environment variables that override the config file.
#pragma once

#include <map>
#include <string>

#include "config/Settings.h"

namespace vicary::config {

/// Applies the overrides in `environment` to `settings`, which already hold the file's values:
/// VICARY_PORT ([server] port), VICARY_SCHEME ([server] scheme), VICARY_STORE ([cache] directory, relative to
/// `workingDirectory`), VICARY_RESOLVER ([upstream] resolver) and VICARY_DOCKER_IO_B64_AUTH (base64 "user:password"
/// replacing the credentials of every registry whose plugin is dockerhub). Values are trimmed; empty ones count as
/// unset; other variables are ignored. Throws ConfigError "environment <VARIABLE>: ..." for a bad value, and for
/// VICARY_DOCKER_IO_B64_AUTH when no registry uses plugin dockerhub; messages never contain the credentials.
void applyEnvironment(const std::map<std::string, std::string>& environment, Settings& settings,
                      const std::string& workingDirectory);

}  // namespace vicary::config
