// The smallest useful registry plugin: a registry whose repositories all live under one namespace upstream, so that
// clients pull "app" and the upstream is asked for "<namespace>/app". It shows every part of the SDK a plugin uses:
// the interface, its own config key, credentials, logging through the host, and the one exported entry symbol.
#include <string>
#include <vector>

#include <vicary/PluginFactory.h>
#include <vicary/abi.h>

namespace {

class MinimalPlugin final : public vicary::RegistryPlugin {
public:
    /// Called once per [registry.<name>] section with `plugin = minimal`. Refuses the section with a message naming
    /// the key at fault; the core adds the file and section.
    static MinimalPlugin* make(const vicary::PluginConfig& config, vicary::HostServices& host, std::string& error)
    {
        if (config.upstream.empty()) {
            error = "upstream: required for plugin minimal";
            return nullptr;
        }
        auto ns = config.extra.find("namespace");
        if (ns == config.extra.end() || ns->second.empty()) {
            error = "namespace: required for plugin minimal (the upstream namespace every repository lives under)";
            return nullptr;
        }
        host.log(vicary::LogLevel::Info, ("repositories map into namespace " + ns->second).c_str());
        return new MinimalPlugin(config, ns->second);
    }

    std::vector<std::string> hosts() const noexcept override { return hosts_; }

    std::string upstreamUrl(std::string_view /*host*/) const noexcept override { return upstream_; }

    vicary::MappedName mapRepository(std::string_view clientName) const noexcept override
    {
        return {namespace_ + "/" + std::string(clientName), {}};
    }

    vicary::UpstreamAuth authFor(const vicary::AuthChallenge& /*challenge*/) const noexcept override
    {
        if (credentials_.empty())
            return {};
        return {vicary::UpstreamAuth::Kind::Basic, credentials_};
    }

private:
    MinimalPlugin(const vicary::PluginConfig& config, std::string ns)
        : hosts_(config.aliases), upstream_(config.upstream), namespace_(std::move(ns)), credentials_(config.credentials)
    {
        hosts_.insert(hosts_.begin(), "minimal.example.test");
    }

    std::vector<std::string> hosts_;
    std::string upstream_;
    std::string namespace_;
    vicary::Credentials credentials_;
};

using Factory = vicary::PluginFactory<MinimalPlugin>;

const char* const kExtraKeys[] = {"namespace", nullptr};

const vicary::PluginDescriptor kDescriptor{VICARY_DESCRIPTOR_HEADER, "minimal", "Example: one upstream namespace",
                                           kExtraKeys, &Factory::create, &Factory::destroy};

const vicary::PluginDescriptor* entry() noexcept
{
    return &kDescriptor;
}

}  // namespace

VICARY_PLUGIN_ENTRY(entry)
