// A helper that turns a RegistryPlugin class into the create/destroy pair of a PluginDescriptor.
// Part of the Vicary plugin SDK.
#pragma once

#include <exception>
#include <string>

#include <vicary/HostServices.h>
#include <vicary/PluginConfig.h>
#include <vicary/RegistryPlugin.h>

namespace vicary {

/// `Plugin` is a final class deriving from RegistryPlugin with a public destructor and
/// `static Plugin* make(const PluginConfig&, HostServices&, std::string& error)`, which returns nullptr and sets
/// `error` (naming the key at fault) when the section cannot be used. Exceptions never leave the plugin: one thrown by
/// `make` becomes the error message.
template <class Plugin>
struct PluginFactory {
    static RegistryPlugin* create(const PluginConfig& config, HostServices& host, std::string& error) noexcept
    {
        try {
            return Plugin::make(config, host, error);
        } catch (const std::exception& e) {
            error = e.what();
        } catch (...) {
            error = "unknown error while creating the registry instance";
        }
        return nullptr;
    }

    static void destroy(RegistryPlugin* instance) noexcept { delete static_cast<Plugin*>(instance); }
};

}  // namespace vicary
