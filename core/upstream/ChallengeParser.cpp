#include "upstream/ChallengeParser.h"

#include <cstddef>
#include <iterator>
#include <utility>

namespace vicary::upstream {

namespace {

/// RFC 9110 tchar.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

/// RFC 9110 token68 characters before the trailing '='s.
bool isToken68Char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '+' || c == '/';
}

bool isSpace(char c)
{
    return c == ' ' || c == '\t';
}

/// Inside a quoted string: HTAB, SP, visible ASCII and obs-text; no other control characters.
bool isQuotedChar(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return c == '\t' || (byte >= 0x20 && byte != 0x7F);
}

bool equalsIgnoreCase(const std::string& text, const char* lowerCase)
{
    std::size_t i = 0;
    for (; i < text.size() && lowerCase[i] != '\0'; ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != lowerCase[i])
            return false;
    }
    return i == text.size() && lowerCase[i] == '\0';
}

/// A cursor over one header value. Every method either advances or leaves the position unchanged and says so,
/// so the parse loop below ends after at most a few passes over each character.
class Cursor {
public:
    explicit Cursor(const std::string& text) : text_(text) {}

    bool atEnd() const { return pos_ >= text_.size(); }
    char peek() const { return text_[pos_]; }
    std::size_t position() const { return pos_; }
    void rewind(std::size_t position) { pos_ = position; }
    void skip() { ++pos_; }

    void skipSpace()
    {
        while (!atEnd() && isSpace(peek()))
            ++pos_;
    }

    /// Skips spaces and empty list elements (RFC 9110 section 5.6.1 lets a list have them).
    void skipSpaceAndCommas()
    {
        while (!atEnd() && (isSpace(peek()) || peek() == ','))
            ++pos_;
    }

    /// The token at the position (maybe empty), consumed.
    std::string token()
    {
        const std::size_t start = pos_;
        while (!atEnd() && isTokenChar(peek()))
            ++pos_;
        return text_.substr(start, pos_ - start);
    }

    /// True when a token68 starts here and is all that is left of this list element; consumes it only then.
    bool token68()
    {
        std::size_t end = pos_;
        while (end < text_.size() && isToken68Char(text_[end]))
            ++end;
        if (end == pos_)
            return false;
        while (end < text_.size() && text_[end] == '=')
            ++end;
        std::size_t after = end;
        while (after < text_.size() && isSpace(text_[after]))
            ++after;
        if (after < text_.size() && text_[after] != ',')
            return false;
        pos_ = after;
        return true;
    }

    /// A quoted string starting at the opening quote, unescaped and consumed; false when it is unterminated or
    /// holds a control character.
    bool quotedString(std::string& value)
    {
        ++pos_;  // the opening quote
        while (!atEnd()) {
            char c = peek();
            ++pos_;
            if (c == '"')
                return true;
            if (c == '\\') {
                if (atEnd())
                    return false;
                c = peek();
                ++pos_;
            }
            if (!isQuotedChar(c))
                return false;
            value += c;
        }
        return false;
    }

private:
    const std::string& text_;
    std::size_t pos_ = 0;
};

/// Keeps the parameters Vicary uses; the first occurrence of each wins.
void assign(AuthChallenge& challenge, bool bearer, const std::string& name, std::string value, bool seen[3])
{
    std::string* field = nullptr;
    int slot = -1;
    if (equalsIgnoreCase(name, "realm")) {
        field = &challenge.realm;
        slot = 0;
    } else if (bearer && equalsIgnoreCase(name, "service")) {
        field = &challenge.service;
        slot = 1;
    } else if (bearer && equalsIgnoreCase(name, "scope")) {
        field = &challenge.scope;
        slot = 2;
    }
    if (field == nullptr || seen[slot])
        return;
    seen[slot] = true;
    *field = std::move(value);
}

/// Parses the auth-params of `challenge` up to the end of the header or the start of the next challenge (left at
/// the cursor). False when a parameter is malformed.
bool parseParams(Cursor& cursor, AuthChallenge& challenge)
{
    const bool bearer = equalsIgnoreCase(challenge.scheme, "bearer");
    bool seen[3] = {false, false, false};
    bool first = true;
    while (true) {
        cursor.skipSpaceAndCommas();
        if (cursor.atEnd())
            return true;
        const std::size_t elementStart = cursor.position();
        const std::string name = cursor.token();
        if (name.empty())
            return first ? false : true;  // junk after a complete parameter ends the header, keeping this challenge
        cursor.skipSpace();
        if (cursor.atEnd() || cursor.peek() != '=') {
            if (first)
                return false;  // "scheme name junk": neither token68 nor a parameter
            cursor.rewind(elementStart);  // a new challenge's scheme
            return true;
        }
        cursor.skip();  // '='
        cursor.skipSpace();
        std::string value;
        if (cursor.atEnd())
            return false;
        if (cursor.peek() == '"') {
            if (!cursor.quotedString(value))
                return false;
        } else {
            value = cursor.token();
            if (value.empty())
                return false;
        }
        cursor.skipSpace();
        if (!cursor.atEnd() && cursor.peek() != ',')
            return false;
        assign(challenge, bearer, name, std::move(value), seen);
        first = false;
    }
}

}  // namespace

std::vector<AuthChallenge> parseChallenges(const std::string& header)
{
    std::vector<AuthChallenge> challenges;
    Cursor cursor(header);
    while (true) {
        cursor.skipSpaceAndCommas();
        if (cursor.atEnd())
            return challenges;
        AuthChallenge challenge;
        challenge.scheme = cursor.token();
        if (challenge.scheme.empty())
            return challenges;
        if (cursor.atEnd() || cursor.peek() == ',') {
            challenges.push_back(std::move(challenge));  // a scheme without parameters
            continue;
        }
        if (!isSpace(cursor.peek()))
            return challenges;  // "Bearer=..." or "Bearer\"...": not a challenge
        cursor.skipSpace();
        if (cursor.atEnd() || cursor.peek() == ',') {
            challenges.push_back(std::move(challenge));
            continue;
        }
        if (cursor.token68()) {
            challenges.push_back(std::move(challenge));
            continue;
        }
        const std::size_t before = cursor.position();
        const bool complete = parseParams(cursor, challenge);
        if (!complete)
            return challenges;
        challenges.push_back(std::move(challenge));
        if (!cursor.atEnd() && cursor.position() == before)
            return challenges;  // nothing consumed and not at the end: junk; stop rather than loop
        if (!cursor.atEnd() && !isTokenChar(cursor.peek()))
            return challenges;
    }
}

std::vector<AuthChallenge> parseChallenges(const std::vector<std::string>& headers)
{
    std::vector<AuthChallenge> challenges;
    for (const std::string& header : headers) {
        std::vector<AuthChallenge> more = parseChallenges(header);
        challenges.insert(challenges.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    }
    return challenges;
}

}  // namespace vicary::upstream
