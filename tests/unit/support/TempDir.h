// A fresh directory under the system temp folder for one test, removed with everything in it at the end.
#pragma once

#include <string>

namespace vicary::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const noexcept { return path_; }
    /// path()/name.
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    /// Writes `content` to path()/name (creating parent folders) and returns that path.
    std::string write(const std::string& name, const std::string& content) const;

private:
    std::string path_;
};

}  // namespace vicary::test
