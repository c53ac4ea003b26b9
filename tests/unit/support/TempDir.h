// A fresh directory under the system temp folder for one test, removed with everything in it at the end.
#pragma once

#include <filesystem>
#include <string>

namespace vicary::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }
    /// path()/name as a string.
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    /// Writes `content` to path()/name and returns that path.
    std::string write(const std::string& name, const std::string& content) const;

private:
    std::filesystem::path path_;
};

}  // namespace vicary::test
