// The media type a manifest document declares, read from its JSON (when the upstream's Content-Type does not say).
#include "cache/ManifestJson.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

namespace vicary::cache {

class ManifestJsonTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ManifestJsonTest);
    CPPUNIT_TEST(mediaTypeOfManifestsAndIndexes);
    CPPUNIT_TEST(nothingForWhatIsNotAManifestObject);
    CPPUNIT_TEST_SUITE_END();

public:
    void mediaTypeOfManifestsAndIndexes()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("application/vnd.oci.image.index.v1+json"),
                             manifestMediaType(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
                                                  "manifests":[]})")
                                 .value_or("none"));
        CPPUNIT_ASSERT_EQUAL(std::string("application/vnd.docker.distribution.manifest.v2+json"),
                             manifestMediaType(R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json"})")
                                 .value_or("none"));
    }

    void nothingForWhatIsNotAManifestObject()
    {
        for (const char* body : {"", "not json", "[1,2]", "\"text\"", R"({"schemaVersion":2})", R"({"mediaType":null})",
                                 R"({"mediaType":{"a":1}})", "{\"mediaType\":\"x\"", "{{{{"})
            CPPUNIT_ASSERT_MESSAGE(body, !manifestMediaType(body).has_value());
        const std::string deep = std::string(200, '[') + std::string(200, ']');
        CPPUNIT_ASSERT(!manifestMediaType(deep).has_value());
    }
};

}  // namespace vicary::cache

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::cache::ManifestJsonTest, "cache");
