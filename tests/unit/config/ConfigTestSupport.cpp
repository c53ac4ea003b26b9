#include "ConfigTestSupport.h"

#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace vicary::config::test {

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
