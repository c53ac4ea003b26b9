// Why a registry could not give us something, in terms a client error response can carry.
#pragma once

#include <string>

#include "http/OciError.h"

namespace vicary::cache {

/// An upstream failure as the client will see it: HTTP status, OCI code and a message that names the registry and
/// what went wrong (never a secret, never a signed URL's query).
struct UpstreamFailure {
    int status = 502;
    http::OciCode code = http::OciCode::Unavailable;
    std::string message;
    /// The upstream is fine but the cache cannot hold the object (larger than the cap, disk full): clients fetch it
    /// straight from the upstream instead of failing.
    bool passThrough = false;
    bool notFound() const noexcept { return status == 404; }
};

}  // namespace vicary::cache
