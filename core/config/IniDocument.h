// The config file as inih reads it: sections, keys, values and the line each came from.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace vicary::config {

/// One `key = value` line.
struct IniEntry {
    std::string key;
    std::string value;  ///< trimmed, without an inline "; comment"
    int line = 0;       ///< 1-based
};

/// One `[section]` with its entries in file order.
struct IniSection {
    std::string name;
    int line = 0;  ///< line of the header
    std::vector<IniEntry> entries;

    /// The entry for `key`, or nullptr.
    const IniEntry* find(const std::string& key) const noexcept;
};

/// A file that is not well-formed INI. what() describes the problem without the file name, e.g.
/// "[server] port: duplicate key; it is first set on line 3"; line() is the line to report.
class IniSyntaxError : public std::runtime_error {
public:
    IniSyntaxError(int line, const std::string& message) : std::runtime_error(message), line_(line) {}
    int line() const noexcept { return line_; }

private:
    int line_;
};

/// A parsed INI file. Immutable once parsed.
class IniDocument {
public:
    /// inih's line buffer holds 200 bytes including the newline; longer lines would be split silently.
    static constexpr std::size_t maxLineLength = 199;

    /// Parses `text` with inih. Throws IniSyntaxError for the first of: a line longer than maxLineLength, a NUL byte,
    /// a section header without ']' or with text after it, a duplicate section, a key before any section, a line
    /// that is neither a comment, a header nor `key = value` (':' is not accepted as separator), an empty key, a
    /// duplicate key in a section, and an indented line after a key (inih reads it as a continuation of that key).
    static IniDocument parse(const std::string& text);

    /// The sections in file order, including those without keys.
    const std::vector<IniSection>& sections() const noexcept { return sections_; }

private:
    std::vector<IniSection> sections_;
};

}  // namespace vicary::config
