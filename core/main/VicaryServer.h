// The vicary daemon: options, configuration, and its subsystems started and stopped in order.
#pragma once

#include <string>
#include <vector>

#include <Poco/Util/ServerApplication.h>

#include "config/Settings.h"

namespace vicary {

/// `vicary [--config FILE] [--check | --resolve HOST] [--help] [--version]`. Runs in the foreground until SIGTERM or SIGINT.
/// initialize() does nothing that can fail; main() loads the config and plugins (a bad one ends start-up with
/// EXIT_CONFIG and a message naming the file, section, key or .so), starts serving, waits, and stops in reverse order.
class VicaryServer final : public Poco::Util::ServerApplication {
protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& args) override;

private:
    int serve();
    int resolve(const config::UpstreamSettings& upstream, const std::string& host) const;
    void printHelp() const;

    std::string configFile_;
    bool helpRequested_ = false;
    bool versionRequested_ = false;
    bool checkOnly_ = false;
    std::string resolveHost_;
};

}  // namespace vicary
