// The command line of vicaryctl, parsed once into typed options.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vicary::ctl {

/// A command line that cannot be run; what() names the option or argument. main() answers it with exit status 2.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// What `purge` selects; at least one selector is set after parsing.
struct PurgeOptions {
    std::string registry;
    std::string repository;
    std::string tag;
    std::string digest;
    std::optional<std::chrono::seconds> olderThan;  ///< not accessed for at least this long
    bool dryRun = false;
};

struct CtlOptions {
    bool help = false;
    bool version = false;
    std::string cacheDirectory;  ///< --cache; empty when the cache comes from the config file
    std::string configFile;      ///< --config, or the compiled-in default when --cache is not given
    bool json = false;
    std::string command;         ///< stats, ls, purge or verify (empty only with help or version)
    std::string registry;        ///< ls [REGISTRY]
    bool tags = false;           ///< ls --tags
    PurgeOptions purge;
};

/// Parses the arguments after the program name. Options may come before or after the command. Throws UsageError for
/// an unknown command or option, a missing or extra value, an option given to a command it does not belong to, and
/// purge without a selector or with a selector lacking the one it needs.
CtlOptions parseOptions(const std::vector<std::string>& args);

/// The text of --help.
std::string usageText();

}  // namespace vicary::ctl
