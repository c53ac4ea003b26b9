// The interface a registry plugin implements. Part of the Vicary plugin SDK.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <vicary/Types.h>

namespace vicary {

/// One configured registry: what Vicary needs to know about an upstream that only the plugin knows.
/// The core creates one instance per [registry.<name>] section through PluginDescriptor::create and destroys it
/// through PluginDescriptor::destroy. Every method is called concurrently from the server's worker threads, so an
/// implementation guards whatever mutable state it has. No method may throw: errors are returned as values.
class __attribute__((visibility("default"))) RegistryPlugin {
public:
    /// Host names this registry answers for (canonical host first, then aliases from the plugin and from config),
    /// lowercase, without scheme or path. The core routes `/v2/<host>/...` and `?ns=<host>` with them and refuses to
    /// start when two registries claim one host. Called once, after create.
    virtual std::vector<std::string> hosts() const noexcept = 0;

    /// Base URL of the upstream registry API, without the trailing "/v2/", e.g. "https://registry-1.docker.io", for
    /// requests addressed to `host` (one of hosts(), or empty when the request came without a host: the default
    /// registry route). A registry with regional hosts (gcr.io, us.gcr.io) answers each with its own upstream.
    virtual std::string upstreamUrl(std::string_view host) const noexcept = 0;

    /// Maps the repository name a client asked for (already valid per the distribution grammar) to the name the
    /// upstream knows, e.g. Docker Hub's "python" to "library/python". Returns an error to refuse the name; the core
    /// answers the client 404 NAME_UNKNOWN with that message.
    virtual MappedName mapRepository(std::string_view clientName) const noexcept = 0;

    /// What to present for an upstream challenge (a 401 with WWW-Authenticate): the configured credentials, or
    /// anonymous. The core sends credentials only to the realm the upstream advertised, and only over the
    /// connection settings of this registry.
    virtual UpstreamAuth authFor(const AuthChallenge& challenge) const noexcept = 0;

protected:
    ~RegistryPlugin() = default;  ///< instances are destroyed by the plugin's own PluginDescriptor::destroy
};

}  // namespace vicary
