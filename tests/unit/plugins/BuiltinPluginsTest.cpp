// What each shipped registry plugin knows about its registry: hosts, upstreams, name mapping, credentials.
#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>

#include "plugin/PluginCatalog.h"
#include "plugin/RegistrySet.h"
#include "support/TempDir.h"

namespace vicary::plugin {
namespace {

bool serves(const Registry& registry, const std::string& host)
{
    const auto& hosts = registry.hosts();
    return std::find(hosts.begin(), hosts.end(), host) != hosts.end();
}

std::string mapped(const Registry& registry, const std::string& name)
{
    MappedName result = registry.plugin().mapRepository(name);
    CPPUNIT_ASSERT_MESSAGE(result.error, result.ok());
    return result.name;
}

}  // namespace

class BuiltinPluginsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BuiltinPluginsTest);
    CPPUNIT_TEST(dockerhubServesItsHostsAndAddsLibrary);
    CPPUNIT_TEST(dockerhubPresentsConfiguredCredentials);
    CPPUNIT_TEST(quayPassesNamesThrough);
    CPPUNIT_TEST(gcrHasOneUpstreamPerRegionalHost);
    CPPUNIT_TEST(gcrConfiguredUpstreamServesEveryHost);
    CPPUNIT_TEST(gcrRefusesUnreadableKeyAndKeyPlusPassword);
    CPPUNIT_TEST(genericServesItsUpstreamHostAndAliases);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { catalog_ = PluginCatalog::loadDirectory(VICARY_TEST_PLUGIN_DIR); }

    void dockerhubServesItsHostsAndAddsLibrary()
    {
        auto set = create({registry("dockerhub", "dockerhub")});
        const Registry& hub = *set.byName("dockerhub");
        for (const char* host : {"docker.io", "index.docker.io", "registry-1.docker.io"})
            CPPUNIT_ASSERT_MESSAGE(host, serves(hub, host));
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry-1.docker.io"), hub.upstreamUrl("docker.io"));
        CPPUNIT_ASSERT_EQUAL(std::string("library/python"), mapped(hub, "python"));
        CPPUNIT_ASSERT_EQUAL(std::string("bitnami/redis"), mapped(hub, "bitnami/redis"));
        CPPUNIT_ASSERT_EQUAL(std::string("library/alpine"), mapped(hub, "library/alpine"));
        CPPUNIT_ASSERT(hub.plugin().authFor({}).kind == UpstreamAuth::Kind::Anonymous);
    }

    void dockerhubPresentsConfiguredCredentials()
    {
        auto section = registry("dockerhub", "dockerhub");
        section.credentials = {"builder", "s3cret"};
        section.upstream = "https://mirror.example.com";
        auto set = create({section});
        const UpstreamAuth auth = set.byName("dockerhub")->plugin().authFor({"Bearer", "https://auth.docker.io/token",
                                                                               "registry.docker.io", ""});
        CPPUNIT_ASSERT(auth.kind == UpstreamAuth::Kind::Basic);
        CPPUNIT_ASSERT_EQUAL(std::string("builder"), auth.credentials.username);
        CPPUNIT_ASSERT_EQUAL(std::string("s3cret"), auth.credentials.password);
        CPPUNIT_ASSERT_EQUAL(std::string("https://mirror.example.com"), set.byName("dockerhub")->upstreamUrl({}));
    }

    void quayPassesNamesThrough()
    {
        auto set = create({registry("quay", "quay")});
        const Registry& quay = *set.byName("quay");
        CPPUNIT_ASSERT(serves(quay, "quay.io"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://quay.io"), quay.upstreamUrl("quay.io"));
        CPPUNIT_ASSERT_EQUAL(std::string("jitesoft/debian"), mapped(quay, "jitesoft/debian"));
        CPPUNIT_ASSERT_EQUAL(std::string("single"), mapped(quay, "single"));
        CPPUNIT_ASSERT(quay.plugin().authFor({}).kind == UpstreamAuth::Kind::Anonymous);
        auto section = registry("quay2", "quay");
        section.credentials = {"org+robot", "robot-token"};
        section.aliases = {"quay.example.com"};
        auto withRobot = create({section});
        const UpstreamAuth auth = withRobot.byName("quay2")->plugin().authFor({"Bearer", "https://quay.io/v2/auth", "quay.io", ""});
        CPPUNIT_ASSERT(auth.kind == UpstreamAuth::Kind::Basic);
        CPPUNIT_ASSERT_EQUAL(std::string("org+robot"), auth.credentials.username);
    }

    void gcrHasOneUpstreamPerRegionalHost()
    {
        auto section = registry("gcr", "gcr");
        section.aliases = {"europe-docker.pkg.dev"};
        auto set = create({section});
        const Registry& gcr = *set.byName("gcr");
        for (const char* host : {"gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io", "europe-docker.pkg.dev"})
            CPPUNIT_ASSERT_MESSAGE(host, serves(gcr, host));
        CPPUNIT_ASSERT_EQUAL(std::string("https://eu.gcr.io"), gcr.upstreamUrl("eu.gcr.io"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://europe-docker.pkg.dev"), gcr.upstreamUrl("europe-docker.pkg.dev"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://gcr.io"), gcr.upstreamUrl({}));
        CPPUNIT_ASSERT_EQUAL(std::string("distroless/static"), mapped(gcr, "distroless/static"));
    }

    void gcrConfiguredUpstreamServesEveryHost()
    {
        auto section = registry("gcr", "gcr");
        section.upstream = "https://gcr-mirror.example.com";
        auto set = create({section});
        CPPUNIT_ASSERT_EQUAL(std::string("https://gcr-mirror.example.com"), set.byName("gcr")->upstreamUrl("us.gcr.io"));
    }

    void gcrRefusesUnreadableKeyAndKeyPlusPassword()
    {
        test::TempDir dir;
        auto missing = registry("gcr", "gcr");
        missing.extra["json_key_file"] = dir.file("absent.json");
        CPPUNIT_ASSERT(error({missing}).find("json_key_file: cannot read '" + dir.file("absent.json") + "'") !=
                       std::string::npos);
        auto notJson = registry("gcr", "gcr");
        notJson.extra["json_key_file"] = dir.write("key.txt", "user:pass");
        CPPUNIT_ASSERT(error({notJson}).find("is not a JSON service account key") != std::string::npos);
        auto both = registry("gcr", "gcr");
        both.extra["json_key_file"] = dir.write("key.json", "{}");
        both.credentials = {"user", "pass"};
        CPPUNIT_ASSERT(error({both}).find("either json_key_file or username/password") != std::string::npos);
    }

    void genericServesItsUpstreamHostAndAliases()
    {
        auto section = registry("k8s", "generic");
        section.upstream = "https://registry.k8s.io";
        section.aliases = {"k8s.gcr.io", "registry.k8s.io"};
        auto local = registry("local", "generic");
        local.upstream = "https://127.0.0.1:5443";
        auto set = create({section, local});
        CPPUNIT_ASSERT(std::vector<std::string>({"registry.k8s.io", "k8s.gcr.io"}) == set.byName("k8s")->hosts());
        CPPUNIT_ASSERT_EQUAL(std::string("local"), set.byHost("127.0.0.1:5443")->name());
        CPPUNIT_ASSERT_EQUAL(std::string("pause"), mapped(*set.byName("k8s"), "pause"));
        CPPUNIT_ASSERT(set.byName("k8s")->plugin().authFor({}).kind == UpstreamAuth::Kind::Anonymous);
        auto privateRegistry = registry("private", "generic");
        privateRegistry.upstream = "https://registry.example.com";
        privateRegistry.credentials = {"ci", "pw"};
        auto withCredentials = create({privateRegistry});
        const UpstreamAuth auth = withCredentials.byName("private")->plugin().authFor({"Basic", "Registry", "", ""});
        CPPUNIT_ASSERT(auth.kind == UpstreamAuth::Kind::Basic);
        CPPUNIT_ASSERT_EQUAL(std::string("pw"), auth.credentials.password);
    }

private:
    static config::RegistrySettings registry(const std::string& name, const std::string& plugin)
    {
        config::RegistrySettings section;
        section.name = name;
        section.plugin = plugin;
        return section;
    }

    RegistrySet create(std::vector<config::RegistrySettings> registries)
    {
        config::Settings settings;
        settings.configFile = "test.ini";
        settings.routing.defaultRegistry.clear();
        settings.registries = std::move(registries);
        return RegistrySet::create(settings, catalog_);
    }

    std::string error(std::vector<config::RegistrySettings> registries)
    {
        try {
            create(std::move(registries));
        } catch (const std::exception& e) {
            return e.what();
        }
        CPPUNIT_FAIL("accepted");
        return {};
    }

    PluginCatalog catalog_;
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(BuiltinPluginsTest, "plugins");

}  // namespace vicary::plugin
