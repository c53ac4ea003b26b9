// A stand-in for libFuzzer's main in builds without it (gcc, VICARY_FUZZ=OFF): runs LLVMFuzzerTestOneInput once on
// every file named on the command line or found under a directory named there, in sorted order, so that the release
// and sanitizer test runs replay each corpus and every regression input. A path that does not exist is skipped with a
// note (a target may have no regressions yet); finding no input at all fails.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "FuzzTarget.h"

namespace {

namespace fs = std::filesystem;

/// Regular files at or under `path`, sorted; empty when there are none. Throws fs::filesystem_error on read errors.
std::vector<fs::path> inputsUnder(const fs::path& path)
{
    std::vector<fs::path> files;
    if (fs::is_regular_file(path)) {
        files.push_back(path);
    } else if (fs::is_directory(path)) {
        for (const auto& entry : fs::recursive_directory_iterator(path))
            if (entry.is_regular_file())
                files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

/// The bytes of `file`; false when it cannot be read.
bool readFile(const fs::path& file, std::vector<std::uint8_t>& bytes)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return false;
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " <file or directory>...\n";
        return 2;
    }
    std::size_t replayed = 0;
    for (int i = 1; i < argc; ++i) {
        const fs::path path(argv[i]);
        std::error_code error;
        if (!fs::exists(path, error)) {
            std::cout << "note: " << path.string() << " does not exist; nothing replayed from it\n";
            continue;
        }
        for (const fs::path& file : inputsUnder(path)) {
            std::vector<std::uint8_t> bytes;
            if (!readFile(file, bytes)) {
                std::cerr << "cannot read " << file.string() << "\n";
                return 1;
            }
            std::cout << "replaying " << file.string() << " (" << bytes.size() << " bytes)" << std::endl;
            LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
            ++replayed;
        }
    }
    if (replayed == 0) {
        std::cerr << "no input found under the paths given\n";
        return 1;
    }
    std::cout << replayed << " inputs replayed without a crash or broken invariant\n";
    return 0;
}
