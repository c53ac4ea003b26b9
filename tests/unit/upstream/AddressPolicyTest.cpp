// Which addresses count as inside a network (refused as redirect targets unless allowed) and which as public.
#include "upstream/AddressPolicy.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

namespace vicary::upstream {

class AddressPolicyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AddressPolicyTest);
    CPPUNIT_TEST(insideAddressesAreNamed);
    CPPUNIT_TEST(publicAddressesPass);
    CPPUNIT_TEST_SUITE_END();

public:
    void insideAddressesAreNamed()
    {
        const std::pair<const char*, const char*> inside[] = {
            {"127.0.0.1", "loopback"},          {"127.255.0.9", "loopback"},       {"::1", "loopback"},
            {"10.1.2.3", "private"},            {"172.16.0.1", "private"},         {"172.31.255.255", "private"},
            {"192.168.1.1", "private"},         {"fd00::1", "private"},            {"fc12::9", "private"},
            {"169.254.169.254", "link-local"},  {"fe80::1", "link-local"},         {"0.0.0.0", "unspecified"},
            {"::", "unspecified"},              {"::ffff:127.0.0.1", "loopback"},  {"::ffff:169.254.169.254", "link-local"},
            {"64:ff9b::a00:1", "private"},      {"100.64.0.1", "shared (carrier-grade NAT)"},
            {"224.0.0.1", "multicast"},         {"ff02::1", "multicast"},          {"255.255.255.255", "reserved"},
        };
        for (const auto& [text, kind] : inside) {
            const auto found = nonPublicKind(Poco::Net::IPAddress(text));
            CPPUNIT_ASSERT_MESSAGE(text, found.has_value());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(text, std::string(kind), *found);
        }
    }

    void publicAddressesPass()
    {
        for (const char* text : {"1.1.1.1", "8.8.8.8", "172.15.255.255", "172.32.0.1", "192.169.0.1", "100.128.0.1",
                                 "2606:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "169.253.0.1"}) {
            const auto found = nonPublicKind(Poco::Net::IPAddress(text));
            CPPUNIT_ASSERT_MESSAGE(std::string(text) + " is " + found.value_or(""), !found.has_value());
        }
    }
};

}  // namespace vicary::upstream

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::upstream::AddressPolicyTest, "upstream");
