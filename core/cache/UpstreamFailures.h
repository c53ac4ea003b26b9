// Turning what an upstream did into what the client is told.
#pragma once

#include <string>

#include "cache/UpstreamFailure.h"
#include "upstream/RegistryClient.h"

namespace vicary::cache {

/// For an upstream that answered `status` (not 2xx) to a request for `what` ("manifest library/alpine:3.19"): 404
/// stays 404 with `notFoundCode`; 401 stays 401 UNAUTHORIZED, 403 stays 403 DENIED; 429 becomes 503 TOOMANYREQUESTS;
/// anything else 502 UNAVAILABLE. The message names the registry, what was asked and the upstream's status.
UpstreamFailure failureFromStatus(const std::string& registry, const std::string& what, int status,
                                  http::OciCode notFoundCode);

/// For a request that got no answer: 504 for a timeout, 502 otherwise, naming the registry and the reason.
UpstreamFailure failureFromError(const std::string& registry, const upstream::UpstreamError& error);

/// For credentials the upstream or its token server refused: 401 UNAUTHORIZED or 403 DENIED with its message.
UpstreamFailure failureFromAuth(const upstream::AuthError& error);

}  // namespace vicary::cache
