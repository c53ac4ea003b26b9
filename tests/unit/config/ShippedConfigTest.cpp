// Tests that the shipped etc/vicary.ini loads and holds exactly the built-in defaults and the documented registries.
#include <cppunit/extensions/HelperMacros.h>

#include "config/SettingsLoader.h"

#ifndef VICARY_TEST_ETC_INI
#error "VICARY_TEST_ETC_INI must name the source tree's etc/vicary.ini"
#endif

using namespace vicary::config;

class ShippedConfigTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ShippedConfigTest);
    CPPUNIT_TEST(fixedSectionsHoldTheDefaults);
    CPPUNIT_TEST(registriesAreTheDocumentedOnes);
    CPPUNIT_TEST_SUITE_END();

public:
    void fixedSectionsHoldTheDefaults()
    {
        const Settings s = loadSettings(VICARY_TEST_ETC_INI, {});
        const Settings d;
        CPPUNIT_ASSERT_EQUAL(d.server.bind, s.server.bind);
        CPPUNIT_ASSERT_EQUAL(std::uint16_t{5050}, s.server.port);
        CPPUNIT_ASSERT_EQUAL(d.server.port, s.server.port);
        CPPUNIT_ASSERT_EQUAL(d.server.scheme, s.server.scheme);
        CPPUNIT_ASSERT_EQUAL(d.server.publicUrl, s.server.publicUrl);
        CPPUNIT_ASSERT_EQUAL(d.server.threads, s.server.threads);
        CPPUNIT_ASSERT_EQUAL(d.server.queue, s.server.queue);
        CPPUNIT_ASSERT_EQUAL(d.server.keepAlive, s.server.keepAlive);
        CPPUNIT_ASSERT_EQUAL(d.server.keepAliveTimeout.count(), s.server.keepAliveTimeout.count());
        CPPUNIT_ASSERT_EQUAL(d.server.maxKeepAliveRequests, s.server.maxKeepAliveRequests);
        CPPUNIT_ASSERT_EQUAL(d.server.timeout.count(), s.server.timeout.count());
        CPPUNIT_ASSERT_EQUAL(d.server.headerTimeout.count(), s.server.headerTimeout.count());
        CPPUNIT_ASSERT_EQUAL(d.server.maxUriLength, s.server.maxUriLength);
        CPPUNIT_ASSERT_EQUAL(d.server.maxHeaders, s.server.maxHeaders);
        CPPUNIT_ASSERT_EQUAL(d.server.maxHeaderBytes, s.server.maxHeaderBytes);
        CPPUNIT_ASSERT_EQUAL(d.server.congestionControl, s.server.congestionControl);
        CPPUNIT_ASSERT_EQUAL(std::string("/var/cache/vicary"), s.cache.directory);
        CPPUNIT_ASSERT(d.cache.maxSize.kind == s.cache.maxSize.kind);
        CPPUNIT_ASSERT_EQUAL(d.cache.maxSize.bytes, s.cache.maxSize.bytes);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(d.cache.maxSize.percent, s.cache.maxSize.percent, 1e-9);
        CPPUNIT_ASSERT_EQUAL(d.cache.minFree, s.cache.minFree);
        CPPUNIT_ASSERT_EQUAL(d.cache.tagTtl.count(), s.cache.tagTtl.count());
        CPPUNIT_ASSERT_EQUAL(d.cache.negativeTtl.count(), s.cache.negativeTtl.count());
        CPPUNIT_ASSERT_EQUAL(std::string(), s.plugins.directory);
        CPPUNIT_ASSERT_EQUAL(std::string("dockerhub"), s.routing.defaultRegistry);
        CPPUNIT_ASSERT(d.upstream.resolverServers == s.upstream.resolverServers);
        CPPUNIT_ASSERT_EQUAL(d.upstream.resolverIpv6, s.upstream.resolverIpv6);
        CPPUNIT_ASSERT_EQUAL(d.upstream.connectTimeout.count(), s.upstream.connectTimeout.count());
        CPPUNIT_ASSERT_EQUAL(d.upstream.readTimeout.count(), s.upstream.readTimeout.count());
        CPPUNIT_ASSERT_EQUAL(d.log.level, s.log.level);
        CPPUNIT_ASSERT(!s.auth.enabled());
        CPPUNIT_ASSERT_EQUAL(d.auth.realm, s.auth.realm);
        CPPUNIT_ASSERT_EQUAL(d.auth.maxFailures, s.auth.maxFailures);
        CPPUNIT_ASSERT_EQUAL(d.auth.lockout.count(), s.auth.lockout.count());
    }

    void registriesAreTheDocumentedOnes()
    {
        struct Expected {
            const char* name;
            const char* plugin;
            const char* upstream;
            std::vector<std::string> aliases;
        };
        const Expected expected[] = {
            {"dockerhub", "dockerhub", "", {}},
            {"quay", "quay", "", {}},
            {"gcr", "gcr", "", {}},
            {"ghcr", "generic", "https://ghcr.io", {"ghcr.io"}},
            {"k8s", "generic", "https://registry.k8s.io", {"registry.k8s.io", "k8s.gcr.io"}},
            {"ecr-public", "generic", "https://public.ecr.aws", {"public.ecr.aws"}},
            {"mcr", "generic", "https://mcr.microsoft.com", {"mcr.microsoft.com"}},
        };
        const Settings s = loadSettings(VICARY_TEST_ETC_INI, {});
        CPPUNIT_ASSERT_EQUAL(std::size(expected), s.registries.size());
        for (std::size_t i = 0; i < s.registries.size(); ++i) {
            const RegistrySettings& r = s.registries[i];
            CPPUNIT_ASSERT_EQUAL(std::string(expected[i].name), r.name);
            CPPUNIT_ASSERT_EQUAL(std::string(expected[i].plugin), r.plugin);
            CPPUNIT_ASSERT_EQUAL(std::string(expected[i].upstream), r.upstream);
            CPPUNIT_ASSERT(expected[i].aliases == r.aliases);
            CPPUNIT_ASSERT_MESSAGE(r.name, r.credentials.empty() && r.caFile.empty() && !r.plainHttp && r.extra.empty());
            CPPUNIT_ASSERT_EQUAL(0L, static_cast<long>(r.tagTtl.count()));
        }
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ShippedConfigTest, "config");
