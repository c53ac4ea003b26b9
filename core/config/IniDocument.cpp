#include "config/IniDocument.h"

#include <ini.h>

#include <cctype>
#include <cstring>
#include <map>

#if INI_HANDLER_LINENO || !INI_ALLOW_MULTILINE || !INI_ALLOW_INLINE_COMMENTS || INI_MAX_LINE != 200
#error "IniDocument mirrors inih built with multi-line values, inline comments, 200-byte lines and no line numbers"
#endif

namespace vicary::config {
namespace {

/// What inih's handler reported for one line.
struct HandlerCall {
    std::string name;
    std::string value;
};

/// inih's stream: the text, handed out one line at a time so that each handler call can be tied to its line.
struct Reading {
    const std::string* text = nullptr;
    std::size_t position = 0;
    int nextLine = 1;
    int currentLine = 0;
    std::map<int, HandlerCall> calls;
};

char* readLine(char* buffer, int size, void* stream)
{
    auto* reading = static_cast<Reading*>(stream);
    const std::string& text = *reading->text;
    if (reading->position >= text.size() || size < 2)
        return nullptr;
    reading->currentLine = reading->nextLine;
    int length = 0;
    while (length + 1 < size && reading->position < text.size()) {
        const char c = text[reading->position++];
        buffer[length++] = c;
        if (c == '\n') {
            ++reading->nextLine;
            break;
        }
    }
    buffer[length] = '\0';
    return buffer;
}

int onValue(void* user, const char* /*section*/, const char* name, const char* value)
{
    auto* reading = static_cast<Reading*>(user);
    reading->calls.emplace(reading->currentLine, HandlerCall{name, value});
    return 1;
}

bool isSpace(char c)
{
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string trimmed(const std::string& text)
{
    std::size_t start = 0;
    std::size_t end = text.size();
    while (start < end && isSpace(text[start]))
        ++start;
    while (end > start && isSpace(text[end - 1]))
        --end;
    return text.substr(start, end - start);
}

/// inih's find_chars_or_comment: the first of `chars`, or of an inline ';' comment after whitespace.
std::size_t findCharsOrComment(const std::string& text, std::size_t from, const char* chars)
{
    bool wasSpace = false;
    for (std::size_t i = from; i < text.size(); ++i) {
        if (std::strchr(chars, text[i]) != nullptr || (wasSpace && text[i] == ';'))
            return i;
        wasSpace = isSpace(text[i]);
    }
    return text.size();
}

std::vector<std::string> splitLines(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        lines.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        start = end == std::string::npos ? text.size() : end + 1;
    }
    if (!lines.empty() && lines[0].compare(0, 3, "\xEF\xBB\xBF") == 0)
        lines[0].erase(0, 3);
    return lines;
}

void checkLengths(const std::vector<std::string>& lines)
{
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const int number = static_cast<int>(i + 1);
        std::size_t length = lines[i].size();
        if (length > 0 && lines[i].back() == '\r')
            --length;
        if (length > IniDocument::maxLineLength)
            throw IniSyntaxError(number, "line is " + std::to_string(length) + " characters long; the limit is " +
                                             std::to_string(IniDocument::maxLineLength));
        if (lines[i].find('\0') != std::string::npos)
            throw IniSyntaxError(number, "line contains a NUL byte");
    }
}

std::string sectionPrefix(const IniSection* section)
{
    return section == nullptr ? std::string() : "[" + section->name + "] ";
}

}  // namespace

const IniEntry* IniSection::find(const std::string& key) const noexcept
{
    for (const auto& entry : entries) {
        if (entry.key == key)
            return &entry;
    }
    return nullptr;
}

IniDocument IniDocument::parse(const std::string& text)
{
    const std::vector<std::string> lines = splitLines(text);
    checkLengths(lines);
    Reading reading;
    reading.text = &text;
    ini_parse_stream(readLine, &reading, onValue, &reading);

    IniDocument document;
    IniSection* section = nullptr;
    std::string previousKey;  // inih's prev_name: continuation lines extend it
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const int number = static_cast<int>(i + 1);
        const std::string start = trimmed(lines[i]);
        const bool indented = !start.empty() && isSpace(lines[i][0]);
        const auto call = reading.calls.find(number);
        if (start.empty() || start[0] == ';' || start[0] == '#')
            continue;
        if (!previousKey.empty() && indented)
            throw IniSyntaxError(number, "line " + std::to_string(number) +
                                             " is indented and is read as a continuation of '" + previousKey +
                                             "'; remove the indentation");
        if (start[0] == '[') {
            const auto close = findCharsOrComment(start, 1, "]");
            if (close == start.size() || start[close] != ']')
                throw IniSyntaxError(number, "section header has no closing ']'");
            const std::string after = trimmed(start.substr(close + 1));
            if (!after.empty() && after[0] != ';' && after[0] != '#')
                throw IniSyntaxError(number, "unexpected text after the section header '" + start.substr(0, close + 1) +
                                                 "'");
            const std::string name = start.substr(1, close - 1);
            for (const auto& earlier : document.sections_) {
                if (earlier.name == name)
                    throw IniSyntaxError(number, "[" + name + "]: duplicate section; it first appears on line " +
                                                     std::to_string(earlier.line));
            }
            section = &document.sections_.emplace_back(IniSection{name, number, {}});
            previousKey.clear();
            continue;
        }
        if (call == reading.calls.end())
            throw IniSyntaxError(number, sectionPrefix(section) +
                                             "line is not 'key = value', a [section] header or a comment");
        const std::string& key = call->second.name;
        if (key.empty())
            throw IniSyntaxError(number, sectionPrefix(section) + "line has no key before '='");
        if (start[start.find_first_of("=:")] == ':')
            throw IniSyntaxError(number, sectionPrefix(section) + key + ": use '=' between key and value, not ':'");
        if (section == nullptr)
            throw IniSyntaxError(number, "key '" + key + "' comes before any [section] header");
        if (const IniEntry* earlier = section->find(key))
            throw IniSyntaxError(number, sectionPrefix(section) + key + ": duplicate key; it is first set on line " +
                                             std::to_string(earlier->line));
        section->entries.push_back(IniEntry{key, call->second.value, number});
        previousKey = key;
    }
    return document;
}

}  // namespace vicary::config
