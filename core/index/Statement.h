// A prepared SQLite statement: bind by position, step, read columns; errors name the database and the operation.
#pragma once

#include <cstdint>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace vicary::index {

/// Throws IndexError "<path>: <operation>: <SQLite's message for db>".
[[noreturn]] void throwIndexError(sqlite3* db, const std::string& path, const std::string& operation);

/// Owns one sqlite3_stmt of connection `db`, which must outlive it. Not thread-safe: the owner serialises use.
class Statement {
public:
    /// Prepares `sql` (a single statement). Throws IndexError "<path>: prepare <sql>: <message>".
    Statement(sqlite3* db, const std::string& path, const std::string& sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    /// Bind parameter `index` (1-based); values are copied. Throw IndexError naming `sql`.
    void bind(int index, const std::string& value);
    void bind(int index, std::int64_t value);
    void bindNull(int index);

    /// Runs to the next row: true with a row to read, false when done. Throws IndexError naming `operation`.
    bool step(const char* operation);
    /// Makes the statement ready for another use and drops the bound values; never throws.
    void reset() noexcept;

    /// Columns of the current row (0-based).
    std::int64_t integer(int column) const;
    std::string text(int column) const;
    bool isNull(int column) const;

private:
    sqlite3* db_;
    std::string path_;
    std::string sql_;
    sqlite3_stmt* statement_ = nullptr;
};

}  // namespace vicary::index
