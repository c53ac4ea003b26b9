// TokenCache and parseTokenResponse: expiry on an injected clock, limits, capacity, concurrency, token JSON.
#include "upstream/TokenCache.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace vicary::upstream {

namespace {

using namespace std::chrono_literals;

/// A clock the test moves by hand; readable from several threads.
class ManualClock {
public:
    TokenCache::Clock function()
    {
        return [this] { return TokenCache::TimePoint(std::chrono::seconds(seconds_.load())); };
    }
    void advance(std::chrono::seconds by) { seconds_ += by.count(); }

private:
    std::atomic<long long> seconds_{1700000000};
};

}  // namespace

class TokenCacheTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TokenCacheTest);
    CPPUNIT_TEST(findsUntilTheMarginBeforeExpiry);
    CPPUNIT_TEST(nonPositiveLifetimeMeansSixtySeconds);
    CPPUNIT_TEST(lifetimeIsCappedAtOneDay);
    CPPUNIT_TEST(putReplacesAndInvalidateForgets);
    CPPUNIT_TEST(keysKeepTheirPartsApart);
    CPPUNIT_TEST(fullCacheDropsExpiredFirst);
    CPPUNIT_TEST(fullCacheDropsSoonestToExpire);
    CPPUNIT_TEST(concurrentPutAndFind);
    CPPUNIT_TEST(responseWithToken);
    CPPUNIT_TEST(responseWithAccessToken);
    CPPUNIT_TEST(responsePrefersToken);
    CPPUNIT_TEST(responseExpiresInDefaultsToSixty);
    CPPUNIT_TEST(badResponsesSayWhyWithoutTheBody);
    CPPUNIT_TEST_SUITE_END();

