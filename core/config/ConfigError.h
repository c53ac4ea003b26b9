// The one error type of configuration: its message names the file (or environment variable), section and key.
#pragma once

#include <stdexcept>
#include <string>

namespace vicary::config {

/// Thrown when the configuration cannot be used. what() is a complete message for the operator, e.g.
/// "/etc/vicary/vicary.ini:12: [server] port: '70000' is not a port number (0-65535)".
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace vicary::config
