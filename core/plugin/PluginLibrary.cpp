#include "plugin/PluginLibrary.h"

#include <dlfcn.h>

#include <cstddef>
#include <cstring>
#include <sstream>

#include <boost/dll/shared_library.hpp>

#include "plugin/PluginError.h"

namespace vicary::plugin {
namespace {

/// Size of the descriptor as ABI 1.0 defined it: every field up to and including `destroy`.
constexpr std::size_t kDescriptorSizeV1_0 = offsetof(PluginDescriptor, destroy) + sizeof(PluginDescriptor::destroy);

[[noreturn]] void refuse(const std::string& file, const std::string& what)
{
    throw PluginError("plugin " + file + ": " + what);
}

std::string abiText(std::uint32_t major, std::uint32_t minor)
{
    return std::to_string(major) + "." + std::to_string(minor);
}

void checkDescriptor(const std::string& file, const PluginDescriptor* d)
{
    if (d == nullptr)
        refuse(file, "entry symbol " VICARY_PLUGIN_ENTRY_NAME " returned no descriptor");
    if (d->struct_size < kDescriptorSizeV1_0)
        refuse(file, "descriptor is " + std::to_string(d->struct_size) + " bytes, ABI " + abiText(d->abi_major, d->abi_minor) +
                         " needs at least " + std::to_string(kDescriptorSizeV1_0) + " bytes");
    if (d->abi_major != kAbiMajor)
        refuse(file, "built for plugin ABI " + abiText(d->abi_major, d->abi_minor) + ", this vicary has ABI " +
                         abiText(kAbiMajor, kAbiMinor) + " (the major version must be equal); rebuild the plugin "
                         "against this vicary's SDK");
    if (d->abi_minor > kAbiMinor)
        refuse(file, "built for plugin ABI " + abiText(d->abi_major, d->abi_minor) + ", newer than this vicary's ABI " +
                         abiText(kAbiMajor, kAbiMinor) + "; upgrade vicary or rebuild the plugin against its SDK");
    const char* signature = d->build_signature != nullptr ? d->build_signature : "";
    if (std::strcmp(signature, VICARY_BUILD_SIGNATURE) != 0)
        refuse(file, std::string("build signature '") + signature + "' differs from this vicary's '" +
                         VICARY_BUILD_SIGNATURE + "'; rebuild the plugin with the same compiler and standard library");
    const std::string name = d->name != nullptr ? d->name : "";
    if (!isValidPluginName(name))
        refuse(file, "plugin name '" + name + "' is not valid (lowercase letters, digits, '-' and '_', at most 63)");
    if (d->create == nullptr || d->destroy == nullptr)
        refuse(file, "descriptor of plugin '" + name + "' has no create or destroy function");
}

}  // namespace

bool isValidPluginName(const std::string& name) noexcept
{
    if (name.empty() || name.size() > 63)
        return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '-' && c != '_')))
            return false;
    }
    return true;
}

PluginLibrary::PluginLibrary(std::string path, std::shared_ptr<boost::dll::shared_library> library,
                             const PluginDescriptor* descriptor)
    : path_(std::move(path)), library_(std::move(library)), descriptor_(descriptor)
{
}

PluginLibrary PluginLibrary::load(const std::string& file)
{
    boost::dll::fs::error_code ec;
    auto library = std::make_shared<boost::dll::shared_library>(
        boost::dll::fs::path(file), boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
    if (ec || !library->is_loaded()) {
        // Boost.DLL reports every dlopen failure as "bad file descriptor"; dlerror() says what really went wrong.
        const char* reason = ::dlerror();
        refuse(file, "cannot load: " + std::string(reason != nullptr ? reason : ec.message().c_str()));
    }
    if (!library->has(VICARY_PLUGIN_ENTRY_NAME))
        refuse(file, "no symbol " VICARY_PLUGIN_ENTRY_NAME ": not a Vicary plugin, or built for another ABI major");
    auto& entry = library->get_alias<PluginEntryFunction>(VICARY_PLUGIN_ENTRY_NAME);
    const PluginDescriptor* descriptor = entry();
    checkDescriptor(file, descriptor);
    return PluginLibrary(file, std::move(library), descriptor);
}

}  // namespace vicary::plugin
