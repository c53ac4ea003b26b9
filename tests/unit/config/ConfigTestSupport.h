// Helpers for the config tests: a private temp directory per test, and checks on ConfigError messages.
#pragma once

#include <initializer_list>
#include <string>

#include <cppunit/extensions/HelperMacros.h>

#include "config/SettingsLoader.h"
#include "config/ValueError.h"
#include "support/TempDir.h"

namespace vicary::config::test {

/// A private temp directory per test (the one every unit test uses).
using TempDirectory = vicary::test::TempDir;

/// The message of the ConfigError that loadSettings(file, env) throws; fails the test if it throws nothing.
std::string loadError(const std::string& file, const Environment& env = {});

/// The ValueError message of `parse()`, or a failed test when it throws none.
template <typename F>
std::string errorOf(F parse)
{
    try {
        parse();
    } catch (const ValueError& error) {
        return error.what();
    }
    CPPUNIT_FAIL("expected a ValueError");
    return "";
}

/// Fails the test unless `message` contains every one of `parts`.
void assertContainsAll(const std::string& message, std::initializer_list<std::string> parts);

/// Fails the test if `message` contains `secret`.
void assertLacks(const std::string& message, const std::string& secret);

}  // namespace vicary::config::test
