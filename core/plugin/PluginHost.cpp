#include "plugin/PluginHost.h"

#include "BuildInfo.h"

namespace vicary::plugin {

PluginHost::PluginHost(const std::string& registryName) : logger_(Poco::Logger::get("registry." + registryName)) {}

void PluginHost::log(LogLevel level, const char* message) noexcept
{
    try {
        const std::string text = message != nullptr ? message : "";
        switch (level) {
        case LogLevel::Debug: logger_.debug(text); break;
        case LogLevel::Info: logger_.information(text); break;
        case LogLevel::Warning: logger_.warning(text); break;
        case LogLevel::Error: logger_.error(text); break;
        }
    } catch (...) {
        // A log line that cannot be written (out of memory, closed stderr) must not take the plugin down.
    }
}

const char* PluginHost::serverVersion() const noexcept
{
    return build::kVersion;
}

}  // namespace vicary::plugin
