// The error type of plugin loading: its message names the .so and what is wrong with it.
#pragma once

#include <stdexcept>

namespace vicary::plugin {

/// Thrown when a plugin cannot be used; what() is a complete message for the operator that starts with
/// "plugin <path>: ".
class PluginError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace vicary::plugin
