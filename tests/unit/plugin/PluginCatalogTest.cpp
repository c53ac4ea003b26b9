// Loading the plugins folder: every .so in it, each name once.
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>

#include "plugin/PluginCatalog.h"
#include "plugin/PluginError.h"
#include "support/TempDir.h"

namespace vicary::plugin {
namespace {

std::string builtPlugin(const std::string& name)
{
    return std::string(VICARY_TEST_PLUGIN_DIR) + "/" + name + ".so";
}

std::string fixture(const std::string& name)
{
    return std::string(VICARY_TEST_FIXTURE_DIR) + "/" + name + ".so";
}

std::string loadError(const std::string& dir)
{
    try {
        PluginCatalog::loadDirectory(dir);
    } catch (const PluginError& e) {
        return e.what();
    }
    CPPUNIT_FAIL("the plugins directory " + dir + " was accepted");
    return {};
}

}  // namespace

class PluginCatalogTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PluginCatalogTest);
    CPPUNIT_TEST(loadsTheFourBuiltInPlugins);
    CPPUNIT_TEST(ignoresFilesThatAreNotSharedObjects);
    CPPUNIT_TEST(refusesDuplicateNameNamingBothFiles);
    CPPUNIT_TEST(oneBrokenPluginStopsTheWholeLoad);
    CPPUNIT_TEST(refusesMissingDirectory);
    CPPUNIT_TEST_SUITE_END();

public:
    void loadsTheFourBuiltInPlugins()
    {
        PluginCatalog catalog = PluginCatalog::loadDirectory(VICARY_TEST_PLUGIN_DIR);
        for (const char* name : {"dockerhub", "quay", "gcr", "generic"})
            CPPUNIT_ASSERT_MESSAGE(name, catalog.find(name) != nullptr);
        CPPUNIT_ASSERT(catalog.find("nonexistent") == nullptr);
    }

    void ignoresFilesThatAreNotSharedObjects()
    {
        test::TempDir dir;
        std::filesystem::copy_file(builtPlugin("quay"), dir.file("quay.so"));
        dir.write("README.md", "notes");
        std::filesystem::create_directory(dir.file("sub.so"));
        PluginCatalog catalog = PluginCatalog::loadDirectory(dir.path());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), catalog.size());
        CPPUNIT_ASSERT(catalog.find("quay") != nullptr);
    }

    void refusesDuplicateNameNamingBothFiles()
    {
        test::TempDir dir;
        std::filesystem::copy_file(builtPlugin("dockerhub"), dir.file("a-dockerhub.so"));
        std::filesystem::copy_file(builtPlugin("dockerhub"), dir.file("b-dockerhub.so"));
        const std::string message = loadError(dir.path());
        CPPUNIT_ASSERT_EQUAL("plugin " + dir.file("b-dockerhub.so") + ": name 'dockerhub' is already taken by plugin " +
                                 dir.file("a-dockerhub.so"),
                             message);
    }

    void oneBrokenPluginStopsTheWholeLoad()
    {
        test::TempDir dir;
        std::filesystem::copy_file(builtPlugin("quay"), dir.file("quay.so"));
        std::filesystem::copy_file(fixture("fixture_bad_signature"), dir.file("zz-broken.so"));
        const std::string message = loadError(dir.path());
        CPPUNIT_ASSERT_MESSAGE(message, message.find("plugin " + dir.file("zz-broken.so") + ": build signature") == 0);
    }

    void refusesMissingDirectory()
    {
        const std::string message = loadError("/nonexistent/vicary-plugins");
        CPPUNIT_ASSERT_MESSAGE(message, message.find("plugins directory /nonexistent/vicary-plugins: ") == 0);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(PluginCatalogTest, "plugin");

}  // namespace vicary::plugin
