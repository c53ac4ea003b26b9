// The keys of the fixed sections ([server], [cache], [plugins], [routing], [upstream], [log], [auth]) and how each is read.
#pragma once

#include <string>
#include <vector>

#include "config/Settings.h"

namespace vicary::config {

/// One key of a fixed section.
struct KeySpec {
    const char* key;
    bool emptyAllowed;  ///< false: an empty value is an error ("no value given")
    /// Parses `value` into `settings`, resolving a relative path against `baseDirectory`. Throws ValueError.
    void (*apply)(Settings& settings, const std::string& value, const std::string& baseDirectory);
};

/// The keys of the fixed section `section` in documentation order, or nullptr if it is not a fixed section.
const std::vector<KeySpec>* fixedSectionKeys(const std::string& section);

/// The key of `section` named `key`, or nullptr.
const KeySpec* findFixedKey(const std::string& section, const std::string& key);

/// "bind, port, ..." for the section's keys; "" for a section that is not fixed.
std::string fixedKeyNames(const std::string& section);

/// "[server], [cache], [plugins], [routing], [upstream], [log], [auth]".
std::string fixedSectionNames();

}  // namespace vicary::config
