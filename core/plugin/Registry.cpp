#include "plugin/Registry.h"

#include <Poco/URI.h>

#include "config/ConfigError.h"

namespace vicary::plugin {
namespace {

PluginConfig toPluginConfig(const config::RegistrySettings& settings, const std::string& configFile)
{
    PluginConfig config;
    config.instance = settings.name;
    config.configFile = configFile;
    config.upstream = settings.upstream;
    config.aliases = settings.aliases;
    config.credentials = settings.credentials;
    config.extra = settings.extra;
    return config;
}

bool isLowercaseHost(const std::string& host)
{
    if (host.empty())
        return false;
    for (char c : host) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':';
        if (!ok)
            return false;
    }
    return true;
}

}  // namespace

Registry::Registry(config::RegistrySettings settings, const PluginLibrary& library)
    : settings_(std::move(settings)),
      pluginName_(library.name()),
      library_(library.keepAlive()),
      host_(settings_.name),
      destroy_(library.descriptor().destroy)
{
}

Registry::~Registry()
{
    if (instance_ != nullptr)
        destroy_(instance_);
}

std::unique_ptr<Registry> Registry::create(const config::RegistrySettings& settings, const PluginLibrary& library,
                                           const std::string& configFile)
{
    const std::string where = configFile + ": [registry." + settings.name + "] plugin " + library.name() + " (" +
                              library.path() + "): ";
    std::unique_ptr<Registry> registry(new Registry(settings, library));
    std::string error;
    registry->instance_ = library.descriptor().create(toPluginConfig(settings, configFile), registry->host_, error);
    if (registry->instance_ == nullptr)
        throw config::ConfigError(where + (error.empty() ? std::string("refused the section") : error));

    registry->hosts_ = registry->instance_->hosts();
    for (const auto& host : registry->hosts_) {
        if (!isLowercaseHost(host))
            throw config::ConfigError(where + "serves host '" + host + "', which is not a lowercase host name");
    }
    const std::string upstream = registry->upstreamUrl({});
    try {
        Poco::URI uri(upstream);
        if ((uri.getScheme() != "https" && uri.getScheme() != "http") || uri.getHost().empty())
            throw config::ConfigError(where + "upstream '" + upstream + "' is not an http(s) URL with a host");
        if (uri.getScheme() == "http" && !settings.plainHttp)
            throw config::ConfigError(where + "upstream '" + upstream +
                                      "' is plain http; set plain_http = true to allow it");
    } catch (const Poco::SyntaxException& e) {
        throw config::ConfigError(where + "upstream '" + upstream + "' is not a URL: " + e.message());
    }
    return registry;
}

}  // namespace vicary::plugin
