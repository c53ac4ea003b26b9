// TempBlob: a temp file under the store's tmp/ that counts and hashes what is written, removed unless committed.
#include "storage/TempBlob.h"

#include <cppunit/extensions/HelperMacros.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "storage/BlobStore.h"
#include "storage/StorageTestSupport.h"
#include "support/TempDir.h"

namespace vicary::storage {

using namespace vicary::storage::test;

namespace {

// Lowers the file-size limit so that the next writes fail with EFBIG (SIGXFSZ ignored), and restores both.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &saved_);
        previousHandler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit lowered = saved_;
        lowered.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &lowered);
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, previousHandler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

private:
    rlimit saved_{};
    void (*previousHandler_)(int) = SIG_DFL;
};

}  // namespace

class TempBlobTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TempBlobTest);
    CPPUNIT_TEST(isAPartialFileUnderTmp);
    CPPUNIT_TEST(writesChunksAndCountsBytes);
    CPPUNIT_TEST(namesAreUnique);
    CPPUNIT_TEST(destroyingUncommittedRemovesFile);
    CPPUNIT_TEST(moveTransfersTheFile);
    CPPUNIT_TEST(moveAssignmentRemovesTheOverwrittenFile);
    CPPUNIT_TEST(unsupportedAlgorithmThrows);
    CPPUNIT_TEST(writeFailureNamesThePath);
    CPPUNIT_TEST(writeToMovedFromThrows);
    CPPUNIT_TEST(writesAPartOfALentBuffer);
    CPPUNIT_TEST(lentBufferWriteFailureCountsWhatWasWritten);
    CPPUNIT_TEST_SUITE_END();

