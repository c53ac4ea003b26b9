// The error body is the distribution spec's JSON, with strings escaped.
#include <cppunit/extensions/HelperMacros.h>

#include "http/OciError.h"

namespace vicary::http {

class OciErrorTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(OciErrorTest);
    CPPUNIT_TEST(bodyHasSpecShape);
    CPPUNIT_TEST(escapesMessageAndAddsDetail);
    CPPUNIT_TEST_SUITE_END();

public:
    void bodyHasSpecShape()
    {
        CPPUNIT_ASSERT_EQUAL(std::string(R"({"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]})"),
                             ociErrorBody(OciCode::BlobUnknown, "blob unknown to registry"));
        CPPUNIT_ASSERT_EQUAL(std::string("TOOMANYREQUESTS"), std::string(ociCodeName(OciCode::TooManyRequests)));
    }

    void escapesMessageAndAddsDetail()
    {
        const std::string body = ociErrorBody(OciCode::NameInvalid, "bad \"name\"\n", "upstream said \\ no");
        CPPUNIT_ASSERT_EQUAL(
            std::string(R"({"errors":[{"code":"NAME_INVALID","detail":"upstream said \\ no","message":"bad \"name\"\n"}]})"),
            body);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(OciErrorTest, "http");

}  // namespace vicary::http
