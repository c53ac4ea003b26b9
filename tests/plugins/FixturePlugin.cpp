// A plugin that is wrong in exactly one way, chosen at compile time, for the loader tests:
//   FIXTURE_ABI_MAJOR / FIXTURE_ABI_MINOR / FIXTURE_SIGNATURE / FIXTURE_STRUCT_SIZE / FIXTURE_NAME override a
//   descriptor field; FIXTURE_NO_ENTRY leaves the entry symbol out; FIXTURE_REFUSE makes create fail with a message;
//   FIXTURE_THROW makes create throw.
#include <stdexcept>

#include <vicary/PluginFactory.h>
#include <vicary/abi.h>

#ifndef FIXTURE_ABI_MAJOR
#define FIXTURE_ABI_MAJOR ::vicary::kAbiMajor
#endif
#ifndef FIXTURE_ABI_MINOR
#define FIXTURE_ABI_MINOR ::vicary::kAbiMinor
#endif
#ifndef FIXTURE_SIGNATURE
#define FIXTURE_SIGNATURE VICARY_BUILD_SIGNATURE
#endif
#ifndef FIXTURE_STRUCT_SIZE
#define FIXTURE_STRUCT_SIZE sizeof(::vicary::PluginDescriptor)
#endif
#ifndef FIXTURE_NAME
#define FIXTURE_NAME "fixture"
#endif

namespace {

class FixturePlugin final : public vicary::RegistryPlugin {
public:
    static FixturePlugin* make(const vicary::PluginConfig& config, vicary::HostServices& host, std::string& error)
    {
#if defined(FIXTURE_REFUSE)
        (void)config;
        (void)host;
        error = "mode: the fixture refuses every section";
        return nullptr;
#elif defined(FIXTURE_THROW)
        (void)config;
        (void)host;
        (void)error;
        throw std::runtime_error("the fixture throws from create");
#else
        (void)error;
        host.log(vicary::LogLevel::Info, "fixture instance created");
        return new FixturePlugin(config);
#endif
    }

    std::vector<std::string> hosts() const noexcept override { return hosts_; }
    std::string upstreamUrl(std::string_view) const noexcept override { return upstream_; }
    vicary::MappedName mapRepository(std::string_view name) const noexcept override { return {std::string(name), {}}; }
    vicary::UpstreamAuth authFor(const vicary::AuthChallenge&) const noexcept override { return {}; }

private:
    explicit FixturePlugin(const vicary::PluginConfig& config)
        : hosts_{"fixture.test"}, upstream_(config.upstream.empty() ? "https://fixture.test" : config.upstream)
    {
    }

    std::vector<std::string> hosts_;
    std::string upstream_;
};

using Factory = vicary::PluginFactory<FixturePlugin>;

const vicary::PluginDescriptor kDescriptor{static_cast<std::uint32_t>(FIXTURE_STRUCT_SIZE),
                                           FIXTURE_ABI_MAJOR,
                                           FIXTURE_ABI_MINOR,
                                           FIXTURE_SIGNATURE,
                                           FIXTURE_NAME,
                                           "loader test fixture",
                                           nullptr,
                                           &Factory::create,
                                           &Factory::destroy};

[[maybe_unused]] const vicary::PluginDescriptor* entry() noexcept
{
    return &kDescriptor;
}

}  // namespace

#ifndef FIXTURE_NO_ENTRY
VICARY_PLUGIN_ENTRY(entry)
#endif
