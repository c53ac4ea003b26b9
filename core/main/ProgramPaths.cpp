#include "main/ProgramPaths.h"

#include <filesystem>

#include "BuildInfo.h"

namespace vicary {

std::string defaultPluginDirectory()
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path binary = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {};
    return (binary.parent_path() / build::kPluginDirFromBinary).lexically_normal().string();
}

}  // namespace vicary
