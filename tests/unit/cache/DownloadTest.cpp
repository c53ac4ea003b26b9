// What readers of a download in progress may send: never the last byte of an unverified blob, all of it once the
// digest matched (even before the file is flushed), and nothing more once an unverified download failed.
#include "cache/Download.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

namespace vicary::cache {

using std::chrono::milliseconds;

class DownloadTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DownloadTest);
    CPPUNIT_TEST(lastByteWaitsForVerification);
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
