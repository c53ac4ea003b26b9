// Turning [registry.*] sections into plugin instances: the checks that need the loaded plugins.
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>

#include "config/ConfigError.h"
#include "plugin/PluginCatalog.h"
#include "plugin/RegistrySet.h"
#include "support/TempDir.h"

namespace vicary::plugin {
namespace {

config::RegistrySettings section(const std::string& name, const std::string& plugin, const std::string& upstream = {})
{
    config::RegistrySettings registry;
    registry.name = name;
    registry.plugin = plugin;
    registry.upstream = upstream;
    return registry;
}

config::Settings settingsWith(std::vector<config::RegistrySettings> registries, const std::string& defaultRegistry)
{
    config::Settings settings;
    settings.configFile = "/etc/vicary/test.ini";
    settings.registries = std::move(registries);
    settings.routing.defaultRegistry = defaultRegistry;
    return settings;
}

}  // namespace

class RegistrySetTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RegistrySetTest);
    CPPUNIT_TEST(routesHostsAndDefault);
    CPPUNIT_TEST(refusesUnknownPlugin);
    CPPUNIT_TEST(refusesKeyThePluginDoesNotAccept);
    CPPUNIT_TEST(acceptsKeyThePluginDeclares);
    CPPUNIT_TEST(reportsThePluginsRefusal);
    CPPUNIT_TEST(reportsAnExceptionFromCreate);
    CPPUNIT_TEST(refusesHostClaimedTwice);
    CPPUNIT_TEST(refusesMissingDefault);
    CPPUNIT_TEST(refusesPlainHttpUpstreamWithoutFlag);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override
    {
        catalog_ = PluginCatalog::loadDirectory(VICARY_TEST_PLUGIN_DIR);
        catalog_.add(PluginLibrary::load(std::string(VICARY_TEST_FIXTURE_DIR) + "/fixture_refuse.so"));
        catalog_.add(PluginLibrary::load(std::string(VICARY_TEST_FIXTURE_DIR) + "/fixture_throw.so"));
    }

    void routesHostsAndDefault()
    {
        auto ghcr = section("ghcr", "generic", "https://ghcr.io");
        RegistrySet set = RegistrySet::create(
            settingsWith({section("dockerhub", "dockerhub"), section("quay", "quay"), ghcr}, "dockerhub"), catalog_);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), set.all().size());
        CPPUNIT_ASSERT_EQUAL(std::string("dockerhub"), set.defaultRegistry()->name());
        CPPUNIT_ASSERT_EQUAL(std::string("dockerhub"), set.byHost("docker.io")->name());
        CPPUNIT_ASSERT_EQUAL(std::string("dockerhub"), set.byHost("Registry-1.Docker.IO")->name());
        CPPUNIT_ASSERT_EQUAL(std::string("quay"), set.byHost("quay.io")->name());
        CPPUNIT_ASSERT_EQUAL(std::string("ghcr"), set.byHost("ghcr.io")->name());
        CPPUNIT_ASSERT(set.byHost("evil.example.com") == nullptr);
        CPPUNIT_ASSERT_EQUAL(std::string("https://ghcr.io"), set.byName("ghcr")->upstreamUrl("ghcr.io"));
    }

    void refusesUnknownPlugin()
    {
        const std::string message = error(settingsWith({section("harbor", "harbor")}, ""));
        CPPUNIT_ASSERT_MESSAGE(message, message.find("/etc/vicary/test.ini: [registry.harbor] plugin: no plugin named "
                                                     "'harbor' is loaded (loaded: ") == 0);
        CPPUNIT_ASSERT_MESSAGE(message, message.find("dockerhub") != std::string::npos);
    }

    void refusesKeyThePluginDoesNotAccept()
    {
        auto quay = section("quay", "quay");
        quay.extra["json_key_file"] = "/tmp/key.json";
        quay.extraLines["json_key_file"] = 42;
        const std::string message = error(settingsWith({quay}, ""));
        CPPUNIT_ASSERT_MESSAGE(message, message.find("/etc/vicary/test.ini:42: [registry.quay] json_key_file: unknown "
                                                     "key; plugin quay accepts plugin, upstream") == 0);
    }

    void acceptsKeyThePluginDeclares()
    {
        test::TempDir dir;
        auto gcr = section("gcr", "gcr");
        gcr.extra["json_key_file"] = dir.write("key.json", R"({"type": "service_account"})");
        RegistrySet set = RegistrySet::create(settingsWith({gcr}, "gcr"), catalog_);
        const UpstreamAuth auth = set.byName("gcr")->plugin().authFor({});
        CPPUNIT_ASSERT(auth.kind == UpstreamAuth::Kind::Basic);
        CPPUNIT_ASSERT_EQUAL(std::string("_json_key"), auth.credentials.username);
    }

    void reportsThePluginsRefusal()
    {
        const std::string message = error(settingsWith({section("ghcr", "generic")}, ""));
        CPPUNIT_ASSERT_MESSAGE(message, message.find("/etc/vicary/test.ini: [registry.ghcr] plugin generic (") == 0);
        CPPUNIT_ASSERT_MESSAGE(message, message.find("upstream: required for plugin generic") != std::string::npos);
        const std::string fixture = error(settingsWith({section("r", "refuser")}, ""));
        CPPUNIT_ASSERT_MESSAGE(fixture, fixture.find("mode: the fixture refuses every section") != std::string::npos);
    }

    void reportsAnExceptionFromCreate()
    {
        const std::string message = error(settingsWith({section("t", "thrower")}, ""));
        CPPUNIT_ASSERT_MESSAGE(message, message.find("[registry.t] plugin thrower") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(message, message.find("the fixture throws from create") != std::string::npos);
    }

    void refusesHostClaimedTwice()
    {
        auto second = section("hub2", "generic", "https://mirror.example.com");
        second.aliases = {"docker.io"};
        const std::string message = error(settingsWith({section("dockerhub", "dockerhub"), second}, ""));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/vicary/test.ini: [registry.hub2] aliases: host 'docker.io' is already "
                                         "served by [registry.dockerhub]"),
                             message);
    }

    void refusesMissingDefault()
    {
        const std::string message = error(settingsWith({section("quay", "quay")}, "dockerhub"));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/vicary/test.ini: [routing] default: no [registry.dockerhub] section"),
                             message);
    }

    void refusesPlainHttpUpstreamWithoutFlag()
    {
        const std::string message = error(settingsWith({section("local", "generic", "http://127.0.0.1:5000")}, ""));
        CPPUNIT_ASSERT_MESSAGE(message, message.find("set plain_http = true") != std::string::npos);
        auto allowed = section("local", "generic", "http://127.0.0.1:5000");
        allowed.plainHttp = true;
        RegistrySet set = RegistrySet::create(settingsWith({allowed}, ""), catalog_);
        CPPUNIT_ASSERT_EQUAL(std::string("local"), set.byHost("127.0.0.1:5000")->name());
    }

private:
    std::string error(const config::Settings& settings)
    {
        try {
            RegistrySet::create(settings, catalog_);
        } catch (const config::ConfigError& e) {
            return e.what();
        }
        CPPUNIT_FAIL("the registries were accepted");
        return {};
    }

    PluginCatalog catalog_;
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(RegistrySetTest, "plugin");

}  // namespace vicary::plugin
