#include "index/Transaction.h"

#include <sqlite3.h>

#include "index/Statement.h"

namespace vicary::index {

Transaction::Transaction(sqlite3* db, const std::string& path, const std::string& operation, Mode mode)
    : db_(db), path_(path), operation_(operation)
{
    const char* begin = mode == Mode::Write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED";
    if (sqlite3_exec(db_, begin, nullptr, nullptr, nullptr) != SQLITE_OK) {
        throwIndexError(db_, path_, operation_ + ": begin transaction");
    }
    open_ = true;
}

Transaction::~Transaction()
{
    if (open_) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void Transaction::commit()
{
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        throwIndexError(db_, path_, operation_ + ": commit");
    }
    open_ = false;
}

}  // namespace vicary::index
