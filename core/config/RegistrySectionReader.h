// Reading one [registry.<name>] section: the keys every registry has, typed and cross-checked; the rest for the plugin.
#pragma once

#include <string>

#include "config/IniDocument.h"
#include "config/Settings.h"

namespace vicary::config {

/// The prefix of registry sections: "[registry.<name>]".
inline constexpr const char* kRegistrySectionPrefix = "registry.";

/// The keys RegistrySettings has fields for: plugin, upstream, aliases, username, password, password_file, ca_file,
/// plain_http, tag_ttl.
std::string registryKeyNames();

/// Reads `section` (named "registry.<name>") of `file`. Relative password_file and ca_file paths resolve against
/// `baseDirectory`; the password file is read now (trailing newlines stripped) and the CA file must be readable.
/// Keys other than the registry keys go to `extra` and `extraLines` unchecked. Throws ConfigError naming file, line,
/// section and key for a bad name, a bad value, a missing plugin, an http:// upstream without plain_http = true,
/// plain_http = true with an https:// upstream, password together with password_file, a username without a password
/// or the other way round, an unreadable file, and a key that differs from a registry key only in case. Messages
/// never contain a password.
RegistrySettings readRegistrySection(const IniSection& section, const std::string& file,
                                     const std::string& baseDirectory);

}  // namespace vicary::config
