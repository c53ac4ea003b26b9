#include "plugin/PluginCatalog.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "plugin/PluginError.h"

namespace vicary::plugin {

PluginCatalog PluginCatalog::loadDirectory(const std::string& directory)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(directory, ec))
        throw PluginError("plugins directory " + directory + ": " +
                          (ec ? ec.message() : std::string("does not exist or is not a directory")));
    std::vector<std::string> files;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".so" && it->is_regular_file())
            files.push_back(it->path().string());
    }
    if (ec)
        throw PluginError("plugins directory " + directory + ": cannot list: " + ec.message());
    std::sort(files.begin(), files.end());

    PluginCatalog catalog;
    for (const auto& file : files)
        catalog.add(PluginLibrary::load(file));
    return catalog;
}

void PluginCatalog::add(PluginLibrary library)
{
    const std::string name = library.name();
    if (const PluginLibrary* taken = find(name))
        throw PluginError("plugin " + library.path() + ": name '" + name + "' is already taken by plugin " +
                          taken->path());
    plugins_.emplace(name, std::move(library));
}

const PluginLibrary* PluginCatalog::find(const std::string& name) const noexcept
{
    auto it = plugins_.find(name);
    return it == plugins_.end() ? nullptr : &it->second;
}

std::vector<std::string> PluginCatalog::names() const
{
    std::vector<std::string> result;
    for (const auto& entry : plugins_)
        result.push_back(entry.first);
    return result;
}

}  // namespace vicary::plugin
