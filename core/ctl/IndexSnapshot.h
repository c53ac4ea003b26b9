// A private copy of the index, for `purge --dry-run`: CacheIndex::selectForPurge removes tag rows as it selects, so a
// dry run selects on a copy and the real index is only read.
#pragma once

#include <string>

namespace vicary::ctl {

/// A consistent copy of the SQLite database at `source` in a temp file (SQLite's online backup, safe while the server
/// writes), removed when the snapshot goes. Throws std::runtime_error naming the file on failure.
class IndexSnapshot {
public:
    explicit IndexSnapshot(const std::string& source);
    ~IndexSnapshot();
    IndexSnapshot(const IndexSnapshot&) = delete;
    IndexSnapshot& operator=(const IndexSnapshot&) = delete;

    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

}  // namespace vicary::ctl
