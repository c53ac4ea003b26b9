// BlobStore: commit only what matches its digest, find by validated digest, clean up after crashes.
#include "storage/BlobStore.h"

#include <cppunit/extensions/HelperMacros.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "storage/StorageTestSupport.h"
#include "support/TempDir.h"

namespace vicary::storage {

using namespace vicary::storage::test;

namespace {

std::optional<StoredBlob> store(BlobStore& blobs, const std::string& algorithm, const std::string& content,
    const std::string& hex)
{
    TempBlob temp = blobs.createTemp(algorithm);
    temp.write(content.data(), content.size());
    return blobs.commitIfDigestMatches(std::move(temp), hex);
}

bool isFolder(const std::string& path)
{
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

}  // namespace

class BlobStoreTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BlobStoreTest);
    CPPUNIT_TEST(createsItsFolders);
    CPPUNIT_TEST(commitsChunkedWriteWithRightDigest);
    CPPUNIT_TEST(commitsManyChunks);
    CPPUNIT_TEST(wrongDigestLeavesNothing);
    CPPUNIT_TEST(reopeningRemovesStaleTempsAndKeepsBlobs);
    CPPUNIT_TEST(storesSha512);
    CPPUNIT_TEST(unsupportedAlgorithmThrows);
    CPPUNIT_TEST(findRejectsInvalidDigestsWithoutTouchingFiles);
    CPPUNIT_TEST(sameContentTwiceKeepsOneFile);
    CPPUNIT_TEST(sameContentConcurrentlyKeepsOneFile);
    CPPUNIT_TEST(storesEmptyBlob);
    CPPUNIT_TEST(rootUnderRegularFileThrowsNamingPath);
    CPPUNIT_TEST(findIgnoresTempFiles);
    CPPUNIT_TEST_SUITE_END();

public:
    void createsItsFolders()
    {
        vicary::test::TempDir dir;
        const std::string root = dir.path() + "/a/b/store";
        const BlobStore blobs(root + "/");
        CPPUNIT_ASSERT_EQUAL(root, blobs.root());
        for (const char* folder : {"/blobs/sha256", "/blobs/sha512", "/tmp"})
            CPPUNIT_ASSERT_MESSAGE(folder, isFolder(root + folder));
        CPPUNIT_ASSERT(entries(root + "/tmp").empty());  // the write check left nothing behind
    }

