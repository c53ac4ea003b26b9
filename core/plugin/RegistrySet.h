// All configured registries, looked up by name and by host.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/Settings.h"
#include "plugin/PluginCatalog.h"
#include "plugin/Registry.h"

namespace vicary::plugin {

/// One Registry per [registry.<name>] section. Built once at start-up; read-only and thread-safe afterwards.
class RegistrySet {
public:
    /// Creates every registry of `settings` with the plugins of `catalog`. Throws config::ConfigError naming the
    /// config file, section and key when a section names an unknown plugin, has a key its plugin does not accept,
    /// is refused by its plugin, claims a host another registry claims, or when [routing] default names no registry.
    static RegistrySet create(const config::Settings& settings, const PluginCatalog& catalog);

    /// The registry of section [registry.<name>], or nullptr.
    const Registry* byName(const std::string& name) const noexcept;
    /// The registry that serves `host` (case-insensitive), or nullptr: never a fallback.
    const Registry* byHost(std::string_view host) const;
    /// The registry for requests without a host ([routing] default), or nullptr when there is none.
    const Registry* defaultRegistry() const noexcept { return default_; }
    const std::vector<std::unique_ptr<Registry>>& all() const noexcept { return registries_; }

private:
    std::vector<std::unique_ptr<Registry>> registries_;
    std::map<std::string, const Registry*> byHost_;
    const Registry* default_ = nullptr;
};

}  // namespace vicary::plugin
