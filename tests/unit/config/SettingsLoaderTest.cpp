// Tests for core/config/SettingsLoader with files only: values, defaults, bad values, structure, paths, routing.
#include <cppunit/extensions/HelperMacros.h>

#include "ConfigTestSupport.h"

using namespace vicary::config;
using namespace vicary::config::test;
using std::chrono::seconds;

namespace {

const char* const kDockerHub = "[registry.dockerhub]\nplugin = dockerhub\n";

}  // namespace

class SettingsLoaderTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SettingsLoaderTest);
    CPPUNIT_TEST(fullValidFile);
    CPPUNIT_TEST(defaultsOfEveryKey);
    CPPUNIT_TEST(emptyOptionalValues);
    CPPUNIT_TEST(badValuesNameFileLineSectionAndKey);
    CPPUNIT_TEST(emptyRequiredValue);
    CPPUNIT_TEST(unknownSection);
    CPPUNIT_TEST(unknownKeyListsAcceptedKeys);
    CPPUNIT_TEST(keysAreCaseSensitive);
    CPPUNIT_TEST(syntaxErrorsNameTheFile);
    CPPUNIT_TEST(missingFile);
    CPPUNIT_TEST(directoryInsteadOfFile);
    CPPUNIT_TEST(relativePathsResolveAgainstTheFile);
    CPPUNIT_TEST(routingDefaultMustNameARegistry);
    CPPUNIT_TEST(builtInRoutingDefaultNeedsDockerHub);
    CPPUNIT_TEST(authSectionAndAllowUsers);
    CPPUNIT_TEST_SUITE_END();

