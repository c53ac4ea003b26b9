// Google Container Registry (gcr.io and its regional hosts) and Artifact Registry (*-docker.pkg.dev).
#pragma once

#include <string>
#include <vector>

#include <vicary/HostServices.h>
#include <vicary/PluginConfig.h>
#include <vicary/RegistryPlugin.h>

namespace vicary::plugins {

/// gcr.io, us.gcr.io, eu.gcr.io, asia.gcr.io, plus configured aliases such as europe-docker.pkg.dev. Each host is
/// its own upstream (https://<host>) unless `upstream` is configured, which then serves every host. Anonymous for
/// public images; with `json_key_file`, a service account key presented as Basic "_json_key".
class GcrPlugin final : public RegistryPlugin {
public:
    static GcrPlugin* make(const PluginConfig& config, HostServices& host, std::string& error);

    std::vector<std::string> hosts() const noexcept override;
    std::string upstreamUrl(std::string_view host) const noexcept override;
    MappedName mapRepository(std::string_view clientName) const noexcept override;
    UpstreamAuth authFor(const AuthChallenge& challenge) const noexcept override;

private:
    GcrPlugin(const PluginConfig& config, Credentials credentials);

    std::vector<std::string> hosts_;
    std::string upstream_;  // empty: each host is its own upstream
    Credentials credentials_;
};

}  // namespace vicary::plugins
