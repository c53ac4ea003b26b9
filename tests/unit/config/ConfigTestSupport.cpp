#include "ConfigTestSupport.h"

#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace vicary::config::test {

TempDirectory::TempDirectory()
{
    std::string pattern = "/tmp/vicary-config-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDirectory::~TempDirectory()
{
    std::error_code ignored;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ignored);
    std::filesystem::remove_all(path_, ignored);
}

std::string TempDirectory::write(const std::string& name, const std::string& contents) const
{
    const std::filesystem::path file = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << contents;
    if (!out)
        throw std::runtime_error("cannot write " + file.string());
    return file.string();
}

std::string loadError(const std::string& file, const Environment& env)
{
    try {
        loadSettings(file, env);
    } catch (const ConfigError& error) {
        return error.what();
    }
    CPPUNIT_FAIL("loadSettings accepted " + file + " but was expected to throw ConfigError");
    return "";
}

void assertContainsAll(const std::string& message, std::initializer_list<std::string> parts)
{
    for (const auto& part : parts)
        CPPUNIT_ASSERT_MESSAGE("'" + part + "' missing from: " + message, message.find(part) != std::string::npos);
}

void assertLacks(const std::string& message, const std::string& secret)
{
    CPPUNIT_ASSERT_MESSAGE("secret '" + secret + "' leaked into: " + message, message.find(secret) == std::string::npos);
}

}  // namespace vicary::config::test
