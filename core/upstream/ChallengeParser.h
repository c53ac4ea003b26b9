// Parsing WWW-Authenticate headers (RFC 9110 section 11.6.1) into the challenges a registry sends.
#pragma once

#include <string>
#include <vector>

#include <vicary/Types.h>

namespace vicary::upstream {

/// The challenges in one WWW-Authenticate header value, in the order sent.
/// Syntax: `scheme [ token68 | auth-param *( "," auth-param ) ]`, several challenges separated by commas; parameter
/// values are tokens or quoted strings with backslash escapes; scheme and parameter names are case-insensitive;
/// spaces and tabs are allowed around '=' and ','. Every challenge is returned with its scheme as sent and its
/// `realm`; `service` and `scope` are filled for Bearer only. Unknown parameters and token68 data are ignored; when
/// a parameter name occurs twice in one challenge, the first value counts.
/// Never throws and runs in linear time. On malformed input it returns the challenges completed before the error:
/// a challenge whose parameter is broken (unterminated quote, missing value, junk after a value, control
/// characters) is dropped, together with everything after it. Safe to call concurrently.
std::vector<AuthChallenge> parseChallenges(const std::string& header);

/// The challenges in all WWW-Authenticate header values of one response, in order: parseChallenges() on each value,
/// concatenated (a malformed value loses only its own tail). Never throws; safe to call concurrently.
std::vector<AuthChallenge> parseChallenges(const std::vector<std::string>& headers);

}  // namespace vicary::upstream
