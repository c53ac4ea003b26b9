#include "DockerHubPlugin.h"

namespace vicary::plugins {

DockerHubPlugin* DockerHubPlugin::make(const PluginConfig& config, HostServices& host, std::string& /*error*/)
{
    if (config.credentials.empty())
        host.log(LogLevel::Info, "pulling anonymously: Docker Hub limits anonymous pulls per IP address");
    return new DockerHubPlugin(config);
}

DockerHubPlugin::DockerHubPlugin(const PluginConfig& config)
    : hosts_{"docker.io", "index.docker.io", "registry-1.docker.io"},
      upstream_(config.upstream.empty() ? "https://registry-1.docker.io" : config.upstream),
      credentials_(config.credentials)
{
    hosts_.insert(hosts_.end(), config.aliases.begin(), config.aliases.end());
}

std::vector<std::string> DockerHubPlugin::hosts() const noexcept
{
    return hosts_;
}

std::string DockerHubPlugin::upstreamUrl(std::string_view /*host*/) const noexcept
{
    return upstream_;
}

MappedName DockerHubPlugin::mapRepository(std::string_view clientName) const noexcept
{
    // "python" is the official image "library/python"; "bitnami/redis" is a user's repository as it stands.
    if (clientName.find('/') == std::string_view::npos)
        return {"library/" + std::string(clientName), {}};
    return {std::string(clientName), {}};
}

UpstreamAuth DockerHubPlugin::authFor(const AuthChallenge& /*challenge*/) const noexcept
{
    if (credentials_.empty())
        return {};
    return {UpstreamAuth::Kind::Basic, credentials_};
}

}  // namespace vicary::plugins
