// The pipelined hasher gives the same digest as hashing in one go, whether it hashes inline or on its worker.
#include "storage/PipelinedHasher.h"

#include <algorithm>
#include <cstddef>
#include <string>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

namespace vicary::storage {
namespace {

std::string oneGo(const std::string& algorithm, const std::string& data)
{
    DigestHasher hasher(algorithm);
    hasher.update(data.data(), data.size());
    return hasher.finishHex();
}

std::string inPieces(const std::string& algorithm, const std::string& data, std::size_t inlineBytes,
                     std::size_t piece)
{
    PipelinedHasher hasher(algorithm, inlineBytes);
    for (std::size_t at = 0; at < data.size(); at += piece)
        hasher.update(data.data() + at, std::min(piece, data.size() - at));
    return hasher.finishHex();
}

}  // namespace

class PipelinedHasherTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PipelinedHasherTest);
    CPPUNIT_TEST(sameDigestInlineAndOnTheWorker);
    CPPUNIT_TEST(abandonedHashStopsItsWorker);
    CPPUNIT_TEST_SUITE_END();

public:
    void sameDigestInlineAndOnTheWorker()
    {
        std::string data(3 * 1024 * 1024 + 17, '\0');
        for (std::size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<char>((i * 2654435761u) >> 13);
        for (const char* algorithm : {"sha256", "sha512"}) {
            const std::string expected = oneGo(algorithm, data);
            CPPUNIT_ASSERT_EQUAL(expected, inPieces(algorithm, data, data.size(), 65536));  // all inline
            CPPUNIT_ASSERT_EQUAL(expected, inPieces(algorithm, data, 0, 65536));            // all on the worker
            CPPUNIT_ASSERT_EQUAL(expected, inPieces(algorithm, data, 1000000, 4093));       // switch mid-way
            CPPUNIT_ASSERT_EQUAL(expected, inPieces(algorithm, data, 0, 1));                // many tiny pieces
        }
        CPPUNIT_ASSERT_EQUAL(oneGo("sha256", ""), inPieces("sha256", "", 0, 1));
    }

    void abandonedHashStopsItsWorker()
    {
        const std::string data(1024 * 1024, 'x');
        PipelinedHasher hasher("sha256", 0);
        for (int i = 0; i < 8; ++i)
            hasher.update(data.data(), data.size());
        // Destroyed without finishHex (a failed download): must join its worker, not hang or crash.
    }
};

}  // namespace vicary::storage

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::storage::PipelinedHasherTest, "storage");
