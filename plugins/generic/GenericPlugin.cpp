#include "GenericPlugin.h"

#include <algorithm>
#include <cctype>

namespace vicary::plugins {
namespace {

/// "https://Ghcr.io:443/v" -> "ghcr.io:443"; empty when the URL has no "scheme://host".
std::string hostOf(const std::string& url)
{
    const auto start = url.find("://");
    if (start == std::string::npos)
        return {};
    const auto end = url.find('/', start + 3);
    std::string host = url.substr(start + 3, end == std::string::npos ? std::string::npos : end - start - 3);
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return host;
}

}  // namespace

GenericPlugin* GenericPlugin::make(const PluginConfig& config, HostServices& /*host*/, std::string& error)
{
    if (config.upstream.empty()) {
        error = "upstream: required for plugin generic (the registry's base URL, e.g. https://ghcr.io)";
        return nullptr;
    }
    std::string upstreamHost = hostOf(config.upstream);
    if (upstreamHost.empty()) {
        error = "upstream: '" + config.upstream + "' has no host";
        return nullptr;
    }
    return new GenericPlugin(config, std::move(upstreamHost));
}

GenericPlugin::GenericPlugin(const PluginConfig& config, std::string upstreamHost)
    : hosts_{std::move(upstreamHost)}, upstream_(config.upstream), credentials_(config.credentials)
{
    for (const auto& alias : config.aliases) {
        if (std::find(hosts_.begin(), hosts_.end(), alias) == hosts_.end())
            hosts_.push_back(alias);
    }
}

std::vector<std::string> GenericPlugin::hosts() const noexcept
{
    return hosts_;
}

std::string GenericPlugin::upstreamUrl(std::string_view /*host*/) const noexcept
{
    return upstream_;
}

MappedName GenericPlugin::mapRepository(std::string_view clientName) const noexcept
{
    return {std::string(clientName), {}};
}

UpstreamAuth GenericPlugin::authFor(const AuthChallenge& /*challenge*/) const noexcept
{
    return credentials_.empty() ? UpstreamAuth{} : UpstreamAuth{UpstreamAuth::Kind::Basic, credentials_};
}

}  // namespace vicary::plugins
