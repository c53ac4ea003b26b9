#include "config/ValueParsers.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <utility>

#include <Poco/String.h>

namespace vicary::config {
namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

/// Splits "123rest" into its leading digits and the rest.
std::pair<std::string, std::string> splitDigits(const std::string& value)
{
    std::size_t end = 0;
    while (end < value.size() && isDigit(value[end]))
        ++end;
    return {value.substr(0, end), value.substr(end)};
}

/// Converts a non-empty run of digits; false if it does not fit in 64 bits.
bool toUint64(const std::string& digits, std::uint64_t& out)
{
    out = 0;
    for (char c : digits) {
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (out > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
            return false;
        out = out * 10 + digit;
    }
    return true;
}

bool multiplyFits(std::uint64_t a, std::uint64_t b, std::uint64_t limit, std::uint64_t& out)
{
    if (b != 0 && a > limit / b)
        return false;
    out = a * b;
    return true;
}

const char* const kSizeSyntax =
    "a whole number of bytes with an optional unit B, K/KB, M/MB, G/GB, T/TB (x1000) or KiB, MiB, GiB, TiB (x1024)";

std::uint64_t sizeUnit(const std::string& unit, bool& known)
{
    static const std::pair<const char*, std::uint64_t> units[] = {
        {"", 1},
        {"b", 1},
        {"k", 1000ull},
        {"kb", 1000ull},
        {"kib", 1024ull},
        {"m", 1000ull * 1000},
        {"mb", 1000ull * 1000},
        {"mib", 1024ull * 1024},
        {"g", 1000ull * 1000 * 1000},
        {"gb", 1000ull * 1000 * 1000},
        {"gib", 1024ull * 1024 * 1024},
        {"t", 1000ull * 1000 * 1000 * 1000},
        {"tb", 1000ull * 1000 * 1000 * 1000},
        {"tib", 1024ull * 1024 * 1024 * 1024},
    };
    const std::string wanted = Poco::toLower(unit);
    for (const auto& [name, factor] : units) {
        if (wanted == name) {
            known = true;
            return factor;
        }
    }
    known = false;
    return 0;
}

std::string trimLeadingBlanks(const std::string& text)
{
    std::size_t start = 0;
    while (start < text.size() && (text[start] == ' ' || text[start] == '\t'))
        ++start;
    return text.substr(start);
}

}  // namespace

std::uint64_t parseNumber(const std::string& value, std::uint64_t min, std::uint64_t max)
{
    const auto [digits, rest] = splitDigits(value);
    std::uint64_t number = 0;
    if (digits.empty() || !rest.empty() || !toUint64(digits, number) || number < min || number > max)
        throw ValueError(quoted(value) + " is not a whole number from " + std::to_string(min) + " to " +
                         std::to_string(max));
    return number;
}

std::uint16_t parsePort(const std::string& value)
{
    const auto [digits, rest] = splitDigits(value);
    std::uint64_t number = 0;
    if (digits.empty() || !rest.empty() || !toUint64(digits, number) || number > 65535)
        throw ValueError(quoted(value) + " is not a port number (0-65535)");
    return static_cast<std::uint16_t>(number);
}

std::chrono::seconds parseDuration(const std::string& value)
{
    const auto [digits, unit] = splitDigits(value);
    std::uint64_t factor = 0;
    if (unit.empty() || unit == "s")
        factor = 1;
    else if (unit == "m")
        factor = 60;
    else if (unit == "h")
        factor = 3600;
    else if (unit == "d")
        factor = 86400;
    std::uint64_t number = 0;
    if (digits.empty() || factor == 0 || !toUint64(digits, number))
        throw ValueError(quoted(value) +
                         " is not a duration (a whole number with an optional unit s, m, h or d: 90, 30s, 5m, 2h, 1d)");
    const auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::chrono::seconds::rep>::max());
    std::uint64_t seconds = 0;
    if (!multiplyFits(number, factor, limit, seconds))
        throw ValueError(quoted(value) + " is too long a duration");
    return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(seconds));
}

std::chrono::seconds parseDurationAtLeast(const std::string& value, std::chrono::seconds minimum)
{
    const auto duration = parseDuration(value);
    if (duration < minimum)
        throw ValueError(quoted(value) + " is too short; the minimum is " + std::to_string(minimum.count()) + "s");
    return duration;
}

