// vicaryctl: the operator's command for a Vicary cache directory, safe to use while the server runs.
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <BuildInfo.h>

#include "config/ConfigError.h"
#include "ctl/CacheDirectory.h"
#include "ctl/Commands.h"
#include "ctl/CtlOptions.h"
#include "ctl/StoredFiles.h"
#include "index/CacheIndex.h"

namespace {

constexpr int kRuntimeError = 1;
constexpr int kUsageError = 2;

int run(const vicary::ctl::CtlOptions& options)
{
    using namespace vicary::ctl;
    const std::string directory = locateCacheDirectory(options);
    requireCacheDirectory(directory);
    vicary::index::CacheIndex index(directory + "/index.db");
    const StoredFiles files(directory);
    const CommandContext context{options, directory, index, files, std::cout, std::cerr};
    if (options.command == "stats") {
        return runStats(context);
    }
    if (options.command == "ls") {
        return runList(context);
    }
    if (options.command == "purge") {
        return runPurge(context);
    }
    return runVerify(context);
}

}  // namespace

int main(int argc, char** argv)
{
    std::signal(SIGPIPE, SIG_IGN);  // `vicaryctl ls | head` ends with a failed write, not a signal
    vicary::ctl::CtlOptions options;
    try {
        options = vicary::ctl::parseOptions(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const vicary::ctl::UsageError& error) {
        std::cerr << "vicaryctl: " << error.what() << "\nTry 'vicaryctl --help'.\n";
        return kUsageError;
    }
    if (options.help) {
        std::cout << vicary::ctl::usageText();
        return 0;
    }
    if (options.version) {
        std::cout << "vicaryctl " << vicary::build::kVersion << '\n';
        return 0;
    }
    try {
        const int status = run(options);
        std::cout.flush();
        return status;
    } catch (const vicary::config::ConfigError& error) {
        std::cerr << "vicaryctl: " << error.what() << " (give the cache with --cache DIR or --config FILE)\n";
        return kRuntimeError;
    } catch (const std::exception& error) {
        std::cout.flush();
        std::cerr << "vicaryctl: " << options.command << ": " << error.what() << '\n';
        return kRuntimeError;
    }
}
