// Tests for the VICARY_* environment overrides, through loadSettings, and for processEnvironment.
#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>

#include "ConfigTestSupport.h"

using namespace vicary::config;
using namespace vicary::config::test;

namespace {

const char* const kConfig = R"([server]
port = 6000
scheme = http
[cache]
directory = /srv/file-store
[upstream]
resolver = 10.0.0.2 ipv6=off
[registry.dockerhub]
plugin = dockerhub
username = fileuser
password = filepassword
[registry.mirror]
plugin = dockerhub
upstream = https://mirror.example
[registry.quay]
plugin = quay
username = quayuser
password = quaypassword
)";

// base64("envuser:envpassword")
const char* const kEnvAuth = "ZW52dXNlcjplbnZwYXNzd29yZA==";

}  // namespace

class EnvironmentOverridesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(EnvironmentOverridesTest);
    CPPUNIT_TEST(withoutEnvironmentTheFileHolds);
    CPPUNIT_TEST(eachOverrideWinsOverTheFile);
    CPPUNIT_TEST(relativeStoreResolvesAgainstWorkingDirectory);
    CPPUNIT_TEST(emptyAndUnknownVariablesAreIgnored);
    CPPUNIT_TEST(badValuesNameTheVariable);
    CPPUNIT_TEST(dockerHubAuthReplacesCredentialsOfEveryDockerHubRegistry);
    CPPUNIT_TEST(badDockerHubAuthNeverShowsTheSecret);
    CPPUNIT_TEST(dockerHubAuthNeedsADockerHubRegistry);
    CPPUNIT_TEST(processEnvironmentHasOnlyVicaryVariables);
    CPPUNIT_TEST_SUITE_END();

