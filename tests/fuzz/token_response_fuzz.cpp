// Token realm answers (upstream/TokenCache.h, parseTokenResponse): any body, JSON or not. Beyond not crashing or
// throwing: a token is never empty, its lifetime is within the documented bounds, `error` is set exactly on failure,
// and the message never repeats the body.
#include <chrono>
#include <optional>
#include <string>

#include "FuzzTarget.h"
#include "upstream/TokenCache.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using vicary::upstream::TokenCache;
    using vicary::upstream::TokenResponse;

    const std::string body(vicary::fuzz::textOf(data, size));
    std::string error = "left over from an earlier call";
    const std::optional<TokenResponse> response = vicary::upstream::parseTokenResponse(body, error);
    if (response) {
        VICARY_FUZZ_CHECK(error.empty());
        VICARY_FUZZ_CHECK(!response->token.empty());
        VICARY_FUZZ_CHECK(response->expiresIn.count() >= 1 &&
                          response->expiresIn <= TokenCache::kMaxLifetime);
    } else {
        VICARY_FUZZ_CHECK(!error.empty());
        // The messages are short fixed sentences: a longer body, or a token in it, never shows through.
        if (body.size() > 64)
            VICARY_FUZZ_CHECK(error.find(body) == std::string::npos);
    }

    std::string again;
    const std::optional<TokenResponse> second = vicary::upstream::parseTokenResponse(body, again);
    VICARY_FUZZ_CHECK(second.has_value() == response.has_value() && again == error);
    if (second)
        VICARY_FUZZ_CHECK(second->token == response->token && second->expiresIn == response->expiresIn);
    return 0;
}