public:
    void findsUntilTheMarginBeforeExpiry()
    {
        ManualClock clock;
        TokenCache cache(clock.function());
        CPPUNIT_ASSERT(!cache.find("k"));
        cache.put("k", "secret", 300s);
        CPPUNIT_ASSERT_EQUAL(std::string("secret"), cache.find("k").value_or(""));
        clock.advance(289s);  // 11 s left
        CPPUNIT_ASSERT_EQUAL(std::string("secret"), cache.find("k").value_or(""));
        clock.advance(1s);  // 10 s left: within the margin
        CPPUNIT_ASSERT(!cache.find("k"));
        clock.advance(100s);
        CPPUNIT_ASSERT(!cache.find("k"));
        CPPUNIT_ASSERT(!cache.find("other"));
    }

    void nonPositiveLifetimeMeansSixtySeconds()
    {
        ManualClock clock;
        TokenCache cache(clock.function());
        cache.put("zero", "a", 0s);
        cache.put("negative", "b", -5s);
        clock.advance(49s);
        CPPUNIT_ASSERT(cache.find("zero"));
        CPPUNIT_ASSERT(cache.find("negative"));
        clock.advance(1s);
        CPPUNIT_ASSERT(!cache.find("zero"));
        CPPUNIT_ASSERT(!cache.find("negative"));

        cache.put("short", "c", 10s);  // no longer than the margin: stored, never found
        CPPUNIT_ASSERT(!cache.find("short"));
    }

    void lifetimeIsCappedAtOneDay()
    {
        ManualClock clock;
        TokenCache cache(clock.function());
        cache.put("k", "v", std::chrono::seconds(365LL * 24 * 3600));
        clock.advance(24h - 11s);
        CPPUNIT_ASSERT(cache.find("k"));
        clock.advance(1s);
        CPPUNIT_ASSERT(!cache.find("k"));
    }

    void putReplacesAndInvalidateForgets()
    {
        ManualClock clock;
        TokenCache cache(clock.function());
        cache.put("k", "old", 3600s);
        cache.put("k", "new", 30s);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), cache.size());
        CPPUNIT_ASSERT_EQUAL(std::string("new"), cache.find("k").value_or(""));
        clock.advance(20s);  // the replacement's shorter lifetime counts
        CPPUNIT_ASSERT(!cache.find("k"));

        cache.put("k", "again", 60s);
        cache.invalidate("k");
        cache.invalidate("k");
        cache.invalidate("never there");
        CPPUNIT_ASSERT(!cache.find("k"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), cache.size());
    }

    void keysKeepTheirPartsApart()
    {
        const std::string key = TokenCache::keyOf("hub", "https://auth.docker.io/token", "registry.docker.io",
                                                  "repository:library/alpine:pull");
        CPPUNIT_ASSERT_EQUAL(key, TokenCache::keyOf("hub", "https://auth.docker.io/token", "registry.docker.io",
                                                    "repository:library/alpine:pull"));
        CPPUNIT_ASSERT(TokenCache::keyOf("a", "b", "", "") != TokenCache::keyOf("a", "", "b", ""));
        CPPUNIT_ASSERT(TokenCache::keyOf("a|b", "c", "", "") != TokenCache::keyOf("a", "b|c", "", ""));
        CPPUNIT_ASSERT(TokenCache::keyOf("1:a", "", "", "") != TokenCache::keyOf("1", "a", "", ""));
        CPPUNIT_ASSERT(TokenCache::keyOf("hub", "r", "s", "repository:a:pull") !=
                       TokenCache::keyOf("hub", "r", "s", "repository:a:pull,push"));
    }

    void fullCacheDropsExpiredFirst()
    {
        ManualClock clock;
        TokenCache cache(clock.function(), 3);
        cache.put("expiring", "1", 20s);
        cache.put("long", "2", 3600s);
        cache.put("longer", "3", 7200s);
        clock.advance(15s);  // "expiring" is now within the margin
        cache.put("new", "4", 60s);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), cache.size());
        CPPUNIT_ASSERT(!cache.find("expiring"));
        CPPUNIT_ASSERT(cache.find("long"));
        CPPUNIT_ASSERT(cache.find("longer"));
        CPPUNIT_ASSERT(cache.find("new"));
    }

    void fullCacheDropsSoonestToExpire()
    {
        ManualClock clock;
        TokenCache cache(clock.function(), 3);
        cache.put("a", "1", 600s);
        cache.put("b", "2", 300s);
        cache.put("c", "3", 900s);
        cache.put("d", "4", 1200s);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), cache.size());
        CPPUNIT_ASSERT(!cache.find("b"));
        CPPUNIT_ASSERT(cache.find("a"));
        cache.put("c", "replaced", 60s);  // replacing an entry never evicts another
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), cache.size());
        CPPUNIT_ASSERT(cache.find("a"));
        CPPUNIT_ASSERT(cache.find("d"));

        TokenCache big(clock.function(), 100);
        for (int i = 0; i < 1000; ++i)
            big.put("k" + std::to_string(i), "v", std::chrono::seconds(100 + i));
        CPPUNIT_ASSERT_EQUAL(std::size_t(100), big.size());
        CPPUNIT_ASSERT(big.find("k999"));
        CPPUNIT_ASSERT(big.find("k900"));
        CPPUNIT_ASSERT(!big.find("k899"));
    }

    void concurrentPutAndFind()
    {
        ManualClock clock;
        TokenCache cache(clock.function(), 500);
        std::atomic<int> wrongValues{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&cache, &wrongValues, t] {
                for (int i = 0; i < 2000; ++i) {
                    const std::string key = "k" + std::to_string((i * 7 + t) % 700);
                    if (i % 3 == 0)
                        cache.put(key, "value-of-" + key, std::chrono::seconds(60 + i % 50));
                    else if (i % 17 == 0)
                        cache.invalidate(key);
                    else if (const auto found = cache.find(key); found && *found != "value-of-" + key)
                        ++wrongValues;
                }
            });
        }
        for (std::thread& thread : threads)
            thread.join();
        CPPUNIT_ASSERT_EQUAL(0, wrongValues.load());
        CPPUNIT_ASSERT(cache.size() <= 500);
    }

    void responseWithToken()
    {
        std::string error = "stale";
        const auto response = parseTokenResponse(
            R"({"token":"abc.def","expires_in":300,"issued_at":"2024-01-01T00:00:00Z"})", error);
        CPPUNIT_ASSERT(response);
        CPPUNIT_ASSERT_EQUAL(std::string("abc.def"), response->token);
        CPPUNIT_ASSERT_EQUAL(300LL, static_cast<long long>(response->expiresIn.count()));
        CPPUNIT_ASSERT(error.empty());
    }

    void responseWithAccessToken()
    {
        std::string error;
        const auto response = parseTokenResponse(R"({"access_token":"oauth","expires_in":120})", error);
        CPPUNIT_ASSERT(response);
        CPPUNIT_ASSERT_EQUAL(std::string("oauth"), response->token);
        CPPUNIT_ASSERT_EQUAL(120LL, static_cast<long long>(response->expiresIn.count()));
    }

    void responsePrefersToken()
    {
        std::string error;
        const auto both = parseTokenResponse(R"({"access_token":"second","token":"first"})", error);
        CPPUNIT_ASSERT(both);
        CPPUNIT_ASSERT_EQUAL(std::string("first"), both->token);
        const auto emptyToken = parseTokenResponse(R"({"token":"","access_token":"fallback"})", error);
        CPPUNIT_ASSERT(emptyToken);
        CPPUNIT_ASSERT_EQUAL(std::string("fallback"), emptyToken->token);
    }

    void responseExpiresInDefaultsToSixty()
    {
        std::string error;
        for (const char* json : {R"({"token":"t"})", R"({"token":"t","expires_in":0})",
                                 R"({"token":"t","expires_in":-30})", R"({"token":"t","expires_in":"soon"})",
                                 R"({"token":"t","expires_in":null})", R"({"token":"t","expires_in":1e300})",
                                 R"({"token":"t","expires_in":[1]})"}) {
            const auto response = parseTokenResponse(json, error);
            CPPUNIT_ASSERT_MESSAGE(json, response);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(json, 60LL, static_cast<long long>(response->expiresIn.count()));
        }
        CPPUNIT_ASSERT_EQUAL(86400LL, static_cast<long long>(
            parseTokenResponse(R"({"token":"t","expires_in":99999999})", error)->expiresIn.count()));
        CPPUNIT_ASSERT_EQUAL(90LL, static_cast<long long>(
            parseTokenResponse(R"({"token":"t","expires_in":"90"})", error)->expiresIn.count()));
    }

    void badResponsesSayWhyWithoutTheBody()
    {
        const std::string secret = "s3cr3t-t0ken";
        for (const std::string& body : {std::string(""), std::string("<html>" + secret + "</html>"),
                                        std::string("{\"token\":\"" + secret), std::string("[\"" + secret + "\"]"),
                                        std::string("\"" + secret + "\""), std::string("{}"),
                                        std::string("{\"token\":42,\"other\":\"" + secret + "\"}"),
                                        std::string("{\"token\":\"\",\"access_token\":null}"), std::string("null")}) {
            std::string error;
            CPPUNIT_ASSERT_MESSAGE(body, !parseTokenResponse(body, error));
            CPPUNIT_ASSERT_MESSAGE(body, !error.empty());
            CPPUNIT_ASSERT_MESSAGE(error, error.find(secret) == std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(error, error.find("html") == std::string::npos);
        }
        std::string error;
        parseTokenResponse("not json", error);
        CPPUNIT_ASSERT_EQUAL(std::string("token response is not JSON"), error);
        parseTokenResponse("{}", error);
        CPPUNIT_ASSERT_EQUAL(std::string("token response has neither a token nor an access_token"), error);
    }
};

}  // namespace vicary::upstream

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::upstream::TokenCacheTest, "auth");
