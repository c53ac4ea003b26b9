// Helpers for the config tests: a private temp directory per test, and checks on ConfigError messages.
#pragma once

#include <initializer_list>
#include <string>

#include "config/SettingsLoader.h"

namespace vicary::config::test {

/// A fresh directory under /tmp (mkdtemp), removed with everything in it on destruction.
class TempDirectory {
public:
    TempDirectory();
    ~TempDirectory();
    TempDirectory(const TempDirectory&) = delete;
    TempDirectory& operator=(const TempDirectory&) = delete;

    const std::string& path() const noexcept { return path_; }

    /// Writes `contents` to `name` (relative to the directory; parent folders are created) and returns its path.
    std::string write(const std::string& name, const std::string& contents) const;

private:
    std::string path_;
};

/// The message of the ConfigError that loadSettings(file, env) throws; fails the test if it throws nothing.
std::string loadError(const std::string& file, const Environment& env = {});

/// Fails the test unless `message` contains every one of `parts`.
void assertContainsAll(const std::string& message, std::initializer_list<std::string> parts);

/// Fails the test if `message` contains `secret`.
void assertLacks(const std::string& message, const std::string& secret);

}  // namespace vicary::config::test
