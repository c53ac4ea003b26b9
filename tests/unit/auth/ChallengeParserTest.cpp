// parseChallenges: real registries' WWW-Authenticate headers, RFC 9110 syntax corners, and malformed input.
#include "upstream/ChallengeParser.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

namespace vicary::upstream {

namespace {

void assertChallenge(const AuthChallenge& challenge, const std::string& scheme, const std::string& realm,
                     const std::string& service = "", const std::string& scope = "")
{
    CPPUNIT_ASSERT_EQUAL(scheme, challenge.scheme);
    CPPUNIT_ASSERT_EQUAL(realm, challenge.realm);
    CPPUNIT_ASSERT_EQUAL(service, challenge.service);
    CPPUNIT_ASSERT_EQUAL(scope, challenge.scope);
}

}  // namespace

class ChallengeParserTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ChallengeParserTest);
    CPPUNIT_TEST(dockerHub);
    CPPUNIT_TEST(quayAndGcr);
    CPPUNIT_TEST(basicGetsRealmOnly);
    CPPUNIT_TEST(severalChallengesInOneHeader);
    CPPUNIT_TEST(severalHeaderValues);
    CPPUNIT_TEST(escapedQuotes);
    CPPUNIT_TEST(oddSpacingAndTabs);
    CPPUNIT_TEST(namesAreCaseInsensitive);
    CPPUNIT_TEST(commasInsideQuotesStayInTheValue);
    CPPUNIT_TEST(tokenValuesAndUnknownParameters);
    CPPUNIT_TEST(token68AndBareSchemes);
    CPPUNIT_TEST(firstOccurrenceWins);
    CPPUNIT_TEST(emptyAndGarbage);
    CPPUNIT_TEST(malformedKeepsWhatCameBefore);
    CPPUNIT_TEST(longHostileInputEnds);
    CPPUNIT_TEST_SUITE_END();

