#include "index/Statement.h"

#include <sqlite3.h>

#include "index/CacheIndex.h"

namespace vicary::index {

namespace {

// SQLITE_TRANSIENT without its C-style cast: SQLite copies the value before bind returns.
const sqlite3_destructor_type kCopyValue = reinterpret_cast<sqlite3_destructor_type>(-1);

}  // namespace

void throwIndexError(sqlite3* db, const std::string& path, const std::string& operation)
{
    throw IndexError(path + ": " + operation + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

Statement::Statement(sqlite3* db, const std::string& path, const std::string& sql) : db_(db), path_(path), sql_(sql)
{
    if (sqlite3_prepare_v2(db_, sql_.c_str(), static_cast<int>(sql_.size() + 1), &statement_, nullptr) != SQLITE_OK) {
        sqlite3_finalize(statement_);
        throwIndexError(db_, path_, "prepare " + sql_);
    }
}

Statement::~Statement()
{
    sqlite3_finalize(statement_);
}

void Statement::bind(int index, const std::string& value)
{
    if (sqlite3_bind_text64(statement_, index, value.data(), value.size(), kCopyValue, SQLITE_UTF8) != SQLITE_OK) {
        throwIndexError(db_, path_, "bind " + sql_);
    }
}

void Statement::bind(int index, std::int64_t value)
{
    if (sqlite3_bind_int64(statement_, index, static_cast<sqlite3_int64>(value)) != SQLITE_OK) {
        throwIndexError(db_, path_, "bind " + sql_);
    }
}

void Statement::bindNull(int index)
{
    if (sqlite3_bind_null(statement_, index) != SQLITE_OK) {
        throwIndexError(db_, path_, "bind " + sql_);
    }
}

bool Statement::step(const char* operation)
{
    switch (sqlite3_step(statement_)) {
    case SQLITE_ROW:
        return true;
    case SQLITE_DONE:
        return false;
    default:
        throwIndexError(db_, path_, operation);
    }
}

void Statement::reset() noexcept
{
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::integer(int column) const
{
    return static_cast<std::int64_t>(sqlite3_column_int64(statement_, column));
}

std::string Statement::text(int column) const
{
    const auto* data = sqlite3_column_text(statement_, column);
    const int size = sqlite3_column_bytes(statement_, column);
    return data != nullptr ? std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size))
                           : std::string();
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

}  // namespace vicary::index
