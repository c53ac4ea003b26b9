// The configuration the core hands a plugin when it creates an instance for one [registry.<name>] section.
// Part of the Vicary plugin SDK.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <vicary/Types.h>

namespace vicary {

/// One [registry.<name>] section, already validated by the core: the keys every registry has are typed fields, the
/// plugin's own keys (declared in PluginDescriptor::extra_keys) are in `extra`. The core rejects unknown keys before
/// a plugin ever sees the section, so a plugin only has to check the values of its own keys.
struct PluginConfig {
    std::string instance;              ///< the section's name: "dockerhub" for [registry.dockerhub]
    std::string configFile;            ///< the config file the section came from, for messages
    std::string upstream;              ///< `upstream`: base URL; empty means the plugin's default
    std::vector<std::string> aliases;  ///< `aliases`: extra host names this registry answers for, lowercase
    Credentials credentials;           ///< `username` + `password`/`password_file`, or an environment override
    std::map<std::string, std::string> extra;  ///< the plugin's own keys, by name
};

}  // namespace vicary