public:
    void dockerHub()
    {
        const auto challenges = parseChallenges(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
            "scope=\"repository:library/alpine:pull\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), challenges.size());
        assertChallenge(challenges[0], "Bearer", "https://auth.docker.io/token", "registry.docker.io",
                        "repository:library/alpine:pull");
    }

    void quayAndGcr()
    {
        const auto quay = parseChallenges("Bearer realm=\"https://quay.io/v2/auth\",service=\"quay.io\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), quay.size());
        assertChallenge(quay[0], "Bearer", "https://quay.io/v2/auth", "quay.io");

        const auto gcr = parseChallenges("Bearer realm=\"https://gcr.io/v2/token\",service=\"gcr.io\","
                                         "scope=\"repository:google-containers/pause:pull\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), gcr.size());
        assertChallenge(gcr[0], "Bearer", "https://gcr.io/v2/token", "gcr.io",
                        "repository:google-containers/pause:pull");
    }

    void basicGetsRealmOnly()
    {
        const auto challenges = parseChallenges("Basic realm=\"Registry Realm\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), challenges.size());
        assertChallenge(challenges[0], "Basic", "Registry Realm");

        const auto withExtras = parseChallenges("Basic realm=\"r\", service=\"s\", scope=\"x\", charset=\"UTF-8\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), withExtras.size());
        assertChallenge(withExtras[0], "Basic", "r");
    }

    void severalChallengesInOneHeader()
    {
        const auto challenges =
            parseChallenges("Basic realm=x, Bearer realm=\"https://auth.test/token\",service=\"registry.test\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), challenges.size());
        assertChallenge(challenges[0], "Basic", "x");
        assertChallenge(challenges[1], "Bearer", "https://auth.test/token", "registry.test");

        const auto three = parseChallenges("Negotiate, Bearer realm=\"a\" , Basic realm=b,Newauth realm=\"c\", "
                                           "type=1, title=\"Login to \\\"apps\\\"\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), three.size());
        assertChallenge(three[0], "Negotiate", "");
        assertChallenge(three[1], "Bearer", "a");
        assertChallenge(three[2], "Basic", "b");
        assertChallenge(three[3], "Newauth", "c");
    }

    void severalHeaderValues()
    {
        const auto challenges = parseChallenges(std::vector<std::string>{
            "Basic realm=\"one\"", "", "Bearer realm=\"two\" \"broken", "Bearer realm=\"three\",scope=\"s\""});
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), challenges.size());
        assertChallenge(challenges[0], "Basic", "one");
        assertChallenge(challenges[1], "Bearer", "three", "", "s");
        CPPUNIT_ASSERT(parseChallenges(std::vector<std::string>{}).empty());
    }

    void escapedQuotes()
    {
        const auto challenges = parseChallenges("Bearer realm=\"a \\\"quoted\\\" realm\\\\x\\y\",service=\"s\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), challenges.size());
        assertChallenge(challenges[0], "Bearer", "a \"quoted\" realm\\xy", "s");
    }

    void oddSpacingAndTabs()
    {
        const auto challenges = parseChallenges(" \t Bearer \t realm = \"https://auth.test/token\" \t,\t"
                                                "service\t=\tregistry.test ,  scope =\"repository:a:pull\"\t ");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), challenges.size());
        assertChallenge(challenges[0], "Bearer", "https://auth.test/token", "registry.test", "repository:a:pull");

        const auto emptyElements = parseChallenges(",, Basic realm=a,,, ,Bearer realm=b , ,");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), emptyElements.size());
        assertChallenge(emptyElements[0], "Basic", "a");
        assertChallenge(emptyElements[1], "Bearer", "b");
    }

    void namesAreCaseInsensitive()
    {
        const auto challenges = parseChallenges("bearer REALM=\"https://auth.test/token\",Service=\"svc\",sCoPe=\"s\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), challenges.size());
        assertChallenge(challenges[0], "bearer", "https://auth.test/token", "svc", "s");

        const auto basic = parseChallenges("BASIC Realm=r");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), basic.size());
        assertChallenge(basic[0], "BASIC", "r");
    }

    void commasInsideQuotesStayInTheValue()
    {
        const auto challenges = parseChallenges(
            "Bearer realm=\"https://auth.test/token\",service=\"registry.test\","
            "scope=\"repository:a:pull,push\", Basic realm=\"x, Bearer realm=y\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), challenges.size());
        assertChallenge(challenges[0], "Bearer", "https://auth.test/token", "registry.test", "repository:a:pull,push");
        assertChallenge(challenges[1], "Basic", "x, Bearer realm=y");
    }

    void tokenValuesAndUnknownParameters()
    {
        const auto challenges = parseChallenges("Bearer error=insufficient_scope, realm=r, "
                                                "error_description=\"no access\", service=s!#$%&'*+-.^_`|~9");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), challenges.size());
        assertChallenge(challenges[0], "Bearer", "r", "s!#$%&'*+-.^_`|~9");

        const auto emptyQuoted = parseChallenges("Bearer realm=\"\",service=\"s\"");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), emptyQuoted.size());
        assertChallenge(emptyQuoted[0], "Bearer", "", "s");
    }

    void token68AndBareSchemes()
    {
        const auto challenges = parseChallenges("Negotiate YIIB+w/==, Basic realm=a, Other abc , Last");
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), challenges.size());
        assertChallenge(challenges[0], "Negotiate", "");
        assertChallenge(challenges[1], "Basic", "a");
        assertChallenge(challenges[2], "Other", "");
        assertChallenge(challenges[3], "Last", "");

        const auto bare = parseChallenges("Bearer");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), bare.size());
        assertChallenge(bare[0], "Bearer", "");
    }

    void firstOccurrenceWins()
    {
        const auto challenges = parseChallenges("Bearer realm=first, realm=second, scope=a, scope=b");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), challenges.size());
        assertChallenge(challenges[0], "Bearer", "first", "", "a");
    }

    void emptyAndGarbage()
    {
        for (const char* header : {"", " ", "\t, ,", "\"Bearer\"", "=", "=realm", "(Bearer) realm=x", "@@@",
                                   "Bearer=x", "Bearer\"x\"", "Bearer realm", "Bearer realm x", "Bearer \"x\"",
                                   "Bearer realm=", "Bearer realm= ,service=s", "Bearer realm=,", "\x01\x02",
                                   "Bearer realm=\"a\"\"b\"", "Bearer realm=a b"})
            CPPUNIT_ASSERT_MESSAGE(header, parseChallenges(header).empty() ||
                                               (parseChallenges(header).size() == 1 &&
                                                parseChallenges(header)[0].realm.empty()));
        CPPUNIT_ASSERT(parseChallenges("").empty());
        CPPUNIT_ASSERT(parseChallenges("@@@").empty());
        CPPUNIT_ASSERT(parseChallenges("Bearer realm x").empty());
        // "realm=" is a valid token68, so this reads as a Bearer challenge without parameters, then junk.
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), parseChallenges("Bearer realm= ,service=s").size());
        CPPUNIT_ASSERT(parseChallenges("Bearer realm = ,service=s").empty());
        CPPUNIT_ASSERT(parseChallenges("Bearer realm=a b").empty());
    }

    void malformedKeepsWhatCameBefore()
    {
        const auto unterminated = parseChallenges("Basic realm=\"ok\", Bearer realm=\"https://auth.test/tok");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), unterminated.size());
        assertChallenge(unterminated[0], "Basic", "ok");

        CPPUNIT_ASSERT(parseChallenges("Bearer realm=\"unterminated").empty());
        CPPUNIT_ASSERT(parseChallenges("Bearer realm=\"ends in a backslash\\").empty());
        CPPUNIT_ASSERT(parseChallenges("Bearer realm=\"control\r\nX-Injected: 1\"").empty());

        const auto junkAfter = parseChallenges("Bearer realm=a, service=b, ;junk, Basic realm=c");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), junkAfter.size());
        assertChallenge(junkAfter[0], "Bearer", "a", "b");

        const auto brokenSecond = parseChallenges("Bearer realm=a, Basic realm=\"b\"x, Other");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), brokenSecond.size());
        assertChallenge(brokenSecond[0], "Bearer", "a");
    }

    void longHostileInputEnds()
    {
        // Each of these would be quadratic or endless in a careless parser; they must simply finish.
        const std::string commas(200000, ',');
        CPPUNIT_ASSERT(parseChallenges(commas).empty());
        std::string manyParams = "Bearer ";
        for (int i = 0; i < 20000; ++i)
            manyParams += "p" + std::to_string(i) + "=v,";
        manyParams += "realm=r";
        const auto many = parseChallenges(manyParams);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), many.size());
        CPPUNIT_ASSERT_EQUAL(std::string("r"), many[0].realm);
        std::string manySchemes;
        for (int i = 0; i < 20000; ++i)
            manySchemes += "S" + std::to_string(i) + " a=b, ";
        CPPUNIT_ASSERT_EQUAL(std::size_t(20000), parseChallenges(manySchemes).size());
        CPPUNIT_ASSERT(parseChallenges("Bearer realm=\"" + std::string(200000, '\\')).empty());
        CPPUNIT_ASSERT(parseChallenges("Negotiate " + std::string(200000, '=')).empty());
    }
};

}  // namespace vicary::upstream

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::upstream::ChallengeParserTest, "auth");
