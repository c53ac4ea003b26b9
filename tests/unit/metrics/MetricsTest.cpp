// Metric families hand out one child per label set, from any thread, and what is counted is what is rendered.
#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "metrics/Metrics.h"

namespace vicary::metrics {

class MetricsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MetricsTest);
    CPPUNIT_TEST(sameLabelsSameChildOtherLabelsOther);
    CPPUNIT_TEST(familiesWithEqualLabelsKeepTheirOwnChildren);
    CPPUNIT_TEST(aNewFamilyNeverSeesAGoneFamilysChildren);
    CPPUNIT_TEST(threadsCountIntoTheSameChildren);
    CPPUNIT_TEST(histogramSumsWhatItObserves);
    CPPUNIT_TEST_SUITE_END();

    static std::unique_ptr<Family<Counter>> counterFamily(const std::string& name)
    {
        return std::make_unique<Family<Counter>>(name, "help", std::vector<std::string>{"registry", "status"},
                                                 [] { return std::make_unique<Counter>(); });
    }

    static std::uint64_t rendered(const Family<Counter>& family, const Labels& labels)
    {
        std::uint64_t value = 0;
        family.forEach([&](const Labels& l, const Counter& c) {
            if (l == labels)
                value = c.value();
        });
        return value;
    }

public:
    void sameLabelsSameChildOtherLabelsOther()
    {
        auto family = counterFamily("a_total");
        Counter& ok = family->with({"hub", "200"});
        CPPUNIT_ASSERT_EQUAL(&ok, &family->with({"hub", "200"}));
        CPPUNIT_ASSERT(&ok != &family->with({"hub", "404"}));
        // More label sets than a thread remembers: still one child each, counted where they belong.
        for (int round = 0; round < 3; ++round)
            for (int status = 0; status < 40; ++status)
                family->with({"hub", std::to_string(status)}).inc();
        for (int status = 0; status < 40; ++status)
            CPPUNIT_ASSERT_EQUAL(std::uint64_t{3}, rendered(*family, {"hub", std::to_string(status)}));
    }

    void familiesWithEqualLabelsKeepTheirOwnChildren()
    {
        auto requests = counterFamily("requests_total");
        auto errors = counterFamily("errors_total");
        requests->with({"hub", "200"}).inc(5);
        errors->with({"hub", "200"}).inc(2);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{5}, rendered(*requests, {"hub", "200"}));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, rendered(*errors, {"hub", "200"}));
    }

    void aNewFamilyNeverSeesAGoneFamilysChildren()
    {
        // The allocator is likely to put the second family where the first was; what this thread remembers about
        // the first must not leak into it (under ASan a stale child would also be a use after free).
        auto first = counterFamily("gone_total");
        first->with({"hub", "200"}).inc(7);
        first.reset();
        auto second = counterFamily("new_total");
        Counter& child = second->with({"hub", "200"});
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, child.value());
        child.inc();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, rendered(*second, {"hub", "200"}));
    }

    void threadsCountIntoTheSameChildren()
    {
        auto family = counterFamily("threads_total");
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&family] {
                for (int i = 0; i < 1000; ++i)
                    family->with({"hub", i % 2 == 0 ? "200" : "404"}).inc();
            });
        for (auto& thread : threads)
            thread.join();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2000}, rendered(*family, {"hub", "200"}));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2000}, rendered(*family, {"hub", "404"}));
    }

    void histogramSumsWhatItObserves()
    {
        Histogram histogram({0.1, 1.0});
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&histogram] {
                for (int i = 0; i < 1000; ++i)
                    histogram.observe(0.5);
            });
        for (auto& thread : threads)
            thread.join();
        std::vector<std::uint64_t> cumulative;
        double sum = 0;
        std::uint64_t count = 0;
        histogram.snapshot(cumulative, sum, count);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{4000}, count);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(2000.0, sum, 1e-9);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, cumulative[0]);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{4000}, cumulative[1]);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(MetricsTest, "metrics");

}  // namespace vicary::metrics
