// Tests for core/config/Base64Credentials: decoding "user:password" given as base64.
#include <cppunit/extensions/HelperMacros.h>

#include "config/Base64Credentials.h"

using namespace vicary::config;

namespace {

std::string errorOf(const std::string& base64)
{
    try {
        decodeBase64Credentials(base64);
    } catch (const ValueError& error) {
        return error.what();
    }
    CPPUNIT_FAIL("expected a ValueError");
    return "";
}

}  // namespace

class Base64CredentialsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(Base64CredentialsTest);
    CPPUNIT_TEST(decodesUserAndPassword);
    CPPUNIT_TEST(passwordMayContainColons);
    CPPUNIT_TEST(trailingNewlineFromEchoIsDropped);
    CPPUNIT_TEST(refusals);
    CPPUNIT_TEST_SUITE_END();

public:
    void decodesUserAndPassword()
    {
        const vicary::Credentials c = decodeBase64Credentials("dXNlcjpwYXNz");  // user:pass
        CPPUNIT_ASSERT_EQUAL(std::string("user"), c.username);
        CPPUNIT_ASSERT_EQUAL(std::string("pass"), c.password);
    }

    void passwordMayContainColons()
    {
        const vicary::Credentials c = decodeBase64Credentials("dTpwOnc6ZA==");  // u:p:w:d
        CPPUNIT_ASSERT_EQUAL(std::string("u"), c.username);
        CPPUNIT_ASSERT_EQUAL(std::string("p:w:d"), c.password);
    }

    void trailingNewlineFromEchoIsDropped()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("pass"), decodeBase64Credentials("dXNlcjpwYXNzCg==").password);  // user:pass\n
    }

    void refusals()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("is not valid base64"), errorOf("dXNlcjpwYXN"));
        CPPUNIT_ASSERT_EQUAL(std::string("is not valid base64"), errorOf("user:pass"));
        CPPUNIT_ASSERT_EQUAL(std::string("does not decode to user:password (no ':')"), errorOf("dXNlcg=="));  // user
        CPPUNIT_ASSERT_EQUAL(std::string("decodes to user:password with an empty user"), errorOf("OnBhc3M="));  // :pass
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(Base64CredentialsTest, "config");
