// Where log lines go and at what level.
#pragma once

#include <string>

namespace vicary {

/// Sends every logger's output to standard error, one line each: UTC time, level, source, text. Call once, before
/// anything logs; safe to call again to change the level.
void configureLogging(const std::string& level);

}  // namespace vicary
