#include "ctl/CacheDirectory.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "config/SettingsLoader.h"

namespace vicary::ctl {

namespace {

bool isDirectory(const std::string& path)
{
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

}  // namespace

std::string locateCacheDirectory(const CtlOptions& options)
{
    if (!options.cacheDirectory.empty()) {
        return options.cacheDirectory;
    }
    return config::loadSettings(options.configFile, config::processEnvironment()).cache.directory;
}

void requireCacheDirectory(const std::string& directory)
{
    struct stat info {};
    if (::stat(directory.c_str(), &info) != 0) {
        throw std::runtime_error("cache directory " + directory + ": " + std::strerror(errno));
    }
    if (!S_ISDIR(info.st_mode)) {
        throw std::runtime_error("cache directory " + directory + ": not a directory");
    }
    const std::string indexFile = directory + "/index.db";
    if (::stat(indexFile.c_str(), &info) == 0 && S_ISREG(info.st_mode)) {
        return;
    }
    if (isDirectory(directory + "/blobs")) {
        throw std::runtime_error(directory + " has blobs/ but no index.db: start vicary on it once to build the index");
    }
    throw std::runtime_error(directory + " is not a Vicary cache directory (no index.db)");
}

}  // namespace vicary::ctl
