// What readers of a download in progress may send: never the last byte of an unverified blob, all of it once the
// digest matched (even before the file is flushed), and nothing more once an unverified download failed.
#include "cache/Download.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <unistd.h>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

namespace vicary::cache {

using std::chrono::milliseconds;

namespace {

struct TempDir {
    TempDir()
    {
        char name[] = "/tmp/vicary-download-test-XXXXXX";
        CPPUNIT_ASSERT(::mkdtemp(name) != nullptr);
        path = name;
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string path;
};

/// A download of `size` bytes whose temp file at `path` holds `written` so far.
std::unique_ptr<Download> startedOn(const std::string& path, const std::string& written, std::uint64_t size)
{
    std::ofstream(path, std::ios::binary) << written;
    auto download = std::make_unique<Download>("sha256:" + std::string(64, 'e'), "sha256", std::string(64, 'e'));
    download->started(size, path);
    download->progressed(written.size());
    return download;
}

/// Everything readable from `fd` at offset 0 (as readers do, with pread), then closes it.
std::string readAll(int fd)
{
    CPPUNIT_ASSERT(fd >= 0);
    std::string text;
    char buffer[64];
    for (off_t offset = 0;;) {
        const ssize_t got = ::pread(fd, buffer, sizeof buffer, offset);
        if (got <= 0)
            break;
        text.append(buffer, static_cast<std::size_t>(got));
        offset += got;
    }
    ::close(fd);
    return text;
}

}  // namespace

class DownloadTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DownloadTest);
    CPPUNIT_TEST(lastByteWaitsForVerification);
    CPPUNIT_TEST(verificationReleasesAWaitingReader);
    CPPUNIT_TEST(failureBeforeVerificationAbortsReaders);
    CPPUNIT_TEST(failureAfterVerificationLetsReadersFinish);
    CPPUNIT_TEST(readersReachTheFileWhileTheCommitRenamesIt);
    CPPUNIT_TEST(failureBeforeVerificationRefusesNewReaders);
    CPPUNIT_TEST_SUITE_END();

public:
    void lastByteWaitsForVerification()
    {
        Download download("sha256:" + std::string(64, 'a'), "sha256", std::string(64, 'a'));
        download.started(100, "/nonexistent/tmp");
        download.progressed(100);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(99), download.waitForBytes(0, milliseconds(100)));
        CPPUNIT_ASSERT_THROW(download.waitForBytes(99, milliseconds(50)), DownloadAborted);  // stalled at the end
        download.verified();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(100), download.waitForBytes(99, milliseconds(100)));
    }

    // A reader already waiting for the last byte gets it when the digest matches, not when the commit (fsync of the
    // whole file, up to a second for 1 GiB) is over: committed() is never called here.
    void verificationReleasesAWaitingReader()
    {
        Download download("sha256:" + std::string(64, 'd'), "sha256", std::string(64, 'd'));
        download.started(100, "/nonexistent/tmp");
        download.progressed(100);
        std::uint64_t readable = 0;
        std::string error;
        std::thread reader([&] {
            try {
                readable = download.waitForBytes(99, milliseconds(5000));
            } catch (const DownloadAborted& e) {
                error = e.what();
            }
        });
        std::this_thread::sleep_for(milliseconds(50));  // let it wait (the result is the same if it has not yet)
        download.verified();
        reader.join();
        CPPUNIT_ASSERT_EQUAL(std::string(), error);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(100), readable);
    }

    // The commit renames the temp file before it calls committed(); a client joining in between used to find the
    // old name gone and fetched the blob again from the upstream (with its own Range header, which could fail).
    void readersReachTheFileWhileTheCommitRenamesIt()
    {
        TempDir dir;
        auto download = startedOn(dir.path + "/tmp-blob", "0123456789", 10);
        download->verified();
        CPPUNIT_ASSERT_EQUAL(0, ::rename((dir.path + "/tmp-blob").c_str(), (dir.path + "/stored-blob").c_str()));
        CPPUNIT_ASSERT_EQUAL(std::string("0123456789"), readAll(download->openForReading()));
        // Only the commit failed (the file is gone): the verified bytes can still be served.
        ::unlink((dir.path + "/stored-blob").c_str());
        download->failed({500, http::OciCode::Unknown, "cannot rename"});
        CPPUNIT_ASSERT_EQUAL(std::string("0123456789"), readAll(download->openForReading()));
    }

    void failureBeforeVerificationRefusesNewReaders()
    {
        TempDir dir;
        auto download = startedOn(dir.path + "/tmp-blob", "01234", 10);
        download->failed({502, http::OciCode::Unavailable, "upstream went away"});
        CPPUNIT_ASSERT_EQUAL(-1, download->openForReading());
    }

    void failureBeforeVerificationAbortsReaders()
    {
        Download download("sha256:" + std::string(64, 'b'), "sha256", std::string(64, 'b'));
        download.started(100, "/nonexistent/tmp");
        download.progressed(100);
        download.failed({502, http::OciCode::Unavailable, "does not match its digest"});
        CPPUNIT_ASSERT_THROW(download.waitForBytes(0, milliseconds(100)), DownloadAborted);
    }

    void failureAfterVerificationLetsReadersFinish()
    {
        Download download("sha256:" + std::string(64, 'c'), "sha256", std::string(64, 'c'));
        download.started(100, "/nonexistent/tmp");
        download.progressed(100);
        download.verified();
        download.failed({502, http::OciCode::Unavailable, "cannot fsync"});  // the bytes are right all the same
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(100), download.waitForBytes(50, milliseconds(100)));
    }
};

}  // namespace vicary::cache

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::cache::DownloadTest, "cache");
