// The factory, IP literals and connection order, shared by both resolvers.
#include "upstream/DnsResolver.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include "support/DnsmasqServer.h"

using namespace std::chrono_literals;
using Poco::Net::IPAddress;
using vicary::upstream::makeDnsResolver;

namespace vicary::upstream {

class DnsResolverTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DnsResolverTest);
    CPPUNIT_TEST(emptyServersGiveTheSystemResolver);
    CPPUNIT_TEST(serversGiveThoseServers);
    CPPUNIT_TEST(badServerIsRejectedAtConstruction);
    CPPUNIT_TEST(nonPositiveTimeoutIsRejected);
    CPPUNIT_TEST(ipLiteralsComeBackWithoutAQuery);
    CPPUNIT_TEST(hostNamesAreNotLiterals);
    CPPUNIT_TEST(orderPutsIpv4FirstAndDropsDuplicates);
    CPPUNIT_TEST_SUITE_END();

public:
    void emptyServersGiveTheSystemResolver()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("system resolver"), makeDnsResolver({}, true, 1s)->describe());
        CPPUNIT_ASSERT_EQUAL(std::string("system resolver (IPv4 only)"), makeDnsResolver({}, false, 1s)->describe());
    }

    void serversGiveThoseServers()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("DNS servers 127.0.0.1:5353, [::1]:53"),
                             makeDnsResolver({"127.0.0.1:5353", "[::1]:53"}, true, 1s)->describe());
        CPPUNIT_ASSERT_EQUAL(std::string("DNS servers 127.0.0.1:53 (IPv4 only)"),
                             makeDnsResolver({"127.0.0.1:53"}, false, 1s)->describe());
    }

    void badServerIsRejectedAtConstruction()
    {
        try {
            makeDnsResolver({"not an address"}, true, 1s);
            CPPUNIT_FAIL("expected std::invalid_argument");
        } catch (const std::invalid_argument& e) {
            CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find("not an address") != std::string::npos);
        }
    }

    void nonPositiveTimeoutIsRejected()
    {
        CPPUNIT_ASSERT_THROW(makeDnsResolver({}, true, 0ms), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(makeDnsResolver({"127.0.0.1:53"}, true, -1ms), std::invalid_argument);
    }

    void ipLiteralsComeBackWithoutAQuery()
    {
        // A server where nothing listens: a query would fail, so an answer proves none was made.
        const std::string dead = "127.0.0.1:" + std::to_string(vicary::test::unusedLoopbackUdpPort());
        for (bool ipv6 : {true, false}) {
            for (const auto& resolver : {makeDnsResolver({dead}, ipv6, 200ms), makeDnsResolver({}, ipv6, 200ms)}) {
                CPPUNIT_ASSERT(resolver->resolve("192.0.2.10") == std::vector<IPAddress>{IPAddress("192.0.2.10")});
                CPPUNIT_ASSERT(resolver->resolve("2001:db8::1") == std::vector<IPAddress>{IPAddress("2001:db8::1")});
                CPPUNIT_ASSERT(resolver->resolve("[::1]") == std::vector<IPAddress>{IPAddress("::1")});
            }
        }
    }

    void hostNamesAreNotLiterals()
    {
        using vicary::upstream::parseIpLiteral;
        CPPUNIT_ASSERT(!parseIpLiteral("registry.vicary.test"));
        CPPUNIT_ASSERT(!parseIpLiteral("127.1"));
        CPPUNIT_ASSERT(!parseIpLiteral("1234"));
        CPPUNIT_ASSERT(!parseIpLiteral(""));
        CPPUNIT_ASSERT(!parseIpLiteral("[]"));
        CPPUNIT_ASSERT(parseIpLiteral("10.1.2.3") == IPAddress("10.1.2.3"));
    }

    void orderPutsIpv4FirstAndDropsDuplicates()
    {
        std::vector<IPAddress> addresses = {IPAddress("::7"), IPAddress("10.0.0.2"), IPAddress("::8"),
                                            IPAddress("10.0.0.1"), IPAddress("10.0.0.2")};
        vicary::upstream::orderForConnecting(addresses);
        const std::vector<IPAddress> expected = {IPAddress("10.0.0.2"), IPAddress("10.0.0.1"), IPAddress("::7"),
                                                 IPAddress("::8")};
        CPPUNIT_ASSERT(addresses == expected);
    }
};

}  // namespace vicary::upstream

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::upstream::DnsResolverTest, "upstream");
