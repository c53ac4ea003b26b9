// SystemResolver: getaddrinfo, bounded by the timeout.
#include "upstream/SystemResolver.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

using namespace std::chrono_literals;
using Poco::Net::IPAddress;
using vicary::upstream::SystemResolver;

namespace vicary::upstream {

class SystemResolverTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SystemResolverTest);
    CPPUNIT_TEST(localhostResolvesToLoopback);
    CPPUNIT_TEST(ipv4OnlyGivesOnlyIpv4);
    CPPUNIT_TEST(unknownNameNamesHostAndResolver);
    CPPUNIT_TEST(emptyNameIsAnError);
    CPPUNIT_TEST_SUITE_END();

public:
    void localhostResolvesToLoopback()
    {
        const std::vector<IPAddress> addresses = SystemResolver(true, 5s).resolve("localhost");
        CPPUNIT_ASSERT(!addresses.empty());
        CPPUNIT_ASSERT(addresses.front() == IPAddress("127.0.0.1"));
        for (const IPAddress& address : addresses)
            CPPUNIT_ASSERT_MESSAGE(address.toString(), address.isLoopback());
    }

    void ipv4OnlyGivesOnlyIpv4()
    {
        for (const IPAddress& address : SystemResolver(false, 5s).resolve("localhost"))
            CPPUNIT_ASSERT_MESSAGE(address.toString(), address.family() == IPAddress::IPv4);
    }

    void unknownNameNamesHostAndResolver()
    {
        // ".invalid" is reserved (RFC 6761): no resolver may know it; a timeout is an acceptable failure too.
        try {
            SystemResolver(true, 3s).resolve("nothing.vicary.invalid");
            CPPUNIT_FAIL("expected a ResolveError");
        } catch (const vicary::upstream::ResolveError& e) {
            const std::string message = e.what();
            CPPUNIT_ASSERT_MESSAGE(message, message.find("'nothing.vicary.invalid'") != std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(message, message.find("system resolver") != std::string::npos);
        }
    }

    void emptyNameIsAnError()
    {
        CPPUNIT_ASSERT_THROW(SystemResolver(true, 1s).resolve(""), vicary::upstream::ResolveError);
    }
};

}  // namespace vicary::upstream

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::upstream::SystemResolverTest, "upstream");