public:
    void fullValidFile()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", R"([server]
bind = 127.0.0.1
port = 0
scheme = https
public_url = https://cache.example:8443/
threads = 4
queue = 100
keep_alive = off
keep_alive_timeout = 2m
max_keep_alive_requests = 100
timeout = 90
congestion_control = reno

[cache]
directory = /srv/vicary
max_size = 200GiB
min_free = 5 GB
tag_ttl = 0

[plugins]
directory = /opt/vicary/plugins/

[routing]
default = quay

[upstream]
resolver = 10.0.0.2 [::1]:5353 ipv6=off
connect_timeout = 5s
read_timeout = 1h

[log]
level = info

[registry.quay]
plugin = quay
)");
        const Settings s = loadSettings(file, {});
        CPPUNIT_ASSERT_EQUAL(file, s.configFile);
        CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), s.server.bind);
        CPPUNIT_ASSERT_EQUAL(std::uint16_t{0}, s.server.port);
        CPPUNIT_ASSERT_EQUAL(std::string("https"), s.server.scheme);
        CPPUNIT_ASSERT_EQUAL(std::string("reno"), s.server.congestionControl);
        CPPUNIT_ASSERT_EQUAL(std::string("https://cache.example:8443"), s.server.publicUrl);
        CPPUNIT_ASSERT_EQUAL(4u, s.server.threads);
        CPPUNIT_ASSERT_EQUAL(100u, s.server.queue);
        CPPUNIT_ASSERT(!s.server.keepAlive);
        CPPUNIT_ASSERT_EQUAL(seconds(120).count(), (s.server.keepAliveTimeout).count());
        CPPUNIT_ASSERT_EQUAL(100u, s.server.maxKeepAliveRequests);
        CPPUNIT_ASSERT_EQUAL(seconds(90).count(), (s.server.timeout).count());
        CPPUNIT_ASSERT_EQUAL(std::string("/srv/vicary"), s.cache.directory);
        CPPUNIT_ASSERT(s.cache.maxSize.kind == SizeLimit::Kind::Bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{200} << 30, s.cache.maxSize.bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{5000000000}, s.cache.minFree);
        CPPUNIT_ASSERT_EQUAL(seconds(0).count(), (s.cache.tagTtl).count());
        CPPUNIT_ASSERT_EQUAL(std::string("/opt/vicary/plugins"), s.plugins.directory);
        CPPUNIT_ASSERT_EQUAL(std::string("quay"), s.routing.defaultRegistry);
        CPPUNIT_ASSERT(std::vector<std::string>({"10.0.0.2:53", "[::1]:5353"}) == s.upstream.resolverServers);
        CPPUNIT_ASSERT(!s.upstream.resolverIpv6);
        CPPUNIT_ASSERT_EQUAL(seconds(5).count(), (s.upstream.connectTimeout).count());
        CPPUNIT_ASSERT_EQUAL(seconds(3600).count(), (s.upstream.readTimeout).count());
        CPPUNIT_ASSERT_EQUAL(std::string("information"), s.log.level);
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, s.registries.size());
        CPPUNIT_ASSERT_EQUAL(std::string("quay"), s.registries[0].plugin);
    }

    void defaultsOfEveryKey()
    {
        TempDirectory dir;
        const Settings s = loadSettings(dir.write("vicary.ini", kDockerHub), {});
        CPPUNIT_ASSERT_EQUAL(std::string("0.0.0.0"), s.server.bind);
        CPPUNIT_ASSERT_EQUAL(std::uint16_t{5050}, s.server.port);
        CPPUNIT_ASSERT_EQUAL(std::string("http"), s.server.scheme);
        CPPUNIT_ASSERT_EQUAL(std::string(), s.server.publicUrl);
        CPPUNIT_ASSERT_EQUAL(128u, s.server.threads);
        CPPUNIT_ASSERT_EQUAL(128u, s.server.queue);
        CPPUNIT_ASSERT(s.server.keepAlive);
        CPPUNIT_ASSERT_EQUAL(seconds(15).count(), (s.server.keepAliveTimeout).count());
        CPPUNIT_ASSERT_EQUAL(0u, s.server.maxKeepAliveRequests);
        CPPUNIT_ASSERT_EQUAL(seconds(60).count(), (s.server.timeout).count());
        CPPUNIT_ASSERT_EQUAL(std::string("auto"), s.server.congestionControl);
        CPPUNIT_ASSERT_EQUAL(std::string("/var/cache/vicary"), s.cache.directory);
        CPPUNIT_ASSERT(s.cache.maxSize.kind == SizeLimit::Kind::Percent);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(80.0, s.cache.maxSize.percent, 1e-9);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1} << 30, s.cache.minFree);
        CPPUNIT_ASSERT_EQUAL(seconds(300).count(), (s.cache.tagTtl).count());
        CPPUNIT_ASSERT_EQUAL(std::string(), s.plugins.directory);
        CPPUNIT_ASSERT_EQUAL(std::string("dockerhub"), s.routing.defaultRegistry);
        CPPUNIT_ASSERT(s.upstream.resolverServers.empty());
        CPPUNIT_ASSERT(s.upstream.resolverIpv6);
        CPPUNIT_ASSERT_EQUAL(seconds(10).count(), (s.upstream.connectTimeout).count());
        CPPUNIT_ASSERT_EQUAL(seconds(60).count(), (s.upstream.readTimeout).count());
        CPPUNIT_ASSERT_EQUAL(std::string("information"), s.log.level);
        const RegistrySettings& hub = s.registries.at(0);
        CPPUNIT_ASSERT_EQUAL(std::string("dockerhub"), hub.name);
        CPPUNIT_ASSERT(hub.upstream.empty() && hub.aliases.empty() && hub.credentials.empty() && hub.caFile.empty());
        CPPUNIT_ASSERT(!hub.plainHttp);
        CPPUNIT_ASSERT_EQUAL(seconds(0).count(), (hub.tagTtl).count());
        CPPUNIT_ASSERT(hub.extra.empty());
    }

    void emptyOptionalValues()
    {
        TempDirectory dir;
        const Settings s = loadSettings(dir.write("v.ini", "[server]\npublic_url =\n[plugins]\ndirectory =\n"
                                                           "[routing]\ndefault =\n[upstream]\nresolver =\n"),
                                        {});
        CPPUNIT_ASSERT(s.server.publicUrl.empty());
        CPPUNIT_ASSERT(s.plugins.directory.empty());
        CPPUNIT_ASSERT(s.routing.defaultRegistry.empty());
        CPPUNIT_ASSERT(s.upstream.resolverServers.empty());
        CPPUNIT_ASSERT(s.registries.empty());
    }

    void badValuesNameFileLineSectionAndKey()
    {
        struct Case {
            const char* section;
            const char* key;
            const char* value;
            const char* problem;
        };
        const Case cases[] = {
            {"server", "bind", "0.0.0.0:80", "is not an IPv4 address"},
            {"server", "port", "70000", "is not a port number (0-65535)"},
            {"server", "scheme", "ftp", "is not a scheme"},
            {"server", "public_url", "https://x.example/?q=1", "has a query"},
            {"server", "public_url", "cache.example", "is not an http:// or https:// URL"},
            {"server", "threads", "0", "is not a whole number from 1 to 1024"},
            {"server", "threads", "1025", "is not a whole number from 1 to 1024"},
            {"server", "queue", "65537", "is not a whole number from 1 to 65536"},
            {"server", "keep_alive", "maybe", "is not a boolean"},
            {"server", "keep_alive_timeout", "0", "is too short; the minimum is 1s"},
            {"server", "max_keep_alive_requests", "1000001", "is not a whole number from 0 to 1000000"},
            {"server", "timeout", "1 minute", "is not a duration"},
            {"server", "congestion_control", "Cubic", "is not auto, system or a TCP congestion control name"},
            {"server", "congestion_control", "a_very_long_name", "is not auto, system or a TCP congestion control name"},
            {"cache", "max_size", "120%", "is not a percentage"},
            {"cache", "max_size", "1.5TB", "has a fraction"},
            {"cache", "min_free", "-1G", "is negative"},
            {"cache", "min_free", "10%", "is not a size"},
            {"cache", "tag_ttl", "5x", "is not a duration"},
            {"upstream", "resolver", "dns.google", "is a host name"},
            {"upstream", "resolver", "valid=30s", "is not a supported option"},
            {"upstream", "connect_timeout", "0s", "is too short"},
            {"upstream", "read_timeout", "-1", "is not a duration"},
            {"log", "level", "verbose", "is not a log level"},
            {"auth", "realm", "a\"b", "has a quote, backslash or control character"},
            {"auth", "max_failures", "0", "is not a whole number from 1 to 1000000"},
            {"auth", "lockout", "0", "is too short; the minimum is 1s"},
        };
        for (const auto& c : cases) {
            TempDirectory dir;
            const std::string file = dir.write("vicary.ini", std::string(kDockerHub) + "[" + c.section +
                                                                 "]\n# padding\n" + c.key + " = " + c.value + "\n");
            const std::string message = loadError(file, {});
            assertContainsAll(message, {file + ":5: [" + c.section + "] " + c.key + ": '" + c.value + "' " + c.problem});
        }
    }

    void emptyRequiredValue()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", "[server]\nthreads =\n");
        CPPUNIT_ASSERT_EQUAL(file + ":2: [server] threads: no value given", loadError(file));
    }

    void unknownSection()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", std::string(kDockerHub) + "[storage]\n");
        assertContainsAll(loadError(file), {file + ":3: [storage]: unknown section; known sections: [server], "
                                                   "[cache], [plugins], [routing], [upstream], [log], [auth], [registry.<name>]"});
    }

    void unknownKeyListsAcceptedKeys()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", std::string(kDockerHub) + "[cache]\nmax_bytes = 1\n");
        CPPUNIT_ASSERT_EQUAL(file + ":4: [cache] max_bytes: unknown key; [cache] accepts directory, max_size, min_free, "
                                    "tag_ttl, negative_ttl",
                             loadError(file));
    }

    void keysAreCaseSensitive()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", std::string(kDockerHub) + "[Server]\n");
        assertContainsAll(loadError(file), {":3: [Server]: unknown section"});
        const std::string other = dir.write("other.ini", std::string(kDockerHub) + "[server]\nPort = 1\n");
        assertContainsAll(loadError(other), {":4: [server] Port: unknown key"});
    }

    void syntaxErrorsNameTheFile()
    {
        TempDirectory dir;
        const std::string dup = dir.write("dup.ini", "[server]\nport = 1\nport = 2\n");
        CPPUNIT_ASSERT_EQUAL(dup + ":3: [server] port: duplicate key; it is first set on line 2", loadError(dup));
        const std::string sections = dir.write("sections.ini", "[log]\n[log]\n");
        CPPUNIT_ASSERT_EQUAL(sections + ":2: [log]: duplicate section; it first appears on line 1", loadError(sections));
        const std::string orphan = dir.write("orphan.ini", "port = 1\n");
        CPPUNIT_ASSERT_EQUAL(orphan + ":1: key 'port' comes before any [section] header", loadError(orphan));
        const std::string noEquals = dir.write("noequals.ini", "[server]\nport\n");
        assertContainsAll(loadError(noEquals), {noEquals + ":2: [server] line is not 'key = value'"});
        const std::string indented = dir.write("indented.ini", "[server]\nport = 1\n    bind = ::\n");
        CPPUNIT_ASSERT_EQUAL(indented + ":3: line 3 is indented and is read as a continuation of 'port'; remove the "
                                        "indentation",
                             loadError(indented));
        const std::string longLine = dir.write("long.ini", "[log]\n\n#" + std::string(250, '-') + "\n");
        CPPUNIT_ASSERT_EQUAL(longLine + ":3: line is 251 characters long; the limit is 199", loadError(longLine));
    }

    void missingFile()
    {
        TempDirectory dir;
        const std::string file = dir.path() + "/absent.ini";
        CPPUNIT_ASSERT_EQUAL(file + ": cannot read config file: No such file or directory", loadError(file));
    }

    void directoryInsteadOfFile()
    {
        TempDirectory dir;
        CPPUNIT_ASSERT_EQUAL(dir.path() + ": cannot read config file: Is a directory", loadError(dir.path()));
    }

    void relativePathsResolveAgainstTheFile()
    {
        TempDirectory dir;
        const std::string file = dir.write("etc/vicary.ini", std::string(kDockerHub) +
                                                                 "[cache]\ndirectory = ./data/../store/\n"
                                                                 "[plugins]\ndirectory = ../lib/plugins\n");
        const Settings s = loadSettings(file, {});
        CPPUNIT_ASSERT_EQUAL(dir.path() + "/etc/store", s.cache.directory);
        CPPUNIT_ASSERT_EQUAL(dir.path() + "/lib/plugins", s.plugins.directory);
        CPPUNIT_ASSERT_EQUAL(dir.path() + "/etc/vicary.ini",
                             loadSettings(dir.path() + "/etc/../etc/./vicary.ini", {}).configFile);
    }

    void routingDefaultMustNameARegistry()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", "[registry.quay]\nplugin = quay\n[registry.gcr]\nplugin = gcr\n"
                                                         "[routing]\ndefault = dockerhub\n");
        CPPUNIT_ASSERT_EQUAL(file + ":6: [routing] default: 'dockerhub' is not a registry; the registries are quay, "
                                    "gcr; set default to one of them or leave it empty",
                             loadError(file));
    }

    void authSectionAndAllowUsers()
    {
        TempDirectory dir;
        const std::string users = dir.write("users", "alice:x\n");
        const std::string on = dir.write("on.ini", std::string(kDockerHub) +
                                                       "allow_users = alice, bob\n[auth]\nhtpasswd = users\n"
                                                       "realm = corp mirror\nmax_failures = 5\nlockout = 2m\n");
        const Settings settings = loadSettings(on, {});
        CPPUNIT_ASSERT(settings.auth.enabled());
        CPPUNIT_ASSERT_EQUAL(users, settings.auth.htpasswd);
        CPPUNIT_ASSERT_EQUAL(std::string("corp mirror"), settings.auth.realm);
        CPPUNIT_ASSERT_EQUAL(5u, settings.auth.maxFailures);
        CPPUNIT_ASSERT_EQUAL(120L, static_cast<long>(settings.auth.lockout.count()));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), settings.registries.at(0).allowUsers.size());
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), settings.registries.at(0).allowUsers.at(1));
        CPPUNIT_ASSERT(!loadSettings(dir.write("off.ini", kDockerHub), {}).auth.enabled());

        const std::string orphan = dir.write("orphan.ini", std::string(kDockerHub) + "allow_users = alice\n");
        assertContainsAll(loadError(orphan),
                          {"[registry.dockerhub] allow_users: needs client authentication: set [auth] htpasswd"});
        const std::string missing = dir.write("missing.ini", std::string(kDockerHub) + "[auth]\nhtpasswd = nope\n");
        assertContainsAll(loadError(missing), {"[auth] htpasswd: cannot read " + dir.file("nope")});
        const std::string twice = dir.write("twice.ini", std::string(kDockerHub) + "allow_users = a b a\n");
        assertContainsAll(loadError(twice), {"allow_users: 'a' is listed twice"});
    }

    void builtInRoutingDefaultNeedsDockerHub()
    {
        TempDirectory dir;
        const std::string file = dir.write("vicary.ini", "[registry.quay]\nplugin = quay\n");
        assertContainsAll(loadError(file), {file + ": [routing] default: 'dockerhub' (the built-in default) is not a "
                                                   "registry; the registries are quay"});
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(SettingsLoaderTest, "config");
