// Credentials given as base64 "user:password", the form of the "auth" field in Docker's config.json.
#pragma once

#include <string>

#include <vicary/Types.h>

#include "config/ValueError.h"

namespace vicary::config {

/// Decodes `base64` (standard alphabet, padded; whitespace ignored) into "user:password", split at the first ':'.
/// Trailing newlines of the decoded text are dropped (as `echo user:pw | base64` adds one). Throws ValueError if the
/// value is not base64, has no ':', or the user or password is empty; the message never contains the value or any
/// part of the decoded text.
Credentials decodeBase64Credentials(const std::string& base64);

}  // namespace vicary::config
