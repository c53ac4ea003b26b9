#include "http/RequestHead.h"

#include <array>
#include <cstring>

namespace vicary::http {
namespace {

/// Longest line before the whole head is refused: a request line with the longest method and target, a field line
/// with the longest name and value and room for the spaces around the value.
constexpr std::size_t kRequestLine = HeadLimits::kMethod + HeadLimits::kTarget + 16;
constexpr std::size_t kFieldLine = HeadLimits::kName + HeadLimits::kValue + 64;

/// RFC 9110 5.6.2: tchar, as a table (every byte of every field name goes through it).
constexpr std::array<bool, 256> kTokenChars = [] {
    std::array<bool, 256> table{};
    for (int c = '0'; c <= '9'; ++c)
        table[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        table[static_cast<std::size_t>(c)] = table[static_cast<std::size_t>(c - 'a' + 'A')] = true;
    for (const char c : std::string_view("!#$%&'*+-.^_`|~"))
        table[static_cast<unsigned char>(c)] = true;
    return table;
}();

bool isTokenChar(unsigned char c)
{
    return kTokenChars[c];
}

bool isToken(std::string_view text)
{
    if (text.empty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(static_cast<unsigned char>(c)))
            return false;
    }
    return true;
}

/// A target: visible ASCII or bytes over 0x7f (left to the router to judge), no spaces or control characters.
bool isTargetText(std::string_view text)
{
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f)
            return false;
    }
    return true;
}

/// A field value: visible characters, spaces, tabs and obs-text; no other control characters.
bool isValueText(std::string_view text)
{
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f)
            return false;
    }
    return true;
}

bool isVersion(std::string_view text)
{
    return text.size() == 8 && text.compare(0, 5, "HTTP/") == 0 && text[5] >= '0' && text[5] <= '9' &&
           text[6] == '.' && text[7] >= '0' && text[7] <= '9';
}

std::string_view trimSpaces(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

HeadError fail(int status, std::string message)
{
    return HeadError{status, std::move(message)};
}

/// The quoted start of `text` for a message: at most 64 bytes, control characters as '?'.
std::string quoted(std::string_view text)
{
    std::string out = "'";
    for (const char c : text.substr(0, 64))
        out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    return out + (text.size() > 64 ? "...'" : "'");
}

}  // namespace

HeadScanner::State HeadScanner::refuse(int status, std::string message)
{
    error_ = HeadError{status, std::move(message)};
    return State::Refused;
}

bool HeadScanner::requestLineBytesFit(const char* data, std::size_t until)
{
    for (std::size_t i = pos_; i < until; ++i) {
        const auto c = static_cast<unsigned char>(data[i]);
        if (c == ' ') {
            if (++part_ > 2)
                return false;
            continue;
        }
        switch (part_) {
        case 0:
            if (!isTokenChar(c))
                return false;
            break;
        case 1:
            if (c < 0x20 || c == 0x7f)
                return false;
            break;
        default:
            if (std::strchr("HTP/0123456789.\r", c) == nullptr || c == '\0')
                return false;
        }
    }
    return true;
}

HeadScanner::State HeadScanner::scan(const char* data, std::size_t size)
{
    if (!error_.message.empty())
        return State::Refused;
    if (!started_) {
        while (pos_ < size && (data[pos_] == '\r' || data[pos_] == '\n'))
            ++pos_;
        if (pos_ > HeadLimits::kLeadingEmpty)
            return refuse(400, "more than " + std::to_string(HeadLimits::kLeadingEmpty) +
                                   " bytes of empty lines before the request line");
        if (pos_ == size)
            return State::NeedMore;
        started_ = true;
        begin_ = lineStart_ = pos_;
    }
    while (pos_ < size) {
        const auto* newline = static_cast<const char*>(std::memchr(data + pos_, '\n', size - pos_));
        const std::size_t at = newline != nullptr ? static_cast<std::size_t>(newline - data) : size;
        const std::size_t length = at - lineStart_;
        const bool requestLine = lines_ == 0;
        if (requestLine && !requestLineBytesFit(data, at))
            return refuse(400, "malformed request line: not HTTP/1.x, or a control character in it");
        if (length > (requestLine ? kRequestLine : kFieldLine)) {
            if (requestLine)
                return refuse(414, "request line longer than " + std::to_string(kRequestLine) + " bytes");
            return refuse(431, "header field line longer than " + std::to_string(kFieldLine) + " bytes");
        }
        if (newline == nullptr) {
            pos_ = size;
            return State::NeedMore;
        }
        pos_ = at + 1;
        if (!requestLine && (length == 0 || (length == 1 && data[lineStart_] == '\r'))) {
            end_ = pos_;
            return State::Complete;
        }
        if (++lines_ > 1 + HeadLimits::kFields)
            return refuse(431, "more than " + std::to_string(HeadLimits::kFields) + " header fields");
        lineStart_ = pos_;
    }
    return State::NeedMore;
}

