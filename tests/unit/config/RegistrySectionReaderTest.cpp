// Tests for core/config/RegistrySectionReader through loadSettings: [registry.<name>] sections.
#include <cppunit/extensions/HelperMacros.h>

#include "ConfigTestSupport.h"

using namespace vicary::config;
using namespace vicary::config::test;
using std::chrono::seconds;

namespace {

/// A config with [routing] default = "" and `registries` appended, written into `dir`.
std::string configWith(const TempDirectory& dir, const std::string& registries)
{
    return dir.write("vicary.ini", "[routing]\ndefault =\n" + registries);
}

}  // namespace

class RegistrySectionReaderTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RegistrySectionReaderTest);
    CPPUNIT_TEST(fullRegistry);
    CPPUNIT_TEST(registriesKeepFileOrder);
    CPPUNIT_TEST(otherKeysGoToExtraWithTheirLines);
    CPPUNIT_TEST(pluginIsRequired);
    CPPUNIT_TEST(badRegistryName);
    CPPUNIT_TEST(badRegistryValues);
    CPPUNIT_TEST(keyInWrongCaseIsNotPassedToThePlugin);
    CPPUNIT_TEST(plainHttpUpstreamNeedsPlainHttp);
    CPPUNIT_TEST(plainHttpContradictsHttpsUpstream);
    CPPUNIT_TEST(passwordFileIsReadAndStripped);
    CPPUNIT_TEST(passwordAndPasswordFileAreExclusive);
    CPPUNIT_TEST(usernameAndPasswordNeedEachOther);
    CPPUNIT_TEST(unreadableFilesAreNamed);
    CPPUNIT_TEST_SUITE_END();

