// The loader's checks, in the order the SDK documents them, each against a plugin wrong in just that way.
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>
#include <string>

#include "plugin/PluginError.h"
#include "plugin/PluginLibrary.h"
#include "support/TempDir.h"

namespace vicary::plugin {
namespace {

std::string fixture(const std::string& name)
{
    return std::string(VICARY_TEST_FIXTURE_DIR) + "/" + name + ".so";
}

/// The message of the PluginError that loading `file` throws; fails the test when it loads.
std::string refusal(const std::string& file)
{
    try {
        PluginLibrary::load(file);
    } catch (const PluginError& e) {
        return e.what();
    }
    CPPUNIT_FAIL("plugin " + file + " was accepted");
    return {};
}

void assertContains(const std::string& text, const std::string& part)
{
    CPPUNIT_ASSERT_MESSAGE("'" + text + "' should contain '" + part + "'", text.find(part) != std::string::npos);
}

}  // namespace

class PluginLibraryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PluginLibraryTest);
    CPPUNIT_TEST(loadsGoodPlugin);
    CPPUNIT_TEST(refusesMissingEntrySymbol);
    CPPUNIT_TEST(refusesSmallDescriptor);
    CPPUNIT_TEST(refusesOtherAbiMajor);
    CPPUNIT_TEST(refusesNewerAbiMinor);
    CPPUNIT_TEST(refusesOtherBuildSignature);
    CPPUNIT_TEST(refusesInvalidName);
    CPPUNIT_TEST(refusesFileThatIsNotALibrary);
    CPPUNIT_TEST(refusesMissingFile);
    CPPUNIT_TEST(libraryOutlivesTheLoaderObject);
    CPPUNIT_TEST(validatesPluginNames);
    CPPUNIT_TEST_SUITE_END();

public:
    void loadsGoodPlugin()
    {
        PluginLibrary library = PluginLibrary::load(fixture("fixture_good"));
        CPPUNIT_ASSERT_EQUAL(std::string("fixture"), std::string(library.name()));
        CPPUNIT_ASSERT_EQUAL(kAbiMajor, library.descriptor().abi_major);
        CPPUNIT_ASSERT_EQUAL(fixture("fixture_good"), library.path());
    }

    void refusesMissingEntrySymbol()
    {
        const std::string message = refusal(fixture("fixture_no_entry"));
        assertContains(message, "plugin " + fixture("fixture_no_entry") + ": ");
        assertContains(message, "no symbol vicary_plugin_entry_v1");
    }

    void refusesSmallDescriptor()
    {
        const std::string message = refusal(fixture("fixture_small_struct"));
        assertContains(message, fixture("fixture_small_struct"));
        assertContains(message, "descriptor is 16 bytes");
    }

    void refusesOtherAbiMajor()
    {
        const std::string message = refusal(fixture("fixture_wrong_major"));
        assertContains(message, fixture("fixture_wrong_major"));
        assertContains(message, "built for plugin ABI " + std::to_string(kAbiMajor + 1) + ".");
        assertContains(message, "this vicary has ABI " + std::to_string(kAbiMajor) + ".");
    }

    void refusesNewerAbiMinor()
    {
        const std::string message = refusal(fixture("fixture_newer_minor"));
        assertContains(message, fixture("fixture_newer_minor"));
        assertContains(message, "newer than this vicary's ABI");
    }

    void refusesOtherBuildSignature()
    {
        const std::string message = refusal(fixture("fixture_bad_signature"));
        assertContains(message, fixture("fixture_bad_signature"));
        assertContains(message, "'vicary-abi-1:othercc-99:otherlib:ptr8'");
        assertContains(message, std::string("'") + VICARY_BUILD_SIGNATURE + "'");
    }

    void refusesInvalidName()
    {
        const std::string message = refusal(fixture("fixture_bad_name"));
        assertContains(message, "plugin name 'Bad Name' is not valid");
    }

    void refusesFileThatIsNotALibrary()
    {
        test::TempDir dir;
        const std::string file = dir.write("notes.so", "this is not an ELF file\n");
        const std::string message = refusal(file);
        assertContains(message, "plugin " + file + ": cannot load: ");
        assertContains(message, "notes.so");  // dlerror() names the file and the reason
    }

    void refusesMissingFile()
    {
        const std::string message = refusal("/nonexistent/vicary/missing.so");
        assertContains(message, "plugin /nonexistent/vicary/missing.so: cannot load");
    }

    void libraryOutlivesTheLoaderObject()
    {
        std::shared_ptr<const void> keep;
        const PluginDescriptor* descriptor = nullptr;
        {
            PluginLibrary library = PluginLibrary::load(fixture("fixture_good"));
            keep = library.keepAlive();
            descriptor = &library.descriptor();
        }
        // Still mapped: reading the descriptor would crash (and ASan report) if the library had been unloaded.
        CPPUNIT_ASSERT_EQUAL(std::string("fixture"), std::string(descriptor->name));
    }

    void validatesPluginNames()
    {
        CPPUNIT_ASSERT(isValidPluginName("dockerhub"));
        CPPUNIT_ASSERT(isValidPluginName("ecr-public_2"));
        CPPUNIT_ASSERT(!isValidPluginName(""));
        CPPUNIT_ASSERT(!isValidPluginName("-lead"));
        CPPUNIT_ASSERT(!isValidPluginName("Upper"));
        CPPUNIT_ASSERT(!isValidPluginName("dot.ted"));
        CPPUNIT_ASSERT(!isValidPluginName(std::string(64, 'a')));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(PluginLibraryTest, "plugin");

}  // namespace vicary::plugin
