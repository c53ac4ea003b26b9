// Paths that follow from where the vicary binary is.
#pragma once

#include <string>

namespace vicary {

/// The plugin folder next to this binary: <binary dir>/<kPluginDirFromBinary>, the same layout in the build tree and
/// in an installation. Used when [plugins] directory is empty.
std::string defaultPluginDirectory();

}  // namespace vicary
