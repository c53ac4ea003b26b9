// An SQLite transaction that rolls back unless committed.
#pragma once

#include <string>

struct sqlite3;

namespace vicary::index {

/// Begins a transaction on `db` (which must outlive it); the destructor rolls back unless commit() succeeded.
/// A write transaction starts with BEGIN IMMEDIATE so that it waits on the busy timeout for other writers up front
/// instead of failing when a read lock must be upgraded. Throws IndexError naming `path` and `operation`.
class Transaction {
public:
    enum class Mode { Read, Write };

    Transaction(sqlite3* db, const std::string& path, const std::string& operation, Mode mode);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    void commit();

private:
    sqlite3* db_;
    std::string path_;
    std::string operation_;
    bool open_ = false;
};

}  // namespace vicary::index
