// One configured registry: a plugin instance created from one [registry.<name>] section.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <vicary/RegistryPlugin.h>

#include "config/Settings.h"
#include "plugin/PluginHost.h"
#include "plugin/PluginLibrary.h"

namespace vicary::plugin {

/// A registry ready to serve: the plugin instance, what it said about itself, and its settings. Immutable after
/// creation and safe to use from any thread. Destroying it destroys the instance through the plugin's own destroy
/// function; the library stays loaded until the last Registry created from it is gone.
class Registry {
public:
    /// Creates the instance for `settings` with `library`. Throws config::ConfigError naming `configFile`, the section
    /// and the plugin when the plugin refuses the section or describes itself wrongly (no host, bad upstream URL).
    static std::unique_ptr<Registry> create(const config::RegistrySettings& settings, const PluginLibrary& library,
                                            const std::string& configFile);
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    const std::string& name() const noexcept { return settings_.name; }
    const std::string& pluginName() const noexcept { return pluginName_; }
    /// Lowercase host names this registry answers for, as the plugin listed them.
    const std::vector<std::string>& hosts() const noexcept { return hosts_; }
    /// The upstream base URL for requests addressed to `host` ("" for the default route).
    std::string upstreamUrl(std::string_view host) const { return instance_->upstreamUrl(host); }
    const RegistryPlugin& plugin() const noexcept { return *instance_; }
    const config::RegistrySettings& settings() const noexcept { return settings_; }

private:
    Registry(config::RegistrySettings settings, const PluginLibrary& library);

    config::RegistrySettings settings_;
    std::string pluginName_;
    std::shared_ptr<const void> library_;  // declared first among the owners: released last
    PluginHost host_;
    void (*destroy_)(RegistryPlugin*) noexcept;
    RegistryPlugin* instance_ = nullptr;
    std::vector<std::string> hosts_;
};

}  // namespace vicary::plugin
