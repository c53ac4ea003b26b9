// Routing a request to a registry: prefix, ?ns= and default addressing; validation; never an open proxy.
#include <cppunit/extensions/HelperMacros.h>

#include "plugin/PluginCatalog.h"
#include "plugin/RegistrySet.h"
#include "routing/RequestTarget.h"

namespace vicary::routing {

class RequestTargetTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RequestTargetTest);
    CPPUNIT_TEST(defaultRegistryForPlainNames);
    CPPUNIT_TEST(prefixSelectsRegistryByHostOrAlias);
    CPPUNIT_TEST(nsParameterSelectsRegistry);
    CPPUNIT_TEST(prefixWinsOverNs);
    CPPUNIT_TEST(unknownHostIsNameUnknownNotForwarded);
    CPPUNIT_TEST(endpointsAreFoundFromTheEnd);
    CPPUNIT_TEST(invalidPartsGetTheirCodes);
    CPPUNIT_TEST(nonApiPathsAreNotRouted);
    CPPUNIT_TEST(regionalHostGetsItsUpstream);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override
    {
        catalog_ = plugin::PluginCatalog::loadDirectory(VICARY_TEST_PLUGIN_DIR);
        config::Settings settings;
        settings.configFile = "test.ini";
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
        registries_ = std::make_unique<plugin::RegistrySet>(plugin::RegistrySet::create(settings, catalog_));
    }

    void defaultRegistryForPlainNames()
    {
        RequestTarget t = route("/v2/python/manifests/3.12");
        CPPUNIT_ASSERT_EQUAL(std::string("dockerhub"), t.registry->name());
        CPPUNIT_ASSERT_EQUAL(std::string("python"), t.clientName);
        CPPUNIT_ASSERT_EQUAL(std::string("library/python"), t.upstreamName);
        CPPUNIT_ASSERT_EQUAL(std::string("3.12"), t.reference);
        CPPUNIT_ASSERT(!t.digest);
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry-1.docker.io"), t.upstreamBase);
        CPPUNIT_ASSERT_EQUAL(std::string("bitnami/redis"), route("/v2/bitnami/redis/manifests/7").upstreamName);
    }

    void prefixSelectsRegistryByHostOrAlias()
    {
        RequestTarget quay = route("/v2/quay.io/jitesoft/debian/manifests/10");
        CPPUNIT_ASSERT_EQUAL(std::string("quay"), quay.registry->name());
        CPPUNIT_ASSERT_EQUAL(std::string("jitesoft/debian"), quay.upstreamName);
        RequestTarget hub = route("/v2/docker.io/python/manifests/latest");
        CPPUNIT_ASSERT_EQUAL(std::string("library/python"), hub.upstreamName);
        CPPUNIT_ASSERT_EQUAL(std::string("local"), route("/v2/localhost:5443/team/app/tags/list").registry->name());
        CPPUNIT_ASSERT_EQUAL(std::string("ghcr"), route("/v2/GHCR.io/owner/app/manifests/v1").registry->name());
    }

    void nsParameterSelectsRegistry()
    {
        RequestTarget t = route("/v2/jitesoft/debian/manifests/10", "quay.io");
        CPPUNIT_ASSERT_EQUAL(std::string("quay"), t.registry->name());
        CPPUNIT_ASSERT_EQUAL(std::string("quay.io"), t.ns);
        CPPUNIT_ASSERT_EQUAL(std::string("library/alpine"), route("/v2/alpine/manifests/3", "docker.io").upstreamName);
    }

    void prefixWinsOverNs()
    {
        RequestTarget t = route("/v2/quay.io/a/b/manifests/1", "docker.io");
        CPPUNIT_ASSERT_EQUAL(std::string("quay"), t.registry->name());
        CPPUNIT_ASSERT_EQUAL(std::string(""), t.ns);
    }

    void unknownHostIsNameUnknownNotForwarded()
    {
        RouteError e = error("/v2/evil.example.com/x/manifests/latest");
        CPPUNIT_ASSERT_EQUAL(404, e.status);
        CPPUNIT_ASSERT(e.code == http::OciCode::NameUnknown);
        CPPUNIT_ASSERT(e.message.find("evil.example.com is not configured") != std::string::npos);
        CPPUNIT_ASSERT(error("/v2/x/manifests/latest", "evil.example.com").code == http::OciCode::NameUnknown);
    }

    void endpointsAreFoundFromTheEnd()
    {
        const std::string digest = "sha256:" + std::string(64, 'a');
        RequestTarget blob = route("/v2/org/manifests/blobs/" + digest);
        CPPUNIT_ASSERT(blob.endpoint == Endpoint::Blob);
        CPPUNIT_ASSERT_EQUAL(std::string("org/manifests"), blob.clientName);
        CPPUNIT_ASSERT_EQUAL(digest, blob.digest->text());
        RequestTarget tags = route("/v2/org/app/tags/list");
        CPPUNIT_ASSERT(tags.endpoint == Endpoint::TagsList);
        CPPUNIT_ASSERT_EQUAL(std::string("org/app"), tags.clientName);
        CPPUNIT_ASSERT(route("/v2/org/app/referrers/" + digest).endpoint == Endpoint::Referrers);
        CPPUNIT_ASSERT(route("/v2/org/app/manifests/" + digest).digest.has_value());
    }

    void invalidPartsGetTheirCodes()
    {
        CPPUNIT_ASSERT(error("/v2/Upper/Case/manifests/latest").code == http::OciCode::NameInvalid);
        CPPUNIT_ASSERT_EQUAL(400, error("/v2/a//b/manifests/latest").status);
        CPPUNIT_ASSERT(error("/v2/app/manifests/-bad").code == http::OciCode::TagInvalid);
        CPPUNIT_ASSERT(error("/v2/app/manifests/sha256:abc").code == http::OciCode::DigestInvalid);
        CPPUNIT_ASSERT(error("/v2/app/blobs/latest").code == http::OciCode::DigestInvalid);
        CPPUNIT_ASSERT(error("/v2/app/blobs/md5:" + std::string(32, 'a')).code == http::OciCode::DigestInvalid);
        // Docker's rule: a single component is a Hub name even when it has a dot.
        CPPUNIT_ASSERT_EQUAL(std::string("library/quay.io"), route("/v2/quay.io/manifests/latest").upstreamName);
    }

    void nonApiPathsAreNotRouted()
    {
        CPPUNIT_ASSERT_EQUAL(404, error("/v2/").status);
        CPPUNIT_ASSERT_EQUAL(404, error("/v2/app/unknown/x").status);
        CPPUNIT_ASSERT_EQUAL(404, error("/v1/app/manifests/latest").status);
        CPPUNIT_ASSERT_EQUAL(404, error("/v2/manifests/latest").status);
    }

    void regionalHostGetsItsUpstream()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("https://eu.gcr.io"),
                             route("/v2/eu.gcr.io/project/app/manifests/v1").upstreamBase);
    }

private:
    RequestTarget route(const std::string& path, const std::string& ns = {})
    {
        RequestTarget target;
        RouteError error{};
        if (!routeRequest(*registries_, path, ns, target, error))
            CPPUNIT_FAIL(path + ": " + error.message);
        return target;
    }

    RouteError error(const std::string& path, const std::string& ns = {})
    {
        RequestTarget target;
        RouteError error{};
        CPPUNIT_ASSERT_MESSAGE(path + " was routed", !routeRequest(*registries_, path, ns, target, error));
        return error;
    }

    plugin::PluginCatalog catalog_;
    std::unique_ptr<plugin::RegistrySet> registries_;
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(RequestTargetTest, "routing");

}  // namespace vicary::routing
