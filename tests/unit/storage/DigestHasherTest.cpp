// DigestHasher: known vectors through OpenSSL EVP, pieces equal one shot, hex validation.
#include "storage/DigestHasher.h"

#include <cppunit/extensions/HelperMacros.h>

#include <stdexcept>
#include <string>

#include "storage/StorageTestSupport.h"

namespace vicary::storage {

using namespace vicary::storage::test;

class DigestHasherTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DigestHasherTest);
    CPPUNIT_TEST(matchesKnownVectors);
    CPPUNIT_TEST(piecesEqualOneShot);
    CPPUNIT_TEST(startsOverAfterFinish);
    CPPUNIT_TEST(rejectsUnsupportedAlgorithms);
    CPPUNIT_TEST(validatesHex);
    CPPUNIT_TEST_SUITE_END();

public:
    void matchesKnownVectors()
    {
        CPPUNIT_ASSERT_EQUAL(kSha256Abc, hash("sha256", "abc"));
        CPPUNIT_ASSERT_EQUAL(kSha256Empty, hash("sha256", ""));
        CPPUNIT_ASSERT_EQUAL(kSha256TwoBlocks, hash("sha256", kTwoBlocks));
        CPPUNIT_ASSERT_EQUAL(kSha256MillionA, hash("sha256", std::string(1000000, 'a')));
        CPPUNIT_ASSERT_EQUAL(kSha512Abc, hash("sha512", "abc"));
        CPPUNIT_ASSERT_EQUAL(kSha512Empty, hash("sha512", ""));
    }

    void piecesEqualOneShot()
    {
        DigestHasher hasher("sha256");
        for (const char c : kTwoBlocks)
            hasher.update(&c, 1);
        CPPUNIT_ASSERT_EQUAL(kSha256TwoBlocks, hasher.finishHex());
    }

    void startsOverAfterFinish()
    {
        DigestHasher hasher("sha256");
        hasher.update("abc", 3);
        CPPUNIT_ASSERT_EQUAL(kSha256Abc, hasher.finishHex());
        CPPUNIT_ASSERT_EQUAL(kSha256Empty, hasher.finishHex());
    }

    void rejectsUnsupportedAlgorithms()
    {
        for (const std::string algorithm : {"md5", "SHA256", "sha1", "", "sha384"}) {
            CPPUNIT_ASSERT_THROW_MESSAGE(algorithm, DigestHasher{algorithm}, std::invalid_argument);
            CPPUNIT_ASSERT_EQUAL(std::size_t(0), DigestHasher::hexLength(algorithm));
        }
        try {
            DigestHasher hasher("md5");
            CPPUNIT_FAIL("md5 accepted");
        } catch (const std::invalid_argument& e) {
            CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find("md5") != std::string::npos);
        }
    }

    void validatesHex()
    {
        CPPUNIT_ASSERT(DigestHasher::isValidHex("sha256", kSha256Abc));
        CPPUNIT_ASSERT(DigestHasher::isValidHex("sha512", kSha512Abc));
        std::string upper = kSha256Abc;
        upper[0] = 'B';
        for (const std::string& hex : {upper, kSha256Abc.substr(1), kSha256Abc + "0", kSha512Abc, std::string(),
                 std::string("../../etc"), std::string(64, 'g'), kSha256Abc.substr(0, 63) + std::string(1, '\0')})
            CPPUNIT_ASSERT_MESSAGE(hex, !DigestHasher::isValidHex("sha256", hex));
        CPPUNIT_ASSERT(!DigestHasher::isValidHex("sha512", kSha256Abc));
        CPPUNIT_ASSERT(!DigestHasher::isValidHex("md5", std::string(32, 'a')));
    }

private:
    static std::string hash(const std::string& algorithm, const std::string& data)
    {
        DigestHasher hasher(algorithm);
        hasher.update(data.data(), data.size());
        return hasher.finishHex();
    }
};

}  // namespace vicary::storage

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::storage::DigestHasherTest, "storage");
