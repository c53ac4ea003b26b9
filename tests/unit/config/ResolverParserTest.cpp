// Tests for core/config/ResolverParser: the nginx-like resolver grammar.
#include <cppunit/extensions/HelperMacros.h>

#include "config/ResolverParser.h"

using namespace vicary::config;

namespace {

std::string errorOf(const std::string& value)
{
    try {
        parseResolver(value);
    } catch (const ValueError& error) {
        return error.what();
    }
    CPPUNIT_FAIL("expected a ValueError for '" + value + "'");
    return "";
}

using Servers = std::vector<std::string>;

}  // namespace

class ResolverParserTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ResolverParserTest);
    CPPUNIT_TEST(emptyMeansSystemResolver);
    CPPUNIT_TEST(serversGetDefaultPort53);
    CPPUNIT_TEST(explicitPortsAreKept);
    CPPUNIT_TEST(ipv6Option);
    CPPUNIT_TEST(hostNamesAreRefused);
    CPPUNIT_TEST(unsupportedOptionsAreNamed);
    CPPUNIT_TEST(optionsWithoutServerAreRefused);
    CPPUNIT_TEST(badAddressesAndPorts);
    CPPUNIT_TEST_SUITE_END();

public:
    void emptyMeansSystemResolver()
    {
        const ResolverSpec spec = parseResolver("");
        CPPUNIT_ASSERT(spec.servers.empty());
        CPPUNIT_ASSERT(spec.ipv6);
    }

    void serversGetDefaultPort53()
    {
        CPPUNIT_ASSERT(Servers({"1.2.3.4:53", "[::1]:53", "[2001:db8::1]:53"}) ==
                       parseResolver("1.2.3.4 ::1\t[2001:db8:0::1]").servers);
    }

    void explicitPortsAreKept()
    {
        CPPUNIT_ASSERT(Servers({"1.2.3.4:5353", "[::1]:5353"}) == parseResolver("  1.2.3.4:5353  [::1]:5353 ").servers);
    }

    void ipv6Option()
    {
        const ResolverSpec off = parseResolver("10.0.0.2 ipv6=off");
        CPPUNIT_ASSERT(!off.ipv6);
        CPPUNIT_ASSERT(Servers({"10.0.0.2:53"}) == off.servers);
        CPPUNIT_ASSERT(parseResolver("ipv6=on 10.0.0.2").ipv6);
        CPPUNIT_ASSERT(errorOf("10.0.0.2 ipv6=maybe").find("'ipv6=maybe'") != std::string::npos);
    }

    void hostNamesAreRefused()
    {
        const std::string message = errorOf("dns.google");
        CPPUNIT_ASSERT(message.find("'dns.google' is a host name") != std::string::npos);
        CPPUNIT_ASSERT(message.find("IP addresses only") != std::string::npos);
        CPPUNIT_ASSERT(errorOf("1.1.1.1 resolver.local:53").find("'resolver.local:53' is a host name") !=
                       std::string::npos);
    }

    void unsupportedOptionsAreNamed()
    {
        const std::string message = errorOf("127.0.0.11 valid=30s");
        CPPUNIT_ASSERT(message.find("'valid=30s'") != std::string::npos);
        CPPUNIT_ASSERT(message.find("is not a supported option") != std::string::npos);
        CPPUNIT_ASSERT(errorOf("127.0.0.11 ipv4=off").find("'ipv4=off'") != std::string::npos);
    }

    void optionsWithoutServerAreRefused()
    {
        CPPUNIT_ASSERT(errorOf("ipv6=off").find("no server") != std::string::npos);
    }

    void badAddressesAndPorts()
    {
        CPPUNIT_ASSERT(errorOf("1.2.3.4:0").find("bad port") != std::string::npos);
        CPPUNIT_ASSERT(errorOf("1.2.3.4:65536").find("bad port") != std::string::npos);
        CPPUNIT_ASSERT(errorOf("[::1]:x").find("bad port") != std::string::npos);
        CPPUNIT_ASSERT(errorOf("[::1]5353").find("not an IP address") != std::string::npos);
        CPPUNIT_ASSERT(errorOf("[1.2.3.4]").find("not an IP address") != std::string::npos);
        CPPUNIT_ASSERT(errorOf("1.2.3").find("not an IP address") != std::string::npos);
        CPPUNIT_ASSERT(errorOf("999.1.1.1").find("not an IP address") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ResolverParserTest, "config");