    void commitsChunkedWriteWithRightDigest()
    {
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        TempBlob temp = blobs.createTemp("sha256");
        for (const char* chunk : {"a", "b", "c"})
            temp.write(chunk, 1);
        const std::string tempPath = temp.path();
        const auto stored = blobs.commitIfDigestMatches(std::move(temp), kSha256Abc);
        CPPUNIT_ASSERT(stored.has_value());
        const std::string expectedPath = dir.path() + "/blobs/sha256/ba/" + kSha256Abc;
        CPPUNIT_ASSERT_EQUAL(expectedPath, stored->path);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), stored->size);
        CPPUNIT_ASSERT(!exists(tempPath));

        const auto found = blobs.find("sha256", kSha256Abc);
        CPPUNIT_ASSERT(found.has_value());
        CPPUNIT_ASSERT_EQUAL(expectedPath, found->path);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), found->size);
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), readFile(found->path));
    }

    void commitsManyChunks()
    {
        // One million 'a' (the FIPS 180-2 long vector) in chunks of uneven sizes.
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        TempBlob temp = blobs.createTemp("sha256");
        const std::string chunk(65537, 'a');
        std::size_t left = 1000000;
        for (std::size_t n = 1; left > 0; n = n * 3 % chunk.size() + 1) {
            const std::size_t count = std::min(n, left);
            temp.write(chunk.data(), count);
            left -= count;
        }
        const auto stored = blobs.commitIfDigestMatches(std::move(temp), kSha256MillionA);
        CPPUNIT_ASSERT(stored.has_value());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1000000), blobs.find("sha256", kSha256MillionA)->size);
        CPPUNIT_ASSERT(readFile(stored->path) == std::string(1000000, 'a'));
    }

    void wrongDigestLeavesNothing()
    {
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        for (const std::string& wrong : {kSha256Empty, kSha256TwoBlocks, std::string("../../etc/passwd"),
                 std::string(), kSha512Abc}) {
            TempBlob temp = blobs.createTemp("sha256");
            temp.write("abc", 3);
            const std::string tempPath = temp.path();
            CPPUNIT_ASSERT_MESSAGE(wrong, !blobs.commitIfDigestMatches(std::move(temp), wrong).has_value());
            CPPUNIT_ASSERT(!exists(tempPath));
        }
        CPPUNIT_ASSERT(!blobs.find("sha256", kSha256Abc).has_value());
        CPPUNIT_ASSERT(!blobs.find("sha256", kSha256Empty).has_value());
        CPPUNIT_ASSERT(entries(dir.path() + "/tmp").empty());
        CPPUNIT_ASSERT(entries(dir.path() + "/blobs/sha256").empty());
    }

    void reopeningRemovesStaleTempsAndKeepsBlobs()
    {
        vicary::test::TempDir dir;
        {
            BlobStore blobs(dir.path());
            CPPUNIT_ASSERT(store(blobs, "sha256", "abc", kSha256Abc).has_value());
        }
        // What a crash leaves: partial downloads, and one whose TempBlob was still alive.
        dir.write("tmp/Ab12Cd.partial", "half a layer");
        dir.write("tmp/other", "x");
        BlobStore first(dir.path());
        TempBlob alive = first.createTemp("sha256");
        alive.write("abc", 3);

        const BlobStore reopened(dir.path());
        CPPUNIT_ASSERT(entries(dir.path() + "/tmp").empty());
        const auto found = reopened.find("sha256", kSha256Abc);
        CPPUNIT_ASSERT(found.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), readFile(found->path));
    }

    void storesSha512()
    {
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        const auto stored = store(blobs, "sha512", "abc", kSha512Abc);
        CPPUNIT_ASSERT(stored.has_value());
        CPPUNIT_ASSERT_EQUAL(dir.path() + "/blobs/sha512/dd/" + kSha512Abc, stored->path);
        CPPUNIT_ASSERT(blobs.find("sha512", kSha512Abc).has_value());
        CPPUNIT_ASSERT(!blobs.find("sha256", kSha256Abc).has_value());
        // A sha512 temp is checked against sha512 only.
        CPPUNIT_ASSERT(!store(blobs, "sha512", "abc", kSha256Abc).has_value());
    }

    void unsupportedAlgorithmThrows()
    {
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        try {
            blobs.createTemp("md5");
            CPPUNIT_FAIL("md5 accepted");
        } catch (const std::invalid_argument& e) {
            CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find("md5") != std::string::npos);
        }
        CPPUNIT_ASSERT(!blobs.find("md5", std::string(32, 'a')).has_value());
    }

    void findRejectsInvalidDigestsWithoutTouchingFiles()
    {
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        // Files where an unchecked path would land: find() must still say no.
        std::string upper = kSha256Abc;
        for (char& c : upper)
            if (c >= 'a' && c <= 'f')
                c = static_cast<char>(c - 'a' + 'A');
        dir.write("blobs/sha256/BA/" + upper, "abc");
        dir.write("blobs/sha256/ba/" + kSha256Abc.substr(0, 63), "abc");
        dir.write("blobs/md5/90/900150983cd24fb0d6963f7d28e17f72", "abc");
        dir.write("etc", "secret");

        const std::vector<std::pair<std::string, std::string>> invalid = {
            {"sha256", upper},
            {"sha256", kSha256Abc.substr(0, 63)},
            {"sha256", kSha256Abc + "0"},
            {"sha256", "../../etc"},
            {"sha256", "../../../etc"},
            {"sha256", std::string("ba/../../../etc").append(64 - 15, 'a')},
            {"sha256", std::string(64, 'g')},
            {"sha256", kSha256Abc.substr(0, 63) + std::string(1, '\0')},
            {"sha256", ""},
            {"sha256", kSha512Abc},
            {"sha512", kSha256Abc},
            {"md5", "900150983cd24fb0d6963f7d28e17f72"},
            {"../sha256", kSha256Abc},
            {"", kSha256Abc},
            {"SHA256", kSha256Abc},
        };
        for (const auto& [algorithm, hex] : invalid)
            CPPUNIT_ASSERT_MESSAGE(algorithm + ":" + hex, !blobs.find(algorithm, hex).has_value());
    }

    void sameContentTwiceKeepsOneFile()
    {
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        TempBlob first = blobs.createTemp("sha256");
        TempBlob second = blobs.createTemp("sha256");
        first.write("abc", 3);
        second.write("abc", 3);
        const auto a = blobs.commitIfDigestMatches(std::move(first), kSha256Abc);
        const auto b = blobs.commitIfDigestMatches(std::move(second), kSha256Abc);
        CPPUNIT_ASSERT(a.has_value() && b.has_value());
        CPPUNIT_ASSERT_EQUAL(a->path, b->path);
        CPPUNIT_ASSERT_EQUAL(kSha256Abc, listing(dir.path() + "/blobs/sha256/ba"));
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), readFile(b->path));
        CPPUNIT_ASSERT(entries(dir.path() + "/tmp").empty());
    }

    void sameContentConcurrentlyKeepsOneFile()
    {
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        std::vector<int> committed(8, 0);
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < committed.size(); ++i)
            threads.emplace_back([&blobs, &committed, i] {
                const auto stored = store(blobs, "sha256", kTwoBlocks, kSha256TwoBlocks);
                committed[i] = stored.has_value() && stored->size == kTwoBlocks.size() ? 1 : 0;
            });
        for (std::thread& thread : threads)
            thread.join();
        CPPUNIT_ASSERT_EQUAL(std::ptrdiff_t(8), std::count(committed.begin(), committed.end(), 1));
        CPPUNIT_ASSERT_EQUAL(kSha256TwoBlocks, listing(dir.path() + "/blobs/sha256/24"));
        CPPUNIT_ASSERT(entries(dir.path() + "/tmp").empty());
    }

    void storesEmptyBlob()
    {
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        const auto stored = blobs.commitIfDigestMatches(blobs.createTemp("sha256"), kSha256Empty);
        CPPUNIT_ASSERT(stored.has_value());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), stored->size);
        const auto found = blobs.find("sha256", kSha256Empty);
        CPPUNIT_ASSERT(found.has_value());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), found->size);
        CPPUNIT_ASSERT(store(blobs, "sha512", "", kSha512Empty).has_value());
    }

    void rootUnderRegularFileThrowsNamingPath()
    {
        vicary::test::TempDir dir;
        const std::string file = dir.write("file", "not a folder");
        for (const std::string& root : {file + "/store", file + "/a/b", file}) {
            try {
                BlobStore blobs(root);
                CPPUNIT_FAIL("store opened under a regular file: " + root);
            } catch (const std::runtime_error& e) {
                CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find(file) != std::string::npos);
            }
        }
        CPPUNIT_ASSERT_THROW(BlobStore(""), std::runtime_error);
    }

    void findIgnoresTempFiles()
    {
        vicary::test::TempDir dir;
        BlobStore blobs(dir.path());
        TempBlob temp = blobs.createTemp("sha256");
        temp.write("abc", 3);
        CPPUNIT_ASSERT(!blobs.find("sha256", kSha256Abc).has_value());  // nothing unverified is found
    }
};

}  // namespace vicary::storage

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::storage::BlobStoreTest, "storage");
