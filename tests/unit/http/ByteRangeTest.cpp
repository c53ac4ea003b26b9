// Range headers as clients send them for blobs: one range, open-ended, suffix; the rest ignored or refused.
#include <cppunit/extensions/HelperMacros.h>

#include "http/ByteRange.h"

namespace vicary::http {

class ByteRangeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ByteRangeTest);
    CPPUNIT_TEST(parsesTheThreeForms);
    CPPUNIT_TEST(clipsTheEnd);
    CPPUNIT_TEST(refusesRangesPastTheEnd);
    CPPUNIT_TEST(ignoresWhatItDoesNotServe);
    CPPUNIT_TEST_SUITE_END();

public:
    void parsesTheThreeForms()
    {
        ByteRange r;
        CPPUNIT_ASSERT(parseRange("bytes=10-19", 100, r) == RangeRequest::Partial);
        CPPUNIT_ASSERT_EQUAL(std::string("bytes 10-19/100"), r.contentRange(100));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), r.length());
        CPPUNIT_ASSERT(parseRange("bytes=90-", 100, r) == RangeRequest::Partial);
        CPPUNIT_ASSERT_EQUAL(std::string("bytes 90-99/100"), r.contentRange(100));
        CPPUNIT_ASSERT(parseRange("bytes=-5", 100, r) == RangeRequest::Partial);
        CPPUNIT_ASSERT_EQUAL(std::string("bytes 95-99/100"), r.contentRange(100));
        CPPUNIT_ASSERT(parseRange("bytes=0-0", 1, r) == RangeRequest::Partial);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), r.length());
    }

    void clipsTheEnd()
    {
        ByteRange r;
        CPPUNIT_ASSERT(parseRange("bytes=50-500", 100, r) == RangeRequest::Partial);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(99), r.last);
        CPPUNIT_ASSERT(parseRange("bytes=-500", 100, r) == RangeRequest::Partial);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), r.first);
    }

    void refusesRangesPastTheEnd()
    {
        ByteRange r;
        CPPUNIT_ASSERT(parseRange("bytes=100-", 100, r) == RangeRequest::Unsatisfiable);
        CPPUNIT_ASSERT(parseRange("bytes=200-300", 100, r) == RangeRequest::Unsatisfiable);
        CPPUNIT_ASSERT(parseRange("bytes=-0", 100, r) == RangeRequest::Unsatisfiable);
        CPPUNIT_ASSERT(parseRange("bytes=0-", 0, r) == RangeRequest::Unsatisfiable);
    }

    void ignoresWhatItDoesNotServe()
    {
        ByteRange r;
        for (const char* header : {"", "items=0-5", "bytes=0-5,10-15", "bytes=5-1", "bytes=a-b", "bytes=", "bytes=-",
                                   "bytes=1-2x", "bytes=99999999999999999999-", "bytes=abc-0"})
            CPPUNIT_ASSERT_MESSAGE(header, parseRange(header, 100, r) == RangeRequest::Whole);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ByteRangeTest, "http");

}  // namespace vicary::http
