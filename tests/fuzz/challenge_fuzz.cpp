// WWW-Authenticate parsing (upstream/ChallengeParser.h). Input: header values separated by '\n', as the several
// WWW-Authenticate lines of one response. Beyond not crashing or hanging: schemes are tokens, only Bearer gets service
// and scope, values hold no control characters but tab, and parsing the values together equals parsing each alone.
#include <string>
#include <vector>

#include "FuzzTarget.h"
#include "upstream/ChallengeParser.h"

namespace {

using vicary::AuthChallenge;

/// RFC 9110 tchar.
bool isTokenChar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string("!#$%&'*+-.^_`|~").find(c) != std::string::npos;
}

bool isBearer(const std::string& scheme)
{
    if (scheme.size() != 6)
        return false;
    const std::string lower = "bearer";
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        const char c = scheme[i] >= 'A' && scheme[i] <= 'Z' ? static_cast<char>(scheme[i] - 'A' + 'a') : scheme[i];
        if (c != lower[i])
            return false;
    }
    return true;
}

/// A parameter value: a token or an unescaped quoted string, so tab, visible ASCII and obs-text only.
bool isCleanValue(const std::string& value)
{
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if (!(c == '\t' || (byte >= 0x20 && byte != 0x7F)))
            return false;
    }
    return true;
}

bool same(const AuthChallenge& a, const AuthChallenge& b)
{
    return a.scheme == b.scheme && a.realm == b.realm && a.service == b.service && a.scope == b.scope;
}

std::vector<AuthChallenge> checkedParse(const std::string& header)
{
    const std::vector<AuthChallenge> challenges = vicary::upstream::parseChallenges(header);
    VICARY_FUZZ_CHECK(challenges.size() <= header.size());
    for (const AuthChallenge& challenge : challenges) {
        VICARY_FUZZ_CHECK(!challenge.scheme.empty());
        for (const char c : challenge.scheme)
            VICARY_FUZZ_CHECK(isTokenChar(c));
        VICARY_FUZZ_CHECK(header.find(challenge.scheme) != std::string::npos);
        if (!isBearer(challenge.scheme))
            VICARY_FUZZ_CHECK(challenge.service.empty() && challenge.scope.empty());
        VICARY_FUZZ_CHECK(isCleanValue(challenge.realm) && isCleanValue(challenge.service) &&
                          isCleanValue(challenge.scope));
        VICARY_FUZZ_CHECK(challenge.realm.size() < header.size());
    }
    return challenges;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string input(vicary::fuzz::textOf(data, size));
    std::vector<std::string> headers;
    std::vector<AuthChallenge> oneByOne;
    std::size_t start = 0;
    while (true) {
        const std::size_t newline = input.find('\n', start);
        headers.push_back(input.substr(start, newline == std::string::npos ? std::string::npos : newline - start));
        const std::vector<AuthChallenge> more = checkedParse(headers.back());
        oneByOne.insert(oneByOne.end(), more.begin(), more.end());
        if (newline == std::string::npos)
            break;
        start = newline + 1;
    }
    const std::vector<AuthChallenge> together = vicary::upstream::parseChallenges(headers);
    VICARY_FUZZ_CHECK(together.size() == oneByOne.size());
    for (std::size_t i = 0; i < together.size(); ++i)
        VICARY_FUZZ_CHECK(same(together[i], oneByOne[i]));
    return 0;
}
