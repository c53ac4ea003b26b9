#include "cache/UpstreamFailures.h"

namespace vicary::cache {

UpstreamFailure failureFromStatus(const std::string& registry, const std::string& what, int status,
                                  http::OciCode notFoundCode)
{
    const std::string prefix = "registry " + registry + ": " + what + ": upstream answered " + std::to_string(status);
    if (status == 404)
        return {404, notFoundCode, prefix + " (not found)"};
    if (status == 429)
        return {503, http::OciCode::TooManyRequests, prefix + " (too many requests; rate limited)"};
    if (status == 401)
        return {401, http::OciCode::Unauthorized, prefix + " (authentication required)"};
    if (status == 403)
        return {403, http::OciCode::Denied, prefix + " (access denied)"};
    return {502, http::OciCode::Unavailable, prefix};
}

UpstreamFailure failureFromError(const std::string& registry, const upstream::UpstreamError& error)
{
    const int status = error.kind() == upstream::UpstreamError::Kind::Timeout ? 504 : 502;
    return {status, http::OciCode::Unavailable, "registry " + registry + ": " + error.what()};
}

}  // namespace vicary::cache

namespace vicary::cache {

UpstreamFailure failureFromAuth(const upstream::AuthError& error)
{
    return {error.status(), error.status() == 403 ? http::OciCode::Denied : http::OciCode::Unauthorized, error.what()};
}

}  // namespace vicary::cache
