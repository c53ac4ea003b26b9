// One plugin shared library, loaded and checked against this core's ABI.
#pragma once

#include <memory>
#include <string>

#include <vicary/abi.h>

namespace boost::dll {
class shared_library;
}

namespace vicary::plugin {

/// A loaded plugin .so whose descriptor passed every check. Copies share the library, which stays loaded as long as
/// any copy (or any instance created from it) exists.
class PluginLibrary {
public:
    /// Loads `file` with RTLD_NOW | RTLD_LOCAL and checks, in order: the entry symbol is present, the descriptor's
    /// struct size covers its ABI, the ABI major equals this core's and the minor is not newer, the build signature
    /// equals this core's, the name is a valid plugin name and create/destroy are set. Throws PluginError naming
    /// `file` and both values on the first failed check.
    static PluginLibrary load(const std::string& file);

    const std::string& path() const noexcept { return path_; }
    const PluginDescriptor& descriptor() const noexcept { return *descriptor_; }
    const char* name() const noexcept { return descriptor_->name; }
    /// Shares ownership of the loaded library, for whoever must keep it loaded (an instance's deleter).
    std::shared_ptr<const void> keepAlive() const { return library_; }

private:
    PluginLibrary(std::string path, std::shared_ptr<boost::dll::shared_library> library,
                  const PluginDescriptor* descriptor);

    std::string path_;
    std::shared_ptr<boost::dll::shared_library> library_;
    const PluginDescriptor* descriptor_;
};

/// True when `name` can name a plugin or a registry: [a-z0-9][a-z0-9_-]{0,62}.
bool isValidPluginName(const std::string& name) noexcept;

}  // namespace vicary::plugin
