// What readers of a download in progress may send: never the last byte of an unverified blob, all of it once the
// digest matched (even before the file is flushed), and nothing more once an unverified download failed.
#include "cache/Download.h"

#include <thread>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

namespace vicary::cache {

using std::chrono::milliseconds;

class DownloadTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DownloadTest);
    CPPUNIT_TEST(lastByteWaitsForVerification);
    CPPUNIT_TEST(verificationReleasesAWaitingReader);
    CPPUNIT_TEST(failureBeforeVerificationAbortsReaders);
    CPPUNIT_TEST(failureAfterVerificationLetsReadersFinish);
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
