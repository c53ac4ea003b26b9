// CaresResolver against a real DNS server (dnsmasq) on loopback.
#include "upstream/CaresResolver.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/SocketAddress.h>

#include "support/DnsmasqServer.h"
#include "upstream/SystemResolver.h"

using namespace std::chrono_literals;
using Poco::Net::IPAddress;
using vicary::upstream::CaresResolver;
using vicary::upstream::ResolveError;

namespace {

const std::vector<std::string> records = {
    "--host-record=registry.vicary.test,127.0.0.7,::7",
    "--host-record=v6only.vicary.test,::8",
    "--address=/cdn.vicary.test/127.0.0.9",
    "--local=/vicary.test/",  // other names under vicary.test: NXDOMAIN
};

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

/// The message of the ResolveError `resolve` throws; fails the test if it returns.
template <typename Resolve>
std::string resolveErrorOf(Resolve resolve)
{
    try {
        resolve();
    } catch (const ResolveError& e) {
        return e.what();
    }
    CPPUNIT_FAIL("expected a ResolveError");
    return {};
}

}  // namespace

namespace vicary::upstream {

class CaresResolverTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CaresResolverTest);
    CPPUNIT_TEST(nameOnlyTheServerKnowsResolves);
    CPPUNIT_TEST(ipv4OnlyGivesOnlyARecords);
    CPPUNIT_TEST(wildcardAddressResolves);
    CPPUNIT_TEST(ipv4OnlyFailsForAnIpv6OnlyName);
    CPPUNIT_TEST(unknownNameNamesHostAndServer);
    CPPUNIT_TEST(deadServerFailsWithinTheTimeout);
    CPPUNIT_TEST(silentServerTimesOutWithinTheTimeout);
    CPPUNIT_TEST(secondServerAnswersWhenTheFirstIsDead);
    CPPUNIT_TEST(concurrentLookupsAllSucceed);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { _dns = std::make_unique<vicary::test::DnsmasqServer>(records); }
    void tearDown() override { _dns.reset(); }

    void nameOnlyTheServerKnowsResolves()
    {
        const CaresResolver resolver({_dns->address()}, true, 2s);
        const std::vector<IPAddress> expected = {IPAddress("127.0.0.7"), IPAddress("::7")};
        CPPUNIT_ASSERT(resolver.resolve("registry.vicary.test") == expected);
        // The system resolver does not know the name: the setting really changes resolution.
        const vicary::upstream::SystemResolver system(true, 2s);
        resolveErrorOf([&] { system.resolve("registry.vicary.test"); });
    }

    void ipv4OnlyGivesOnlyARecords()
    {
        const CaresResolver resolver({_dns->address()}, false, 2s);
        CPPUNIT_ASSERT(resolver.resolve("registry.vicary.test") == std::vector<IPAddress>{IPAddress("127.0.0.7")});
    }

    void wildcardAddressResolves()
    {
        for (bool ipv6 : {true, false}) {
            const CaresResolver resolver({_dns->address()}, ipv6, 2s);
            CPPUNIT_ASSERT(resolver.resolve("cdn.vicary.test") == std::vector<IPAddress>{IPAddress("127.0.0.9")});
            CPPUNIT_ASSERT(resolver.resolve("eu.cdn.vicary.test") == std::vector<IPAddress>{IPAddress("127.0.0.9")});
        }
    }

    void ipv4OnlyFailsForAnIpv6OnlyName()
    {
        CPPUNIT_ASSERT(CaresResolver({_dns->address()}, true, 2s).resolve("v6only.vicary.test") ==
                       std::vector<IPAddress>{IPAddress("::8")});
        const CaresResolver resolver({_dns->address()}, false, 2s);
        const std::string message = resolveErrorOf([&] { resolver.resolve("v6only.vicary.test"); });
        CPPUNIT_ASSERT_MESSAGE(message, contains(message, "no A records"));
    }

    void unknownNameNamesHostAndServer()
    {
        const CaresResolver resolver({_dns->address()}, true, 2s);
        const std::string message = resolveErrorOf([&] { resolver.resolve("missing.vicary.test"); });
        CPPUNIT_ASSERT_MESSAGE(message, contains(message, "'missing.vicary.test'"));
        CPPUNIT_ASSERT_MESSAGE(message, contains(message, _dns->address()));
        CPPUNIT_ASSERT_MESSAGE(message, contains(message, "no such host"));
    }

    void deadServerFailsWithinTheTimeout()
    {
        const std::string dead = "127.0.0.1:" + std::to_string(vicary::test::unusedLoopbackUdpPort());
        const CaresResolver resolver({dead}, true, 500ms);
        const auto start = std::chrono::steady_clock::now();
        const std::string message = resolveErrorOf([&] { resolver.resolve("registry.vicary.test"); });
        const auto took = std::chrono::steady_clock::now() - start;
        CPPUNIT_ASSERT_MESSAGE(message, took < 1500ms);
        CPPUNIT_ASSERT_MESSAGE(message, contains(message, dead));
        CPPUNIT_ASSERT_MESSAGE(message, contains(message, "refused") || contains(message, "timed out"));
    }

    void silentServerTimesOutWithinTheTimeout()
    {
        // Bound and never read: queries arrive and get no answer, so only the timeout ends the lookup.
        Poco::Net::DatagramSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0), false);
        const std::string server = silent.address().toString();
        const CaresResolver resolver({server}, true, 500ms);
        const auto start = std::chrono::steady_clock::now();
        const std::string message = resolveErrorOf([&] { resolver.resolve("registry.vicary.test"); });
        const auto took = std::chrono::steady_clock::now() - start;
        CPPUNIT_ASSERT_MESSAGE(message, took >= 250ms && took < 1500ms);
        CPPUNIT_ASSERT_MESSAGE(message, contains(message, server));
        CPPUNIT_ASSERT_MESSAGE(message, contains(message, "timed out"));
    }

    void secondServerAnswersWhenTheFirstIsDead()
    {
        const std::string dead = "127.0.0.1:" + std::to_string(vicary::test::unusedLoopbackUdpPort());
        const CaresResolver resolver({dead, _dns->address()}, false, 2s);
        CPPUNIT_ASSERT(resolver.resolve("registry.vicary.test") == std::vector<IPAddress>{IPAddress("127.0.0.7")});
    }

    void concurrentLookupsAllSucceed()
    {
        const CaresResolver resolver({_dns->address()}, true, 2s);
        const std::vector<IPAddress> expected = {IPAddress("127.0.0.7"), IPAddress("::7")};
        std::mutex mutex;
        std::vector<std::string> failures;
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 25; ++i) {
                    std::string failure;
                    try {
                        if (resolver.resolve("registry.vicary.test") != expected)
                            failure = "wrong addresses";
                    } catch (const std::exception& e) {
                        failure = e.what();
                    }
                    if (!failure.empty()) {
                        std::lock_guard<std::mutex> lock(mutex);
                        failures.push_back(failure);
                    }
                }
            });
        }
        for (std::thread& thread : threads)
            thread.join();
        CPPUNIT_ASSERT_MESSAGE(failures.empty() ? "" : failures.front(), failures.empty());
    }

private:
    std::unique_ptr<vicary::test::DnsmasqServer> _dns;
};

}  // namespace vicary::upstream

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::upstream::CaresResolverTest, "upstream");
