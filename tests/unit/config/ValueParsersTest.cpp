// Tests for core/config/ValueParsers: numbers, ports, durations, sizes, percentages, booleans, names and paths.
#include <cppunit/extensions/HelperMacros.h>

#include "ConfigTestSupport.h"

#include "config/ValueParsers.h"

using namespace vicary::config;
using vicary::config::test::errorOf;
using std::chrono::seconds;


class ValueParsersTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ValueParsersTest);
    CPPUNIT_TEST(numbersWithinBounds);
    CPPUNIT_TEST(numbersOutOfBoundsOrNotWhole);
    CPPUNIT_TEST(ports);
    CPPUNIT_TEST(durationsWithEachUnit);
    CPPUNIT_TEST(badDurations);
    CPPUNIT_TEST(durationMinimum);
    CPPUNIT_TEST(sizesWithEachUnit);
    CPPUNIT_TEST(badSizes);
    CPPUNIT_TEST(sizeLimits);
    CPPUNIT_TEST(booleans);
    CPPUNIT_TEST(schemesAndLogLevels);
    CPPUNIT_TEST(names);
    CPPUNIT_TEST(paths);
    CPPUNIT_TEST_SUITE_END();

public:
    void numbersWithinBounds()
    {
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, parseNumber("1", 1, 1024));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{1024}, parseNumber("1024", 1, 1024));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{16}, parseNumber("016", 1, 1024));
    }

    void numbersOutOfBoundsOrNotWhole()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("'0' is not a whole number from 1 to 1024"),
                             errorOf([] { parseNumber("0", 1, 1024); }));
        for (const char* bad : {"1025", "-1", "+1", "1.5", "", "ten", "12 ", "99999999999999999999999"})
            CPPUNIT_ASSERT_MESSAGE(bad, errorOf([&] { parseNumber(bad, 1, 1024); }).find("'" + std::string(bad) + "'") !=
                                            std::string::npos);
    }

    void ports()
    {
        CPPUNIT_ASSERT_EQUAL(std::uint16_t{0}, parsePort("0"));
        CPPUNIT_ASSERT_EQUAL(std::uint16_t{65535}, parsePort("65535"));
        CPPUNIT_ASSERT_EQUAL(std::string("'65536' is not a port number (0-65535)"), errorOf([] { parsePort("65536"); }));
        errorOf([] { parsePort("http"); });
        errorOf([] { parsePort("-1"); });
    }

    void durationsWithEachUnit()
    {
        CPPUNIT_ASSERT_EQUAL(seconds(90).count(), (parseDuration("90")).count());
        CPPUNIT_ASSERT_EQUAL(seconds(30).count(), (parseDuration("30s")).count());
        CPPUNIT_ASSERT_EQUAL(seconds(300).count(), (parseDuration("5m")).count());
        CPPUNIT_ASSERT_EQUAL(seconds(7200).count(), (parseDuration("2h")).count());
        CPPUNIT_ASSERT_EQUAL(seconds(86400).count(), (parseDuration("1d")).count());
        CPPUNIT_ASSERT_EQUAL(seconds(0).count(), (parseDuration("0")).count());
    }

    void badDurations()
    {
        for (const char* bad : {"", "s", "-5s", "1.5h", "5 m", "5M", "1w", "10ms", "1h30m"}) {
            const std::string message = errorOf([&] { parseDuration(bad); });
            CPPUNIT_ASSERT_MESSAGE(message, message.find("is not a duration") != std::string::npos);
        }
        CPPUNIT_ASSERT(errorOf([] { parseDuration("999999999999999999d"); }).find("too long") != std::string::npos);
    }

    void durationMinimum()
    {
        CPPUNIT_ASSERT_EQUAL(seconds(1).count(), (parseDurationAtLeast("1", seconds(1))).count());
        CPPUNIT_ASSERT_EQUAL(std::string("'0s' is too short; the minimum is 1s"),
                             errorOf([] { parseDurationAtLeast("0s", seconds(1)); }));
    }

    void sizesWithEachUnit()
    {
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{512}, parseSize("512"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{512}, parseSize("512B"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2000}, parseSize("2K"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2000}, parseSize("2kb"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{2048}, parseSize("2KiB"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{3000000}, parseSize("3 MB"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{3} << 20, parseSize("3mib"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{4000000000}, parseSize("4G"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{4} << 30, parseSize("4 GiB"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{5000000000000}, parseSize("5TB"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{5} << 40, parseSize("5TiB"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{18446744073709551615ull}, parseSize("18446744073709551615"));
    }

    void badSizes()
    {
        CPPUNIT_ASSERT(errorOf([] { parseSize("-1G"); }).find("negative") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseSize("1.5G"); }).find("fraction") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseSize("18446744073709551616"); }).find("too large") != std::string::npos);
        CPPUNIT_ASSERT(errorOf([] { parseSize("20000000TiB"); }).find("too large") != std::string::npos);
        for (const char* bad : {"", "G", "10 PB", "10GB5", "ten"})
            CPPUNIT_ASSERT_MESSAGE(bad, errorOf([&] { parseSize(bad); }).find("is not a size") != std::string::npos);
    }

    void sizeLimits()
    {
        const SizeLimit percent = parseSizeLimit("80%");
        CPPUNIT_ASSERT(percent.kind == SizeLimit::Kind::Percent);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(80.0, percent.percent, 1e-9);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(12.5, parseSizeLimit("12.5 %").percent, 1e-9);
        CPPUNIT_ASSERT_DOUBLES_EQUAL(100.0, parseSizeLimit("100%").percent, 1e-9);
        const SizeLimit bytes = parseSizeLimit("200GiB");
        CPPUNIT_ASSERT(bytes.kind == SizeLimit::Kind::Bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{200} << 30, bytes.bytes);
        const SizeLimit unlimited = parseSizeLimit("0");
        CPPUNIT_ASSERT(unlimited.kind == SizeLimit::Kind::Bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, unlimited.bytes);
        for (const char* bad : {"0%", "100.1%", "%", "-5%", "5.%", "abc%"})
            CPPUNIT_ASSERT_MESSAGE(bad, errorOf([&] { parseSizeLimit(bad); }).find("percentage") != std::string::npos);
    }

    void booleans()
    {
        for (const char* yes : {"true", "yes", "on", "1", "TRUE", "Yes"})
            CPPUNIT_ASSERT_MESSAGE(yes, parseBool(yes));
        for (const char* no : {"false", "no", "off", "0", "Off"})
            CPPUNIT_ASSERT_MESSAGE(no, !parseBool(no));
        CPPUNIT_ASSERT_EQUAL(std::string("'enabled' is not a boolean (true/false, yes/no, on/off, 1/0)"),
                             errorOf([] { parseBool("enabled"); }));
    }

    void schemesAndLogLevels()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("https"), parseScheme("https"));
        errorOf([] { parseScheme("ftp"); });
        CPPUNIT_ASSERT_EQUAL(std::string("information"), parseLogLevel("info"));
        CPPUNIT_ASSERT_EQUAL(std::string("warning"), parseLogLevel("Warning"));
        CPPUNIT_ASSERT(errorOf([] { parseLogLevel("trace"); }).find("debug, information") != std::string::npos);
    }

    void names()
    {
        CPPUNIT_ASSERT(isValidName("ecr-public"));
        CPPUNIT_ASSERT(isValidName("a_1"));
        CPPUNIT_ASSERT(isValidName(std::string(63, 'a')));
        CPPUNIT_ASSERT(!isValidName(std::string(64, 'a')));
        CPPUNIT_ASSERT(!isValidName("Quay"));
        CPPUNIT_ASSERT(!isValidName("-x"));
        CPPUNIT_ASSERT(!isValidName("a.b"));
        CPPUNIT_ASSERT(!isValidName(""));
        errorOf([] { parseName("Docker Hub"); });
    }

    void paths()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/vicary/cache"), resolvePath("cache", "/etc/vicary"));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/cache"), resolvePath("../cache/", "/etc/vicary"));
        CPPUNIT_ASSERT_EQUAL(std::string("/var/cache/vicary"), resolvePath("/var//cache/./vicary/", "/etc"));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), resolvePath("/", "/etc"));
        errorOf([] { resolvePath("", "/etc"); });
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ValueParsersTest, "config");
