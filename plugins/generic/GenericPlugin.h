// Any OCI registry declared in config: ghcr.io, registry.k8s.io, public.ecr.aws, a private registry, ...
#pragma once

#include <string>
#include <vector>

#include <vicary/HostServices.h>
#include <vicary/PluginConfig.h>
#include <vicary/RegistryPlugin.h>

namespace vicary::plugins {

/// A registry that needs nothing special: `upstream` is required, the upstream's own host (with its port when it has
/// one) and the configured aliases are served, names pass through unchanged, configured credentials or anonymous.
class GenericPlugin final : public RegistryPlugin {
public:
    static GenericPlugin* make(const PluginConfig& config, HostServices& host, std::string& error);

    std::vector<std::string> hosts() const noexcept override;
    std::string upstreamUrl(std::string_view host) const noexcept override;
    MappedName mapRepository(std::string_view clientName) const noexcept override;
    UpstreamAuth authFor(const AuthChallenge& challenge) const noexcept override;

private:
    GenericPlugin(const PluginConfig& config, std::string upstreamHost);

    std::vector<std::string> hosts_;
    std::string upstream_;
    Credentials credentials_;
};

}  // namespace vicary::plugins
