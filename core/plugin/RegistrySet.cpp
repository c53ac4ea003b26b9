#include "plugin/RegistrySet.h"

#include <algorithm>

#include <Poco/String.h>

#include "config/ConfigError.h"

namespace vicary::plugin {
namespace {

/// Keys the core handles for every registry section; a plugin's own keys come on top.
const char* const kCommonKeys[] = {"plugin",        "upstream", "aliases",    "username", "password",
                                   "password_file", "ca_file",  "plain_http", "tag_ttl"};

std::string joined(const std::vector<std::string>& items)
{
    std::string text;
    for (const auto& item : items)
        text += (text.empty() ? "" : ", ") + item;
    return text.empty() ? "none" : text;
}

void checkExtraKeys(const config::RegistrySettings& registry, const PluginLibrary& library,
                    const std::string& configFile)
{
    std::vector<std::string> accepted(std::begin(kCommonKeys), std::end(kCommonKeys));
    for (const char* const* key = library.descriptor().extra_keys; key != nullptr && *key != nullptr; ++key)
        accepted.emplace_back(*key);
    for (const auto& [key, value] : registry.extra) {
        if (std::find(accepted.begin(), accepted.end(), key) != accepted.end())
            continue;
        auto line = registry.extraLines.find(key);
        const std::string where = line == registry.extraLines.end() ? configFile
                                                                     : configFile + ":" + std::to_string(line->second);
        throw config::ConfigError(where + ": [registry." + registry.name + "] " + key +
                                  ": unknown key; plugin " + library.name() + " accepts " + joined(accepted));
    }
}

}  // namespace

RegistrySet RegistrySet::create(const config::Settings& settings, const PluginCatalog& catalog)
{
    RegistrySet set;
    for (const auto& section : settings.registries) {
        const PluginLibrary* library = catalog.find(section.plugin);
        if (library == nullptr)
            throw config::ConfigError(settings.configFile + ": [registry." + section.name + "] plugin: no plugin named '" +
                                      section.plugin + "' is loaded (loaded: " + joined(catalog.names()) + ")");
        checkExtraKeys(section, *library, settings.configFile);
        auto registry = Registry::create(section, *library, settings.configFile);
        for (const auto& host : registry->hosts()) {
            auto [it, inserted] = set.byHost_.emplace(host, registry.get());
            if (!inserted)
                throw config::ConfigError(settings.configFile + ": [registry." + section.name + "] aliases: host '" +
                                          host + "' is already served by [registry." + it->second->name() + "]");
        }
        set.registries_.push_back(std::move(registry));
    }
    if (!settings.routing.defaultRegistry.empty()) {
        set.default_ = set.byName(settings.routing.defaultRegistry);
        if (set.default_ == nullptr)
            throw config::ConfigError(settings.configFile + ": [routing] default: no [registry." +
                                      settings.routing.defaultRegistry + "] section");
    }
    return set;
}

const Registry* RegistrySet::byName(const std::string& name) const noexcept
{
    for (const auto& registry : registries_) {
        if (registry->name() == name)
            return registry.get();
    }
    return nullptr;
}

const Registry* RegistrySet::byHost(std::string_view host) const
{
    auto it = byHost_.find(Poco::toLower(std::string(host)));
    return it == byHost_.end() ? nullptr : it->second;
}

}  // namespace vicary::plugin
