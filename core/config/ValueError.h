// The error of a single value that does not parse; the loader turns it into a ConfigError with its location.
#pragma once

#include <stdexcept>
#include <string>

namespace vicary::config {

/// A value that is not acceptable. what() says what is wrong, quoting the value unless it is secret, e.g.
/// "'70000' is not a port number (0-65535)"; the caller prefixes file, line, section and key.
class ValueError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// `value` in single quotes, as messages quote values.
inline std::string quoted(const std::string& value)
{
    return "'" + value + "'";
}

}  // namespace vicary::config
