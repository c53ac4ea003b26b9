// Tests for core/config/NetworkParsers: bind addresses, host names and lists, base URLs.
#include <cppunit/extensions/HelperMacros.h>

#include "ConfigTestSupport.h"

#include "config/NetworkParsers.h"

using namespace vicary::config;
using vicary::config::test::errorOf;

namespace {

using Hosts = std::vector<std::string>;

}  // namespace

class NetworkParsersTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(NetworkParsersTest);
    CPPUNIT_TEST(hostNames);
    CPPUNIT_TEST(bindAddresses);
    CPPUNIT_TEST(hostListsSplitOnCommasAndSpaces);
    CPPUNIT_TEST(badHostLists);
    CPPUNIT_TEST(baseUrlsAreNormalised);
    CPPUNIT_TEST(badBaseUrls);
    CPPUNIT_TEST(userInfoInUrlIsRefusedWithoutQuotingIt);
    CPPUNIT_TEST_SUITE_END();

public:
    void hostNames()
    {
        CPPUNIT_ASSERT(isHostName("registry.k8s.io"));
        CPPUNIT_ASSERT(isHostName("localhost"));
        CPPUNIT_ASSERT(isHostName("10.0.0.1"));
        CPPUNIT_ASSERT(!isHostName("-bad.example"));
        CPPUNIT_ASSERT(!isHostName("under_score.example"));
        CPPUNIT_ASSERT(!isHostName("double..dot"));
        CPPUNIT_ASSERT(!isHostName("trailing.dot."));
        CPPUNIT_ASSERT(!isHostName(std::string(64, 'a') + ".example"));
    }

    void bindAddresses()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("0.0.0.0"), parseBindAddress("0.0.0.0"));
        CPPUNIT_ASSERT_EQUAL(std::string("::"), parseBindAddress("::"));
        CPPUNIT_ASSERT_EQUAL(std::string("::1"), parseBindAddress("[0:0::1]"));
        CPPUNIT_ASSERT_EQUAL(std::string("localhost"), parseBindAddress("LocalHost"));
        CPPUNIT_ASSERT_EQUAL(std::string("'not an address' is not an IPv4 address, an IPv6 address or a host name"),
                             errorOf([] { parseBindAddress("not an address"); }));
        errorOf([] { parseBindAddress("1.2.3.4:80"); });
    }

    void hostListsSplitOnCommasAndSpaces()
    {
        CPPUNIT_ASSERT(Hosts({"registry.k8s.io", "k8s.gcr.io"}) == parseHostList("registry.k8s.io k8s.gcr.io"));
        CPPUNIT_ASSERT(Hosts({"a.example", "b.example:5000", "c.example"}) ==
                       parseHostList("A.example, b.example:5000,\tc.example"));
        CPPUNIT_ASSERT(parseHostList("").empty());
    }

    void badHostLists()
    {
        CPPUNIT_ASSERT(errorOf([] { parseHostList("ok.example bad_host"); }).find("'bad_host' is not a host name") !=
                       std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseHostList("a.example:0"); }).find("'a.example:0'") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseHostList("a.example:http"); }).find("not a host name") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseHostList("a.example A.example"); }).find("listed twice") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseHostList(" , "); }).find("no host name") != std::string::npos);
    }

    void baseUrlsAreNormalised()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("https://ghcr.io"), parseBaseUrl("https://ghcr.io/"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://mirror.example:8443/v2/prefix"),
                             parseBaseUrl("HTTPS://Mirror.Example:8443/v2/prefix//"));
        CPPUNIT_ASSERT_EQUAL(std::string("http://[::1]:5000"), parseBaseUrl("http://[0::1]:5000"));
        CPPUNIT_ASSERT_EQUAL(std::string("http://127.0.0.1"), parseBaseUrl("http://127.0.0.1"));
        CPPUNIT_ASSERT_EQUAL(std::string("https"), urlScheme(parseBaseUrl("https://ghcr.io")));
    }

    void badBaseUrls()
    {
        CPPUNIT_ASSERT(errorOf([] { parseBaseUrl("ftp://x.example"); }).find("'ftp://x.example' is not an http") !=
                       std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseBaseUrl("ghcr.io"); }).find("not an http") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseBaseUrl("https://x.example/?a=b"); }).find("query") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseBaseUrl("https://x.example/#top"); }).find("fragment") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseBaseUrl("https://"); }).find("no valid host") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseBaseUrl("https://x.example:99999"); }).find("no valid host") !=
                       std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseBaseUrl("https://x_y.example"); }).find("no valid host") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseBaseUrl("https://x.example/a b"); }).find("space") != std::string::npos);
    }

    void userInfoInUrlIsRefusedWithoutQuotingIt()
    {
        const std::string message = errorOf([] { parseBaseUrl("https://bob:hunter2@x.example"); });
        CPPUNIT_ASSERT(message.find("user info") != std::string::npos);
        CPPUNIT_ASSERT(message.find("hunter2") == std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(NetworkParsersTest, "config");
