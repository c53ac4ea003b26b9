// Splitting upstream URLs and resolving Location headers against them.
#include "upstream/UpstreamUrl.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

namespace vicary::upstream {

class UpstreamUrlTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(UpstreamUrlTest);
    CPPUNIT_TEST(partsAreSplitAndKeptAsWritten);
    CPPUNIT_TEST(defaultPortsAndIpv6);
    CPPUNIT_TEST(badUrlsAreRejected);
    CPPUNIT_TEST(locationsResolve);
    CPPUNIT_TEST_SUITE_END();

public:
    void partsAreSplitAndKeptAsWritten()
    {
        const auto url = parseUpstreamUrl("HTTPS://user:pw@Registry.Example:5000/v2/a%2Fb/blobs?sig=a%2B%3D&x#frag");
        CPPUNIT_ASSERT(url);
        CPPUNIT_ASSERT_EQUAL(std::string("https"), url->scheme);
        CPPUNIT_ASSERT_EQUAL(std::string("registry.example"), url->host);
        CPPUNIT_ASSERT_EQUAL(std::uint16_t(5000), url->port);
        CPPUNIT_ASSERT_EQUAL(std::string("/v2/a%2Fb/blobs?sig=a%2B%3D&x"), url->target());
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry.example:5000/v2/a%2Fb/blobs"), url->withoutQuery());
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry.example:5000"), url->origin());
    }

    void defaultPortsAndIpv6()
    {
        const auto plain = parseUpstreamUrl("http://registry.test");
        CPPUNIT_ASSERT_EQUAL(std::uint16_t(80), plain->port);
        CPPUNIT_ASSERT_EQUAL(std::string("/"), plain->target());
        CPPUNIT_ASSERT_EQUAL(std::string("registry.test"), plain->authority());
        CPPUNIT_ASSERT_EQUAL(std::string("http://registry.test:80"), plain->origin());
        const auto v6 = parseUpstreamUrl("https://[::1]:8443/v2/?q");
        CPPUNIT_ASSERT_EQUAL(std::string("::1"), v6->host);
        CPPUNIT_ASSERT_EQUAL(std::string("[::1]:8443"), v6->authority());
        CPPUNIT_ASSERT_EQUAL(std::string("/v2/?q"), v6->target());
        CPPUNIT_ASSERT_EQUAL(std::string("[::1]"), parseUpstreamUrl("https://[::1]:443/")->authority());
        CPPUNIT_ASSERT_EQUAL(std::uint16_t(80), parseUpstreamUrl("http://h:/")->port);  // empty port: the default
    }

    void badUrlsAreRejected()
    {
        for (const char* bad : {"", "/v2/", "ftp://h/", "http://", "http:///x", "http://h:0/",
                                "http://h:65536/", "http://h:8a/", "http://[::1/", "http://[h]/", "http://h/a b",
                                "http://h/a\r\nX: y"})
            CPPUNIT_ASSERT_MESSAGE(bad, !parseUpstreamUrl(bad));
    }

    void locationsResolve()
    {
        const UpstreamUrl base = *parseUpstreamUrl("https://registry.test/v2/x/blobs/sha256:ab?n=1");
        const auto at = [&](const std::string& location) {
            const auto resolved = resolveLocation(base, location);
            return resolved ? resolved->toString() : std::string("(none)");
        };
        CPPUNIT_ASSERT_EQUAL(std::string("http://cdn.test:8080/b?sig=1"), at("http://cdn.test:8080/b?sig=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://cdn.test/b"), at("//cdn.test/b"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry.test/other"), at("/other"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry.test/v2/x/blobs/new?p=2"), at("new?p=2"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry.test/v2/y"), at("../../y"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry.test/v2/x/"), at("../"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry.test/v2/x/blobs/sha256:ab?m=2"), at("?m=2"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://registry.test/"), at("/../.."));
        CPPUNIT_ASSERT_EQUAL(std::string("(none)"), at("ftp://x/"));
        CPPUNIT_ASSERT_EQUAL(std::string("(none)"), at(""));
    }
};

}  // namespace vicary::upstream

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::upstream::UpstreamUrlTest, "upstream");
