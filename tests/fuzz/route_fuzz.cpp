// The request-path router (routing/RequestTarget.h) against the built-in plugins, configured as in
// tests/unit/routing/RequestTargetTest.cpp. Input: the percent-decoded path, then optionally '\n' and the ?ns= value.
// Beyond not crashing: a routed request has every part valid, and a host prefix or ns the mirror does not serve is
// never routed (no open proxy).
#include <memory>
#include <string>

#include <Poco/String.h>

#include "FuzzTarget.h"
#include "config/Settings.h"
#include "plugin/PluginCatalog.h"
#include "plugin/RegistrySet.h"
#include "routing/RequestTarget.h"

namespace {

using namespace vicary;
using routing::Endpoint;

/// The registries every input is routed against; built on first use from the plugins of the build tree.
const plugin::RegistrySet& registries()
{
    static const plugin::PluginCatalog catalog = plugin::PluginCatalog::loadDirectory(VICARY_FUZZ_PLUGIN_DIR);
    static const plugin::RegistrySet set = [] {
        config::Settings settings;
        settings.configFile = "fuzz.ini";
        auto add = [&](const std::string& name, const std::string& pluginName, const std::string& upstream,
                       std::vector<std::string> aliases) {
            config::RegistrySettings registry;
            registry.name = name;
            registry.plugin = pluginName;
            registry.upstream = upstream;
            registry.aliases = std::move(aliases);
            settings.registries.push_back(registry);
        };
        add("dockerhub", "dockerhub", "", {});
        add("quay", "quay", "", {});
        add("gcr", "gcr", "", {});
        add("ghcr", "generic", "https://ghcr.io", {});
        add("local", "generic", "https://127.0.0.1:5443", {"localhost:5443"});
        settings.routing.defaultRegistry = "dockerhub";
        return plugin::RegistrySet::create(settings, catalog);
    }();
    return set;
}

/// Docker's rule, as the router states it: a first component with '.' or ':' or "localhost" is a host.
bool looksLikeHost(const std::string& component)
{
    return component.find_first_of(".:") != std::string::npos || component == "localhost";
}

void checkRouted(const plugin::RegistrySet& set, const std::string& path, const std::string& ns,
                 const routing::RequestTarget& target)
{
    VICARY_FUZZ_CHECK(target.registry != nullptr);
    VICARY_FUZZ_CHECK(path.compare(0, 4, "/v2/") == 0);
    VICARY_FUZZ_CHECK(routing::isValidRepositoryName(target.clientName));
    VICARY_FUZZ_CHECK(!target.upstreamName.empty());
    VICARY_FUZZ_CHECK(target.upstreamBase.compare(0, 8, "https://") == 0);
    // Which registry: only one that serves the host asked for, else the default.
    if (!target.host.empty()) {
        VICARY_FUZZ_CHECK(target.host == Poco::toLower(target.host));
        VICARY_FUZZ_CHECK(set.byHost(target.host) == target.registry);
        VICARY_FUZZ_CHECK(target.ns.empty() || Poco::toLower(target.ns) == target.host);
    } else {
        VICARY_FUZZ_CHECK(target.registry == set.defaultRegistry() && ns.empty() && target.ns.empty());
    }
    // A host-like first component followed by more of the name is always taken as the registry, before any ns.
    const std::size_t first = path.find('/', 4);
    const std::string component = path.substr(4, first == std::string::npos ? std::string::npos : first - 4);
    if (looksLikeHost(component) && target.clientName != component)
        VICARY_FUZZ_CHECK(target.host == Poco::toLower(component) && target.ns.empty());
    switch (target.endpoint) {
    case Endpoint::Manifest: {
        const auto kind = routing::classifyReference(target.reference);
        VICARY_FUZZ_CHECK(kind.has_value());
        VICARY_FUZZ_CHECK(target.digest.has_value() == (*kind == routing::ReferenceKind::Digest));
        break;
    }
    case Endpoint::Blob:
    case Endpoint::Referrers:
        VICARY_FUZZ_CHECK(target.digest.has_value());
        break;
    case Endpoint::TagsList:
        VICARY_FUZZ_CHECK(target.reference.empty() && !target.digest);
        break;
    }
    if (target.digest) {
        VICARY_FUZZ_CHECK(routing::isSupportedDigest(*target.digest));
        VICARY_FUZZ_CHECK(target.digest->text() == target.reference);
    }
    // The path ends with the reference (or tags/list) after the repository name.
    const std::string tail = target.endpoint == Endpoint::TagsList ? "/tags/list" : "/" + target.reference;
    VICARY_FUZZ_CHECK(path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string input(vicary::fuzz::textOf(data, size));
    const std::size_t newline = input.find('\n');
    const std::string path = input.substr(0, newline);
    const std::string ns = newline == std::string::npos ? std::string() : input.substr(newline + 1);

    const plugin::RegistrySet& set = registries();
    routing::RequestTarget target;
    routing::RouteError error{};
    if (routing::routeRequest(set, path, ns, target, error)) {
        checkRouted(set, path, ns, target);
    } else {
        VICARY_FUZZ_CHECK(error.status == 400 || error.status == 404);
        VICARY_FUZZ_CHECK(!error.message.empty());
    }
    return 0;
}