public:
    void fullRegistry()
    {
        TempDirectory dir;
        dir.write("certs/ca.pem", "-----BEGIN CERTIFICATE-----\n");
        const std::string file = configWith(dir, R"([registry.internal]
plugin = generic
upstream = http://Registry.Internal:5000/mirror/
plain_http = yes
aliases = registry.internal:5000, Mirror.Internal
username = robot
password = s3cret ; an inline comment
ca_file = certs/ca.pem
tag_ttl = 10m
)");
        const RegistrySettings r = loadSettings(file, {}).registries.at(0);
        CPPUNIT_ASSERT_EQUAL(std::string("internal"), r.name);
        CPPUNIT_ASSERT_EQUAL(std::string("generic"), r.plugin);
        CPPUNIT_ASSERT_EQUAL(std::string("http://registry.internal:5000/mirror"), r.upstream);
        CPPUNIT_ASSERT(r.plainHttp);
        CPPUNIT_ASSERT(std::vector<std::string>({"registry.internal:5000", "mirror.internal"}) == r.aliases);
        CPPUNIT_ASSERT_EQUAL(std::string("robot"), r.credentials.username);
        CPPUNIT_ASSERT_EQUAL(std::string("s3cret"), r.credentials.password);
        CPPUNIT_ASSERT_EQUAL(dir.path() + "/certs/ca.pem", r.caFile);
        CPPUNIT_ASSERT_EQUAL(seconds(600).count(), (r.tagTtl).count());
        CPPUNIT_ASSERT(r.extra.empty());
    }

    void registriesKeepFileOrder()
    {
        TempDirectory dir;
        const Settings s = loadSettings(
            configWith(dir, "[registry.zeta]\nplugin = quay\n[registry.alpha]\nplugin = gcr\n[registry.mid]\nplugin = x\n"),
            {});
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, s.registries.size());
        CPPUNIT_ASSERT_EQUAL(std::string("zeta"), s.registries[0].name);
        CPPUNIT_ASSERT_EQUAL(std::string("alpha"), s.registries[1].name);
        CPPUNIT_ASSERT_EQUAL(std::string("mid"), s.registries[2].name);
    }

    void otherKeysGoToExtraWithTheirLines()
    {
        TempDirectory dir;
        const RegistrySettings r =
            loadSettings(configWith(dir, "[registry.hub]\nplugin = dockerhub\nlibrary_prefix = yes\nmirror_of =\n"), {})
                .registries.at(0);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, r.extra.size());
        CPPUNIT_ASSERT_EQUAL(std::string("yes"), r.extra.at("library_prefix"));
        CPPUNIT_ASSERT_EQUAL(5, r.extraLines.at("library_prefix"));
        CPPUNIT_ASSERT_EQUAL(std::string(), r.extra.at("mirror_of"));
        CPPUNIT_ASSERT_EQUAL(6, r.extraLines.at("mirror_of"));
    }

    void pluginIsRequired()
    {
        TempDirectory dir;
        const std::string file = configWith(dir, "[registry.ghcr]\nupstream = https://ghcr.io\n");
        assertContainsAll(loadError(file), {file + ":3: [registry.ghcr] plugin: missing"});
        const std::string empty = configWith(dir, "[registry.ghcr]\nplugin =\n");
        CPPUNIT_ASSERT_EQUAL(empty + ":4: [registry.ghcr] plugin: no value given", loadError(empty));
        const std::string noKeys = configWith(dir, "[registry.ghcr]\n");
        assertContainsAll(loadError(noKeys), {noKeys + ":3: [registry.ghcr] plugin: missing"});
    }

    void badRegistryName()
    {
        TempDirectory dir;
        const std::string file = configWith(dir, "[registry.Docker_Hub]\nplugin = dockerhub\n");
        assertContainsAll(loadError(file), {file + ":3: [registry.Docker_Hub]: 'Docker_Hub' is not a registry name"});
        const std::string bare = configWith(dir, "[registry.]\nplugin = dockerhub\n");
        assertContainsAll(loadError(bare), {bare + ":3: [registry.]: '' is not a registry name"});
    }

    void badRegistryValues()
    {
        struct Case {
            const char* key;
            const char* value;
            const char* problem;
        };
        const Case cases[] = {
            {"plugin", "Docker Hub", "is not a name"},
            {"upstream", "ghcr.io", "is not an http:// or https:// URL"},
            {"upstream", "https://ghcr.io/v2?x=1", "has a query"},
            {"aliases", "ghcr.io bad_alias", "is not a host name"},
            {"plain_http", "sometimes", "is not a boolean"},
            {"tag_ttl", "1y", "is not a duration"},
        };
        for (const auto& c : cases) {
            TempDirectory dir;
            const std::string body = std::string("[registry.r]\n") + (std::string(c.key) == "plugin" ? "" : "plugin = x\n") +
                                     c.key + " = " + c.value + "\n";
            const std::string file = configWith(dir, body);
            const int line = std::string(c.key) == "plugin" ? 4 : 5;
            assertContainsAll(loadError(file), {file + ":" + std::to_string(line) + ": [registry.r] " + c.key + ": ",
                                                c.problem});
        }
    }

    void keyInWrongCaseIsNotPassedToThePlugin()
    {
        TempDirectory dir;
        const std::string file = configWith(dir, "[registry.r]\nplugin = x\nUpstream = https://ghcr.io\n");
        CPPUNIT_ASSERT_EQUAL(file + ":5: [registry.r] Upstream: keys are lowercase; did you mean 'upstream'?",
                             loadError(file));
    }

    void plainHttpUpstreamNeedsPlainHttp()
    {
        TempDirectory dir;
        const std::string file = configWith(dir, "[registry.r]\nplugin = x\nupstream = http://10.0.0.5:5000\n");
        CPPUNIT_ASSERT_EQUAL(file + ":5: [registry.r] upstream: 'http://10.0.0.5:5000' is plain HTTP; set plain_http = "
                                    "true to allow it",
                             loadError(file));
    }

    void plainHttpContradictsHttpsUpstream()
    {
        TempDirectory dir;
        const std::string file =
            configWith(dir, "[registry.r]\nplugin = x\nplain_http = true\nupstream = https://ghcr.io\n");
        assertContainsAll(loadError(file),
                          {file + ":5: [registry.r] plain_http: true contradicts the https:// upstream 'https://ghcr.io'"});
    }

    void passwordFileIsReadAndStripped()
    {
        TempDirectory dir;
        dir.write("secrets/hub", "p4ss word\r\n\n");
        const std::string file =
            configWith(dir, "[registry.hub]\nplugin = dockerhub\nusername = bob\npassword_file = secrets/hub\n");
        const RegistrySettings r = loadSettings(file, {}).registries.at(0);
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), r.credentials.username);
        CPPUNIT_ASSERT_EQUAL(std::string("p4ss word"), r.credentials.password);
        dir.write("secrets/empty", "\n");
        const std::string empty =
            configWith(dir, "[registry.hub]\nplugin = dockerhub\nusername = bob\npassword_file = secrets/empty\n");
        CPPUNIT_ASSERT_EQUAL(empty + ":6: [registry.hub] password_file: '" + dir.path() + "/secrets/empty' is empty",
                             loadError(empty));
    }

    void passwordAndPasswordFileAreExclusive()
    {
        TempDirectory dir;
        dir.write("pw", "filesecret");
        const std::string file = configWith(
            dir, "[registry.hub]\nplugin = dockerhub\nusername = bob\npassword = inlinesecret\npassword_file = pw\n");
        const std::string message = loadError(file);
        CPPUNIT_ASSERT_EQUAL(file + ":7: [registry.hub] password_file: password and password_file are both set; keep one",
                             message);
        assertLacks(message, "inlinesecret");
    }

    void usernameAndPasswordNeedEachOther()
    {
        TempDirectory dir;
        const std::string noPassword = configWith(dir, "[registry.hub]\nplugin = dockerhub\nusername = bob\n");
        CPPUNIT_ASSERT_EQUAL(noPassword + ":5: [registry.hub] username: 'bob' has no password; set password or "
                                          "password_file",
                             loadError(noPassword));
        const std::string noUser = configWith(dir, "[registry.hub]\nplugin = dockerhub\npassword = topsecret\n");
        const std::string message = loadError(noUser);
        CPPUNIT_ASSERT_EQUAL(noUser + ":5: [registry.hub] password: given without a username; set username too",
                             message);
        assertLacks(message, "topsecret");
    }

    void unreadableFilesAreNamed()
    {
        TempDirectory dir;
        const std::string noSecret =
            configWith(dir, "[registry.hub]\nplugin = dockerhub\nusername = bob\npassword_file = /nonexistent/pw\n");
        CPPUNIT_ASSERT_EQUAL(noSecret + ":6: [registry.hub] password_file: cannot read '/nonexistent/pw': No such file "
                                        "or directory",
                             loadError(noSecret));
        const std::string noCa = configWith(dir, "[registry.hub]\nplugin = dockerhub\nca_file = ca.pem\n");
        CPPUNIT_ASSERT_EQUAL(noCa + ":5: [registry.hub] ca_file: cannot read '" + dir.path() +
                                    "/ca.pem': No such file or directory",
                             loadError(noCa));
        const std::string caDir = configWith(dir, "[registry.hub]\nplugin = dockerhub\nca_file = .\n");
        assertContainsAll(loadError(caDir), {":5: [registry.hub] ca_file: cannot read '" + dir.path() + "': Is a directory"});
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(RegistrySectionReaderTest, "config");
