// The pipelined hasher gives the same digest as hashing in one go, whether it hashes inline or on its worker.
#include "storage/PipelinedHasher.h"

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

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
    CPPUNIT_TEST(lentBuffersGiveTheSameDigest);
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

    // Bytes received into the hasher's own buffers (the cold-fetch path) hash as the same bytes fed by copy, with
    // a part of each buffer skipped (a resume without Range support), inline and on the worker, and with more
    // pieces in flight than the hasher has buffers.
    void lentBuffersGiveTheSameDigest()
    {
        std::string data(5 * 1024 * 1024 + 3, '\0');
        for (std::size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<char>((i * 2654435761u) >> 11);
        for (const std::size_t inlineBytes : {std::size_t(0), std::size_t(1000000), data.size()}) {
            PipelinedHasher hasher("sha256", inlineBytes);
            constexpr std::size_t kPiece = 65536;
            constexpr std::size_t kSkip = 7;  // bytes at the start of each buffer that are not part of the blob
            for (std::size_t at = 0; at < data.size();) {
                const std::size_t length = std::min(kPiece - kSkip, data.size() - at);
                std::vector<char> buffer = hasher.buffer(kPiece);
                CPPUNIT_ASSERT_EQUAL(kPiece, buffer.size());
                std::fill(buffer.begin(), buffer.begin() + kSkip, 'x');
                std::copy(data.begin() + static_cast<std::ptrdiff_t>(at),
                          data.begin() + static_cast<std::ptrdiff_t>(at + length), buffer.begin() + kSkip);
                hasher.update(std::move(buffer), kSkip, length);
                at += length;
            }
            CPPUNIT_ASSERT_EQUAL(oneGo("sha256", data), hasher.finishHex());
        }
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