public:
    void isAPartialFileUnderTmp()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        const TempBlob temp = store.createTemp("sha256");
        const std::string prefix = dir.path() + "/tmp/";
        CPPUNIT_ASSERT_EQUAL(prefix, temp.path().substr(0, prefix.size()));
        CPPUNIT_ASSERT_EQUAL(std::string(".partial"), temp.path().substr(temp.path().size() - 8));
        CPPUNIT_ASSERT_EQUAL(std::string("sha256"), temp.algorithm());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), temp.size());
        CPPUNIT_ASSERT(exists(temp.path()));
    }

    void writesChunksAndCountsBytes()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        TempBlob temp = store.createTemp("sha512");
        temp.write("ab", 2);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), temp.size());
        CPPUNIT_ASSERT_EQUAL(std::string("ab"), readFile(temp.path()));  // on disk once write() returned
        temp.write("", 0);
        temp.write("c", 1);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), temp.size());
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), readFile(temp.path()));
    }

    void namesAreUnique()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        const TempBlob a = store.createTemp("sha256");
        const TempBlob b = store.createTemp("sha256");
        CPPUNIT_ASSERT(a.path() != b.path());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), entries(dir.path() + "/tmp").size());
    }

    void destroyingUncommittedRemovesFile()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        std::string path;
        {
            TempBlob temp = store.createTemp("sha256");
            temp.write("abc", 3);
            path = temp.path();
            CPPUNIT_ASSERT(exists(path));
        }
        CPPUNIT_ASSERT(!exists(path));
        CPPUNIT_ASSERT(entries(dir.path() + "/tmp").empty());
    }

    void moveTransfersTheFile()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        TempBlob first = store.createTemp("sha256");
        first.write("ab", 2);
        const std::string path = first.path();
        TempBlob second(std::move(first));
        CPPUNIT_ASSERT_EQUAL(path, second.path());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), second.size());
        CPPUNIT_ASSERT(first.path().empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified here
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), first.size());
        { TempBlob discarded(std::move(first)); }  // destroying an empty one touches nothing
        CPPUNIT_ASSERT(exists(path));
        second.write("c", 1);
        const auto stored = store.commitIfDigestMatches(std::move(second), kSha256Abc);
        CPPUNIT_ASSERT(stored.has_value());
    }

    void moveAssignmentRemovesTheOverwrittenFile()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        TempBlob kept = store.createTemp("sha256");
        TempBlob replaced = store.createTemp("sha256");
        const std::string keptPath = kept.path();
        const std::string replacedPath = replaced.path();
        replaced = std::move(kept);
        CPPUNIT_ASSERT_EQUAL(keptPath, replaced.path());
        CPPUNIT_ASSERT(exists(keptPath));
        CPPUNIT_ASSERT(!exists(replacedPath));
    }

    void unsupportedAlgorithmThrows()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        CPPUNIT_ASSERT_THROW(store.createTemp("md5"), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(store.createTemp("SHA256"), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(store.createTemp("../sha256"), std::invalid_argument);
        CPPUNIT_ASSERT(entries(dir.path() + "/tmp").empty());  // no file was left behind
    }

    void writeFailureNamesThePath()
    {
        // RLIMIT_FSIZE makes the first write() short (10 of 100 bytes) and the next one fail with EFBIG.
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        TempBlob temp = store.createTemp("sha256");
        const std::string data(100, 'x');
        try {
            const FileSizeLimit limit(10);
            temp.write(data.data(), data.size());
            CPPUNIT_FAIL("write beyond RLIMIT_FSIZE succeeded");
        } catch (const std::system_error& e) {
            CPPUNIT_ASSERT_EQUAL(EFBIG, e.code().value());
            CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find(temp.path()) != std::string::npos);
        }
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), temp.size());  // the short write was counted
        CPPUNIT_ASSERT_EQUAL(std::string(10, 'x'), readFile(temp.path()));
        const auto stored = store.commitIfDigestMatches(std::move(temp), kSha256Abc);
        CPPUNIT_ASSERT(!stored.has_value());
        CPPUNIT_ASSERT(entries(dir.path() + "/tmp").empty());
    }

    // The cold-fetch path: bytes received into the hasher's buffer are written and hashed from it; only the part
    // given counts.
    void writesAPartOfALentBuffer()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        TempBlob temp = store.createTemp("sha256");
        std::vector<char> buffer = temp.buffer(8);
        CPPUNIT_ASSERT_EQUAL(std::size_t(8), buffer.size());
        const std::string text = "xxabcyyy";
        std::copy(text.begin(), text.end(), buffer.begin());
        temp.write(std::move(buffer), 2, 3);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), temp.size());
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), readFile(temp.path()));
        CPPUNIT_ASSERT_THROW(temp.write(temp.buffer(4), 2, 3), std::out_of_range);
        CPPUNIT_ASSERT(store.commitIfDigestMatches(std::move(temp), kSha256Abc).has_value());
    }

    void lentBufferWriteFailureCountsWhatWasWritten()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        TempBlob temp = store.createTemp("sha256");
        std::vector<char> buffer = temp.buffer(100);
        std::fill(buffer.begin(), buffer.end(), 'x');
        try {
            const FileSizeLimit limit(10);
            temp.write(std::move(buffer), 0, 100);
            CPPUNIT_FAIL("write beyond RLIMIT_FSIZE succeeded");
        } catch (const std::system_error& e) {
            CPPUNIT_ASSERT_EQUAL(EFBIG, e.code().value());
            CPPUNIT_ASSERT_MESSAGE(e.what(), std::string(e.what()).find(temp.path()) != std::string::npos);
        }
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), temp.size());
        CPPUNIT_ASSERT_EQUAL(std::string(10, 'x'), readFile(temp.path()));
    }

    void writeToMovedFromThrows()
    {
        vicary::test::TempDir dir;
        BlobStore store(dir.path());
        TempBlob temp = store.createTemp("sha256");
        TempBlob other(std::move(temp));
        CPPUNIT_ASSERT_THROW(temp.write("a", 1), std::logic_error);  // NOLINT(bugprone-use-after-move)
    }
};

}  // namespace vicary::storage

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::storage::TempBlobTest, "storage");
