// The four commands of vicaryctl, one source file each; each returns the process exit status.
#pragma once

#include <ostream>
#include <string>

#include "ctl/CtlOptions.h"
#include "ctl/StoredFiles.h"
#include "index/CacheIndex.h"

namespace vicary::ctl {

/// What a command works with: the options, the open index of the cache and its files, where to print.
struct CommandContext {
    const CtlOptions& options;
    std::string cacheDirectory;
    index::CacheIndex& index;
    const StoredFiles& files;
    std::ostream& out;
    std::ostream& err;
};

/// Totals and per-registry figures. Returns 0.
int runStats(const CommandContext& context);
/// Repositories (of options.registry when given) and, with --tags, tags. Returns 0.
int runList(const CommandContext& context);
/// Removes what options.purge selects (or only prints it with --dry-run). Returns 0, or 1 when a file could not be
/// removed.
int runPurge(const CommandContext& context);
/// Re-hashes every object and reconciles rows with files. Returns 1 when anything was wrong, 0 otherwise.
int runVerify(const CommandContext& context);

}  // namespace vicary::ctl