public:
    void withoutEnvironmentTheFileHolds()
    {
        TempDirectory dir;
        const Settings s = loadSettings(dir.write("vicary.ini", kConfig), {});
        CPPUNIT_ASSERT_EQUAL(std::uint16_t{6000}, s.server.port);
        CPPUNIT_ASSERT_EQUAL(std::string("fileuser"), s.registries[0].credentials.username);
    }

    void eachOverrideWinsOverTheFile()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", kConfig);
        CPPUNIT_ASSERT_EQUAL(std::uint16_t{7000}, loadSettings(file, {{"VICARY_PORT", "7000"}}).server.port);
        CPPUNIT_ASSERT_EQUAL(std::string("https"), loadSettings(file, {{"VICARY_SCHEME", "https"}}).server.scheme);
        CPPUNIT_ASSERT_EQUAL(std::string("/data/store"),
                             loadSettings(file, {{"VICARY_STORE", "/data//store/"}}).cache.directory);
        const Settings resolved = loadSettings(file, {{"VICARY_RESOLVER", "  1.1.1.1:5353 ::1 "}});
        CPPUNIT_ASSERT(std::vector<std::string>({"1.1.1.1:5353", "[::1]:53"}) == resolved.upstream.resolverServers);
        CPPUNIT_ASSERT_MESSAGE("the file's ipv6=off goes with the file's value", resolved.upstream.resolverIpv6);
    }

    void relativeStoreResolvesAgainstWorkingDirectory()
    {
        TempDirectory dir;
        const std::string file = dir.write("etc/vicary.ini", kConfig);
        const std::string expected = (std::filesystem::current_path() / "store").lexically_normal().string();
        CPPUNIT_ASSERT_EQUAL(expected, loadSettings(file, {{"VICARY_STORE", "./store"}}).cache.directory);
    }

    void emptyAndUnknownVariablesAreIgnored()
    {
        TempDirectory dir;
        const Settings s = loadSettings(dir.write("vicary.ini", kConfig),
                                        {{"VICARY_PORT", ""},
                                         {"VICARY_SCHEME", ""},
                                         {"VICARY_STORE", ""},
                                         {"VICARY_RESOLVER", ""},
                                         {"VICARY_DOCKER_IO_B64_AUTH", ""},
                                         {"VICARY_SOMETHING_ELSE", "x"}});
        CPPUNIT_ASSERT_EQUAL(std::uint16_t{6000}, s.server.port);
        CPPUNIT_ASSERT_EQUAL(std::string("http"), s.server.scheme);
        CPPUNIT_ASSERT_EQUAL(std::string("/srv/file-store"), s.cache.directory);
        CPPUNIT_ASSERT(std::vector<std::string>({"10.0.0.2:53"}) == s.upstream.resolverServers);
        CPPUNIT_ASSERT_EQUAL(std::string("fileuser"), s.registries[0].credentials.username);
    }

    void badValuesNameTheVariable()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", kConfig);
        CPPUNIT_ASSERT_EQUAL(std::string("environment VICARY_PORT: '70000' is not a port number (0-65535)"),
                             loadError(file, {{"VICARY_PORT", "70000"}}));
        CPPUNIT_ASSERT_EQUAL(std::string("environment VICARY_SCHEME: 'ftp' is not a scheme (http or https)"),
                             loadError(file, {{"VICARY_SCHEME", "ftp"}}));
        assertContainsAll(loadError(file, {{"VICARY_RESOLVER", "dns.google"}}),
                          {"environment VICARY_RESOLVER: 'dns.google' is a host name"});
        assertContainsAll(loadError(file, {{"VICARY_RESOLVER", "1.1.1.1 valid=10s"}}),
                          {"environment VICARY_RESOLVER: 'valid=10s' is not a supported option"});
    }

    void dockerHubAuthReplacesCredentialsOfEveryDockerHubRegistry()
    {
        TempDirectory dir;
        const Settings s = loadSettings(dir.write("vicary.ini", kConfig), {{"VICARY_DOCKER_IO_B64_AUTH", kEnvAuth}});
        for (std::size_t i : {0, 1}) {
            CPPUNIT_ASSERT_EQUAL(std::string("envuser"), s.registries[i].credentials.username);
            CPPUNIT_ASSERT_EQUAL(std::string("envpassword"), s.registries[i].credentials.password);
        }
        CPPUNIT_ASSERT_EQUAL(std::string("quayuser"), s.registries[2].credentials.username);
        CPPUNIT_ASSERT_EQUAL(std::string("quaypassword"), s.registries[2].credentials.password);
    }

    void badDockerHubAuthNeverShowsTheSecret()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", kConfig);
        struct Case {
            const char* value;
            const char* secret;
            const char* problem;
        };
        const Case cases[] = {
            {"not*base64!secretish", "secretish", "is not valid base64"},
            {"c2VjcmV0bm9jb2xvbg==", "secretnocolon", "no ':'"},        // "secretnocolon"
            {"OnNlY3JldHB3", "secretpw", "empty user"},                // ":secretpw"
            {"c2VjcmV0dXNlcjo=", "c2VjcmV0dXNlcjo=", "empty password"},  // "secretuser:"
        };
        for (const auto& c : cases) {
            const std::string message = loadError(file, {{"VICARY_DOCKER_IO_B64_AUTH", c.value}});
            assertContainsAll(message, {"environment VICARY_DOCKER_IO_B64_AUTH: ", c.problem});
            assertLacks(message, c.value);
            assertLacks(message, c.secret);
        }
    }

    void dockerHubAuthNeedsADockerHubRegistry()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", "[routing]\ndefault = quay\n[registry.quay]\nplugin = quay\n");
        const std::string message = loadError(file, {{"VICARY_DOCKER_IO_B64_AUTH", kEnvAuth}});
        assertContainsAll(message, {"environment VICARY_DOCKER_IO_B64_AUTH: ", "plugin = dockerhub"});
        assertLacks(message, kEnvAuth);
        assertLacks(message, "envpassword");
    }

    void processEnvironmentHasOnlyVicaryVariables()
    {
        ::setenv("VICARY_CONFIG_TEST_VARIABLE", "a=b", 1);
        ::setenv("NOT_VICARY_CONFIG_TEST_VARIABLE", "x", 1);
        const Environment env = processEnvironment();
        ::unsetenv("VICARY_CONFIG_TEST_VARIABLE");
        ::unsetenv("NOT_VICARY_CONFIG_TEST_VARIABLE");
        CPPUNIT_ASSERT_EQUAL(std::string("a=b"), env.at("VICARY_CONFIG_TEST_VARIABLE"));
        CPPUNIT_ASSERT(env.count("NOT_VICARY_CONFIG_TEST_VARIABLE") == 0);
        for (const auto& [name, value] : env)
            CPPUNIT_ASSERT_MESSAGE(name, name.compare(0, 7, "VICARY_") == 0);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(EnvironmentOverridesTest, "config");
