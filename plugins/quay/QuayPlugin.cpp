#include "QuayPlugin.h"

namespace vicary::plugins {

QuayPlugin* QuayPlugin::make(const PluginConfig& config, HostServices& /*host*/, std::string& /*error*/)
{
    return new QuayPlugin(config);
}

QuayPlugin::QuayPlugin(const PluginConfig& config)
    : hosts_{"quay.io"},
      upstream_(config.upstream.empty() ? "https://quay.io" : config.upstream),
      credentials_(config.credentials)
{
    hosts_.insert(hosts_.end(), config.aliases.begin(), config.aliases.end());
}

std::vector<std::string> QuayPlugin::hosts() const noexcept
{
    return hosts_;
}

std::string QuayPlugin::upstreamUrl(std::string_view /*host*/) const noexcept
{
    return upstream_;
}

MappedName QuayPlugin::mapRepository(std::string_view clientName) const noexcept
{
    return {std::string(clientName), {}};
}

UpstreamAuth QuayPlugin::authFor(const AuthChallenge& /*challenge*/) const noexcept
{
    return credentials_.empty() ? UpstreamAuth{} : UpstreamAuth{UpstreamAuth::Kind::Basic, credentials_};
}

}  // namespace vicary::plugins
