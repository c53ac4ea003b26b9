// The HostServices the core lends one registry instance: logging under the registry's name.
#pragma once

#include <string>

#include <Poco/Logger.h>

#include <vicary/HostServices.h>

namespace vicary::plugin {

/// HostServices for the instance of one [registry.<name>] section. Logs to the "registry.<name>" logger, so every
/// line a plugin writes names its registry. Thread-safe.
class PluginHost final : public HostServices {
public:
    explicit PluginHost(const std::string& registryName);

    void log(LogLevel level, const char* message) noexcept override;
    const char* serverVersion() const noexcept override;

private:
    Poco::Logger& logger_;
};

}  // namespace vicary::plugin
