// Request heads as clients send them, split anywhere, and the malformed or oversized ones refused with a reason.
#include <cppunit/extensions/HelperMacros.h>

#include <cstring>
#include <string>

#include "http/RequestHead.h"

namespace vicary::http {

class RequestHeadTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RequestHeadTest);
    CPPUNIT_TEST(parsesAContainerdHead);
    CPPUNIT_TEST(findsTheEndWhereverTheBytesAreSplit);
    CPPUNIT_TEST(skipsEmptyLinesAndStopsAtTheFirstHead);
    CPPUNIT_TEST(acceptsBareLineFeeds);
    CPPUNIT_TEST(refusesMalformedHeads);
    CPPUNIT_TEST(refusesOversizedHeadsBeforeTheirEnd);
    CPPUNIT_TEST(refusesOversizedParts);
    CPPUNIT_TEST(refusesATlsHelloAtItsFirstByte);
    CPPUNIT_TEST_SUITE_END();

public:
    void parsesAContainerdHead()
    {
        const std::string text = "HEAD /v2/library/alpine/manifests/3.19?ns=docker.io HTTP/1.1\r\n"
                                 "Host: mirror:5000\r\n"
                                 "User-Agent: containerd/1.6.20\r\n"
                                 "Accept: application/vnd.oci.image.index.v1+json, */*\r\n"
                                 "Authorization:Bearer abc\t \r\n"
                                 "X-Empty:\r\n"
                                 "\r\n";
        RequestHead head;
        const HeadError error = parseRequestHead(text, head);
        CPPUNIT_ASSERT_EQUAL(std::string(), error.message);
        CPPUNIT_ASSERT_EQUAL(0, error.status);
        CPPUNIT_ASSERT(head.method == "HEAD");
        CPPUNIT_ASSERT(head.target == "/v2/library/alpine/manifests/3.19?ns=docker.io");
        CPPUNIT_ASSERT(head.version == "HTTP/1.1");
        CPPUNIT_ASSERT_EQUAL(std::size_t(5), head.fields.size());
        CPPUNIT_ASSERT(head.fields[0].name == "Host" && head.fields[0].value == "mirror:5000");
        CPPUNIT_ASSERT(head.fields[2].value == "application/vnd.oci.image.index.v1+json, */*");
        CPPUNIT_ASSERT(head.fields[3].name == "Authorization" && head.fields[3].value == "Bearer abc");
        CPPUNIT_ASSERT(head.fields[4].name == "X-Empty" && head.fields[4].value.empty());
    }

    void findsTheEndWhereverTheBytesAreSplit()
    {
        const std::string text = "GET /v2/ HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n";
        for (std::size_t step = 1; step <= text.size(); ++step) {
            HeadScanner scanner;
            HeadScanner::State state = HeadScanner::State::NeedMore;
            std::size_t given = 0;
            while (state == HeadScanner::State::NeedMore && given < text.size()) {
                given = std::min(text.size(), given + step);
                state = scanner.scan(text.data(), given);
            }
            CPPUNIT_ASSERT_MESSAGE("step " + std::to_string(step), state == HeadScanner::State::Complete);
            CPPUNIT_ASSERT_EQUAL(std::size_t(0), scanner.begin());
            CPPUNIT_ASSERT_EQUAL(text.size(), scanner.end());
        }
        HeadScanner scanner;  // one byte short: not complete
        CPPUNIT_ASSERT(scanner.scan(text.data(), text.size() - 1) == HeadScanner::State::NeedMore);
    }

    void skipsEmptyLinesAndStopsAtTheFirstHead()
    {
        const std::string first = "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n";
        const std::string text = "\r\n\r\n" + first + "GET /v2/ HTTP/1.1\r\n\r\n";
        HeadScanner scanner;
        CPPUNIT_ASSERT(scanner.scan(text.data(), text.size()) == HeadScanner::State::Complete);
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), scanner.begin());
        CPPUNIT_ASSERT_EQUAL(4 + first.size(), scanner.end());
        RequestHead head;  // its views point into the text parsed
        const std::string delimited = text.substr(scanner.begin(), scanner.end() - scanner.begin());
        CPPUNIT_ASSERT_EQUAL(0, parseRequestHead(delimited, head).status);
        CPPUNIT_ASSERT(head.target == "/healthz");
        // A head without fields ends at its first blank line.
        const std::string bare = "GET /v2/ HTTP/1.0\r\n\r\n";
        HeadScanner second;
        CPPUNIT_ASSERT(second.scan(bare.data(), bare.size()) == HeadScanner::State::Complete);
        CPPUNIT_ASSERT_EQUAL(0, parseRequestHead(bare, head).status);
        CPPUNIT_ASSERT(head.fields.empty() && head.version == "HTTP/1.0");
    }

    void acceptsBareLineFeeds()
    {
        const std::string text = "GET /v2/ HTTP/1.1\nHost: a\n\n";
        HeadScanner scanner;
        CPPUNIT_ASSERT(scanner.scan(text.data(), text.size()) == HeadScanner::State::Complete);
        RequestHead head;
        CPPUNIT_ASSERT_EQUAL(0, parseRequestHead(text, head).status);
        CPPUNIT_ASSERT(head.fields.size() == 1 && head.fields[0].value == "a");
    }

    void refusesMalformedHeads()
    {
        const char* bad[] = {
            "GET /v2/\r\n\r\n",                              // no version
            "GET  /v2/ HTTP/1.1\r\n\r\n",                    // two spaces
            "GET /v2/ HTTP/1.1 \r\n\r\n",                    // a space after the version
            "G(T /v2/ HTTP/1.1\r\n\r\n",                     // not a token
            "GET /v2/ HTTP/11\r\n\r\n",                      // version
            "GET /v2/ SPDY/1.1\r\n\r\n",                     //
            "GET /v\x01/ HTTP/1.1\r\n\r\n",                  // control character in the target
            "GET /v2/ HTTP/1.1\r\nHost a\r\n\r\n",           // no colon
            "GET /v2/ HTTP/1.1\r\nHost : a\r\n\r\n",         // space before the colon
            "GET /v2/ HTTP/1.1\r\n: a\r\n\r\n",              // empty name
            "GET /v2/ HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n",  // obsolete folding
            "GET /v2/ HTTP/1.1\r\nA: 1\r2\r\n\r\n",          // bare CR
            "GET /v2/ HTTP/1.1\r\nA: 1\x7f\r\n\r\n",         // DEL in a value
        };
        for (const char* text : bad) {
            RequestHead head;
            const HeadError error = parseRequestHead(text, head);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(text, 400, error.status);
            CPPUNIT_ASSERT_MESSAGE(text, !error.message.empty());
        }
        RequestHead head;
        CPPUNIT_ASSERT_EQUAL(400, parseRequestHead(std::string("GET /v2/ HTTP/1.1\r\nA: ") + '\0' + "\r\n\r\n", head).status);
        const HeadError error = parseRequestHead("GET /v2/ HTTP/1.1\r\nHost a\r\n\r\n", head);
        CPPUNIT_ASSERT_EQUAL(std::string("malformed header field 'Host a': no ':'"), error.message);
    }

    void refusesOversizedHeadsBeforeTheirEnd()
    {
        // A request line that never ends: refused once it is longer than any target allowed, not read forever.
        std::string line = "GET /" + std::string(HeadLimits::kTarget + 100, 'a');
        HeadScanner scanner;
        CPPUNIT_ASSERT(scanner.scan(line.data(), line.size()) == HeadScanner::State::Refused);
        CPPUNIT_ASSERT_EQUAL(414, scanner.error().status);

        std::string many = "GET /v2/ HTTP/1.1\r\n";
        for (std::size_t i = 0; i <= HeadLimits::kFields; ++i)
            many += "X-" + std::to_string(i) + ": v\r\n";
        HeadScanner counting;
        CPPUNIT_ASSERT(counting.scan(many.data(), many.size()) == HeadScanner::State::Refused);
        CPPUNIT_ASSERT_EQUAL(431, counting.error().status);

        const std::string value = "GET /v2/ HTTP/1.1\r\nX: " + std::string(HeadLimits::kValue + 1000, 'v');
        HeadScanner field;
        CPPUNIT_ASSERT(field.scan(value.data(), value.size()) == HeadScanner::State::Refused);
        CPPUNIT_ASSERT_EQUAL(431, field.error().status);

        const std::string empty(HeadLimits::kLeadingEmpty + 2, '\n');
        HeadScanner lines;
        CPPUNIT_ASSERT(lines.scan(empty.data(), empty.size()) == HeadScanner::State::Refused);
        CPPUNIT_ASSERT_EQUAL(400, lines.error().status);
    }

    void refusesOversizedParts()
    {
        RequestHead head;
        const std::string target = "/" + std::string(HeadLimits::kTarget, 'a');
        CPPUNIT_ASSERT_EQUAL(414, parseRequestHead("GET " + target + " HTTP/1.1\r\n\r\n", head).status);
        CPPUNIT_ASSERT_EQUAL(0, parseRequestHead("GET " + target.substr(1) + " HTTP/1.1\r\n\r\n", head).status);
        const std::string name(HeadLimits::kName + 1, 'n');
        CPPUNIT_ASSERT_EQUAL(431, parseRequestHead("GET / HTTP/1.1\r\n" + name + ": v\r\n\r\n", head).status);
        const std::string value(HeadLimits::kValue + 1, 'v');
        CPPUNIT_ASSERT_EQUAL(431, parseRequestHead("GET / HTTP/1.1\r\nX: " + value + "\r\n\r\n", head).status);
        CPPUNIT_ASSERT_EQUAL(0, parseRequestHead("GET / HTTP/1.1\r\nX: " + value.substr(1) + "\r\n\r\n", head).status);
        std::string fields = "GET / HTTP/1.1\r\n";
        for (std::size_t i = 0; i < HeadLimits::kFields; ++i)
            fields += "X-" + std::to_string(i) + ": v\r\n";
        CPPUNIT_ASSERT_EQUAL(0, parseRequestHead(fields + "\r\n", head).status);
        CPPUNIT_ASSERT_EQUAL(431, parseRequestHead(fields + "Y: 1\r\n\r\n", head).status);
    }

    // A client probing for HTTPS on the plain port (skopeo, Go's registry client) must get its answer at once, not
    // after the header timeout: it falls back to HTTP when the answer is not TLS.
    void refusesATlsHelloAtItsFirstByte()
    {
        const std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
        HeadScanner scanner;
        CPPUNIT_ASSERT(scanner.scan(hello.data(), 1) == HeadScanner::State::Refused);
        CPPUNIT_ASSERT_EQUAL(400, scanner.error().status);
        for (const char* start : {"GET /v2/\x01", "GET /v2/ HTTP/1.1x", "GET /v2/ HTTP/1.1 x", "GE\x80"}) {
            HeadScanner partial;
            CPPUNIT_ASSERT_MESSAGE(start, partial.scan(start, std::strlen(start)) == HeadScanner::State::Refused);
        }
        HeadScanner fine;
        CPPUNIT_ASSERT(fine.scan("GET /v2/ HTTP/1.1\r", 18) == HeadScanner::State::NeedMore);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(RequestHeadTest, "http");

}  // namespace vicary::http
