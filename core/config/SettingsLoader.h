// Loading the configuration: the config file plus VICARY_* environment overrides, parsed and validated once.
#pragma once

#include <map>
#include <string>

#include "config/ConfigError.h"
#include "config/Settings.h"

namespace vicary::config {

/// Environment variables by name.
using Environment = std::map<std::string, std::string>;

/// The VICARY_* variables of this process (all of them; loadSettings uses those it knows).
Environment processEnvironment();

/// Reads `file`, applies the overrides in `env` (VICARY_PORT, VICARY_SCHEME, VICARY_STORE, VICARY_RESOLVER,
/// VICARY_DOCKER_IO_B64_AUTH) and validates everything, as docs/CONFIGURATION.md describes. Relative paths in the
/// file resolve against the file's directory, those in `env` against the current directory. Throws ConfigError with a
/// complete message for the operator: "<file>:<line>: [<section>] <key>: <problem>", "<file>: [<section>] <key>: ..."
/// where no line applies, "environment <VARIABLE>: ..." for an override, "<file>: cannot read config file: <reason>".
/// Messages never contain a password.
Settings loadSettings(const std::string& file, const Environment& env);

}  // namespace vicary::config
