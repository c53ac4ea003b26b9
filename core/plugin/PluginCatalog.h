// Every plugin in the plugins folder, by name.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "plugin/PluginLibrary.h"

namespace vicary::plugin {

/// The plugins this server knows, each name at most once. Built at start-up, read-only afterwards.
class PluginCatalog {
public:
    /// Loads every regular file ending in ".so" in `directory` (not recursive), in file name order. Throws
    /// PluginError naming the file on the first plugin that fails a check, and naming both files when two plugins
    /// have the same name; throws PluginError naming the folder when it does not exist or cannot be read.
    static PluginCatalog loadDirectory(const std::string& directory);

    /// Adds a loaded plugin; throws PluginError naming both files when its name is taken.
    void add(PluginLibrary library);

    /// The plugin called `name`, or nullptr.
    const PluginLibrary* find(const std::string& name) const noexcept;

    /// Plugin names in order, for messages.
    std::vector<std::string> names() const;

    std::size_t size() const noexcept { return plugins_.size(); }

private:
    std::map<std::string, PluginLibrary> plugins_;
};

}  // namespace vicary::plugin