std::uint64_t parseSize(const std::string& value)
{
    if (!value.empty() && value[0] == '-')
        throw ValueError(quoted(value) + " is negative; a size is " + kSizeSyntax);
    const auto [digits, rest] = splitDigits(value);
    if (!digits.empty() && !rest.empty() && (rest[0] == '.' || rest[0] == ','))
        throw ValueError(quoted(value) + " has a fraction; use a whole number of a smaller unit, e.g. 1536MiB");
    bool known = false;
    const std::uint64_t factor = sizeUnit(trimLeadingBlanks(rest), known);
    std::uint64_t number = 0;
    if (digits.empty() || !known)
        throw ValueError(quoted(value) + " is not a size (" + kSizeSyntax + ")");
    std::uint64_t bytes = 0;
    if (!toUint64(digits, number) || !multiplyFits(number, factor, std::numeric_limits<std::uint64_t>::max(), bytes))
        throw ValueError(quoted(value) + " is too large a size");
    return bytes;
}

SizeLimit parseSizeLimit(const std::string& value)
{
    if (value.empty() || value.back() != '%')
        return SizeLimit{SizeLimit::Kind::Bytes, parseSize(value), 0};
    std::string number = value.substr(0, value.size() - 1);
    while (!number.empty() && (number.back() == ' ' || number.back() == '\t'))
        number.pop_back();
    const auto [whole, rest] = splitDigits(number);
    const bool fractionOk = rest.empty() || (rest.size() > 1 && rest[0] == '.' &&
                                             std::all_of(rest.begin() + 1, rest.end(), isDigit));
    const double percent = whole.empty() || !fractionOk ? -1 : std::strtod(number.c_str(), nullptr);
    if (!(percent > 0 && percent <= 100))
        throw ValueError(quoted(value) + " is not a percentage above 0% and at most 100%");
    return SizeLimit{SizeLimit::Kind::Percent, 0, percent};
}

bool parseBool(const std::string& value)
{
    const std::string word = Poco::toLower(value);
    if (word == "true" || word == "yes" || word == "on" || word == "1")
        return true;
    if (word == "false" || word == "no" || word == "off" || word == "0")
        return false;
    throw ValueError(quoted(value) + " is not a boolean (true/false, yes/no, on/off, 1/0)");
}

std::string parseScheme(const std::string& value)
{
    if (value == "http" || value == "https")
        return value;
    throw ValueError(quoted(value) + " is not a scheme (http or https)");
}

std::string parseCongestionControl(const std::string& value)
{
    // TCP_CA_NAME_MAX is 16 with the terminating NUL.
    const bool wellFormed = !value.empty() && value.size() <= 15 &&
                            value.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
    if (!wellFormed)
        throw ValueError(quoted(value) + " is not auto, system or a TCP congestion control name (e.g. cubic, reno, bbr)");
    return value;
}

std::string parseLogLevel(const std::string& value)
{
    const std::string word = Poco::toLower(value);
    if (word == "info")
        return "information";
    for (const char* level : {"debug", "information", "notice", "warning", "error"}) {
        if (word == level)
            return word;
    }
    throw ValueError(quoted(value) + " is not a log level (debug, information, notice, warning, error)");
}

bool isValidName(const std::string& name)
{
    if (name.empty() || name.size() > 63)
        return false;
    const auto lowerOrDigit = [](char c) { return isDigit(c) || (c >= 'a' && c <= 'z'); };
    if (!lowerOrDigit(name[0]))
        return false;
    return std::all_of(name.begin(), name.end(),
                       [&](char c) { return lowerOrDigit(c) || c == '_' || c == '-'; });
}

std::string parseName(const std::string& value)
{
    if (!isValidName(value))
        throw ValueError(quoted(value) +
                         " is not a name (lowercase letters, digits, '_' and '-', starting with a letter or digit, "
                         "at most 63 characters)");
    return value;
}

std::string resolvePath(const std::string& value, const std::string& baseDirectory)
{
    if (value.empty())
        throw ValueError("no path given");
    std::filesystem::path path(value);
    if (path.is_relative())
        path = std::filesystem::path(baseDirectory) / path;
    std::string normal = path.lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/')
        normal.pop_back();
    return normal;
}

std::vector<std::string> parseUserList(const std::string& value)
{
    std::vector<std::string> users;
    std::string entry;
    const auto flush = [&] {
        if (entry.empty())
            return;
        for (const char c : entry) {
            if (c == ':' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                throw ValueError(config::quoted(entry) + " is not a user name (no ':' or control characters)");
        }
        if (std::find(users.begin(), users.end(), entry) != users.end())
            throw ValueError(config::quoted(entry) + " is listed twice");
        users.push_back(entry);
        entry.clear();
    };
    for (const char c : value) {
        if (c == ',' || c == ' ' || c == '\t')
            flush();
        else
            entry += c;
    }
    flush();
    return users;
}

}  // namespace vicary::config
