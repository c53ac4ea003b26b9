// Lockouts after repeated authentication failures, per client address, with a bounded table.
#include "auth/FailedAttempts.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

namespace vicary::auth {

using std::chrono::seconds;

class FailedAttemptsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FailedAttemptsTest);
    CPPUNIT_TEST(maxFailuresLockTheAddressOutForTheLockout);
    CPPUNIT_TEST(failuresOutsideTheWindowStartAgain);
    CPPUNIT_TEST(successClearsTheCount);
    CPPUNIT_TEST(theTableStaysBounded);
    CPPUNIT_TEST_SUITE_END();

public:
    void maxFailuresLockTheAddressOutForTheLockout()
    {
        FailedAttempts attempts(3, seconds(60));
        const auto t0 = FailedAttempts::Clock::now();
        CPPUNIT_ASSERT_EQUAL(1u, attempts.fail("10.0.0.1", t0));
        CPPUNIT_ASSERT_EQUAL(2u, attempts.fail("10.0.0.1", t0 + seconds(1)));
        CPPUNIT_ASSERT_EQUAL(0L, static_cast<long>(attempts.lockedFor("10.0.0.1", t0 + seconds(1)).count()));
        CPPUNIT_ASSERT_EQUAL(3u, attempts.fail("10.0.0.1", t0 + seconds(2)));
        CPPUNIT_ASSERT_EQUAL(60L, static_cast<long>(attempts.lockedFor("10.0.0.1", t0 + seconds(2)).count()));
        CPPUNIT_ASSERT_EQUAL(1L, static_cast<long>(attempts.lockedFor("10.0.0.1", t0 + seconds(61)).count()));
        CPPUNIT_ASSERT_EQUAL(0L, static_cast<long>(attempts.lockedFor("10.0.0.1", t0 + seconds(62)).count()));
        CPPUNIT_ASSERT_EQUAL(0L, static_cast<long>(attempts.lockedFor("10.0.0.2", t0 + seconds(2)).count()));
        // After the lockout, a fresh count.
        CPPUNIT_ASSERT_EQUAL(1u, attempts.fail("10.0.0.1", t0 + seconds(63)));
    }

    void failuresOutsideTheWindowStartAgain()
    {
        FailedAttempts attempts(3, seconds(10));
        const auto t0 = FailedAttempts::Clock::now();
        attempts.fail("c", t0);
        attempts.fail("c", t0 + seconds(5));
        CPPUNIT_ASSERT_EQUAL(1u, attempts.fail("c", t0 + seconds(11)));
        CPPUNIT_ASSERT_EQUAL(0L, static_cast<long>(attempts.lockedFor("c", t0 + seconds(11)).count()));
    }

    void successClearsTheCount()
    {
        FailedAttempts attempts(2, seconds(10));
        const auto t0 = FailedAttempts::Clock::now();
        attempts.fail("c", t0);
        attempts.succeed("c");
        CPPUNIT_ASSERT_EQUAL(1u, attempts.fail("c", t0));
    }

    void theTableStaysBounded()
    {
        FailedAttempts attempts(2, seconds(10), 100);
        const auto t0 = FailedAttempts::Clock::now();
        for (int i = 0; i < 1000; ++i)
            attempts.fail("client-" + std::to_string(i), t0);
        // The newest ones are still counted after the table made room.
        CPPUNIT_ASSERT_EQUAL(2u, attempts.fail("client-999", t0));
        CPPUNIT_ASSERT(attempts.lockedFor("client-999", t0).count() > 0);
    }
};

}  // namespace vicary::auth

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::auth::FailedAttemptsTest, "auth");
