// Red Hat Quay: quay.io.
#pragma once

#include <string>
#include <vector>

#include <vicary/HostServices.h>
#include <vicary/PluginConfig.h>
#include <vicary/RegistryPlugin.h>

namespace vicary::plugins {

/// quay.io (plus configured aliases); upstream https://quay.io unless configured; names pass through unchanged;
/// anonymous tokens for public repositories, the configured robot or user account otherwise.
class QuayPlugin final : public RegistryPlugin {
public:
    static QuayPlugin* make(const PluginConfig& config, HostServices& host, std::string& error);

    std::vector<std::string> hosts() const noexcept override;
    std::string upstreamUrl(std::string_view host) const noexcept override;
    MappedName mapRepository(std::string_view clientName) const noexcept override;
    UpstreamAuth authFor(const AuthChallenge& challenge) const noexcept override;

private:
    explicit QuayPlugin(const PluginConfig& config);

    std::vector<std::string> hosts_;
    std::string upstream_;
    Credentials credentials_;
};

}  // namespace vicary::plugins
