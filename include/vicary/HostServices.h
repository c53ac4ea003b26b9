// What the core lends a plugin. Part of the Vicary plugin SDK.
#pragma once

#include <vicary/Types.h>

namespace vicary {

/// Services the core provides to plugin instances. The object outlives every instance created with it.
/// All methods may be called concurrently from any thread. Plugins never open sockets: network I/O is the core's.
class __attribute__((visibility("default"))) HostServices {
public:
    /// Writes one line to the server log, prefixed with the registry instance's name. Never throws.
    virtual void log(LogLevel level, const char* message) noexcept = 0;

    /// The running server's version, e.g. "0.1.0".
    virtual const char* serverVersion() const noexcept = 0;

protected:
    ~HostServices() = default;
};

}  // namespace vicary
