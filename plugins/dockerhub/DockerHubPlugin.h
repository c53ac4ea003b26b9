// Docker Hub: docker.io and its API host.
#pragma once

#include <string>
#include <vector>

#include <vicary/HostServices.h>
#include <vicary/PluginConfig.h>
#include <vicary/RegistryPlugin.h>

namespace vicary::plugins {

/// Docker Hub. Hosts docker.io, index.docker.io and registry-1.docker.io (plus configured aliases); upstream
/// https://registry-1.docker.io unless configured; single-component names are official images under "library/".
class DockerHubPlugin final : public RegistryPlugin {
public:
    static DockerHubPlugin* make(const PluginConfig& config, HostServices& host, std::string& error);

    std::vector<std::string> hosts() const noexcept override;
    std::string upstreamUrl(std::string_view host) const noexcept override;
    MappedName mapRepository(std::string_view clientName) const noexcept override;
    UpstreamAuth authFor(const AuthChallenge& challenge) const noexcept override;

private:
    explicit DockerHubPlugin(const PluginConfig& config);

    std::vector<std::string> hosts_;
    std::string upstream_;
    Credentials credentials_;
};

}  // namespace vicary::plugins