HeadError parseRequestHead(std::string_view text, RequestHead& head)
{
    head.fields.clear();
    // Lines without their CRLF or LF; the head ends with an empty one.
    auto nextLine = [&text](std::string_view& line) -> bool {
        const std::size_t newline = text.find('\n');
        if (newline == std::string_view::npos)
            return false;
        line = text.substr(0, newline);
        text.remove_prefix(newline + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        return line.find('\r') == std::string_view::npos;
    };
    std::string_view line;
    if (!nextLine(line))
        return fail(400, "malformed request line: a CR not followed by LF, or no line end");

    const std::size_t firstSpace = line.find(' ');
    const std::size_t secondSpace = firstSpace == std::string_view::npos ? firstSpace : line.find(' ', firstSpace + 1);
    if (secondSpace == std::string_view::npos)
        return fail(400, "malformed request line " + quoted(line) + ": expected 'METHOD target HTTP/1.1'");
    head.method = line.substr(0, firstSpace);
    head.target = line.substr(firstSpace + 1, secondSpace - firstSpace - 1);
    head.version = line.substr(secondSpace + 1);
    if (!isToken(head.method) || head.method.size() > HeadLimits::kMethod)
        return fail(400, "malformed request method " + quoted(head.method));
    if (head.target.size() > HeadLimits::kTarget)
        return fail(414, "request target longer than " + std::to_string(HeadLimits::kTarget) + " bytes");
    if (head.target.empty() || !isTargetText(head.target))
        return fail(400, "malformed request target " + quoted(head.target) + ": empty, or a space or control character");
    if (!isVersion(head.version))
        return fail(400, "malformed HTTP version " + quoted(head.version) + ": expected HTTP/1.1 or HTTP/1.0");

    for (;;) {
        if (!nextLine(line))
            return fail(400, "malformed header field: a CR not followed by LF, or no blank line after the fields");
        if (line.empty())
            break;
        if (line.front() == ' ' || line.front() == '\t')
            return fail(400, "obsolete line folding in the header fields is not accepted");
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos)
            return fail(400, "malformed header field " + quoted(line) + ": no ':'");
        const std::string_view name = line.substr(0, colon);
        if (name.size() > HeadLimits::kName)
            return fail(431, "header field name longer than " + std::to_string(HeadLimits::kName) + " bytes");
        if (!isToken(name))
            return fail(400, "malformed header field name " + quoted(name));
        const std::string_view value = trimSpaces(line.substr(colon + 1));
        if (value.size() > HeadLimits::kValue)
            return fail(431, "header field " + std::string(name) + " longer than " +
                                 std::to_string(HeadLimits::kValue) + " bytes");
        if (!isValueText(value))
            return fail(400, "header field " + std::string(name) + " holds a control character");
        if (head.fields.size() == HeadLimits::kFields)
            return fail(431, "more than " + std::to_string(HeadLimits::kFields) + " header fields");
        head.fields.push_back({name, value});
    }
    if (!text.empty())
        return fail(400, "bytes after the blank line that ends the head");  // the caller passes one head only
    return {};
}

}  // namespace vicary::http
