#include "index/Schema.h"

#include <sqlite3.h>

#include <stdexcept>
#include <vector>

#include "index/CacheIndex.h"
#include "index/Statement.h"
#include "index/Transaction.h"

namespace vicary::index {

namespace {

// kMigrations[n] takes the schema from version n to n + 1. Append, never edit a released step.
const std::vector<std::vector<const char*>> kMigrations = {
    {
        "CREATE TABLE objects ("
        " digest TEXT PRIMARY KEY,"
        " size INTEGER NOT NULL,"
        " kind TEXT NOT NULL CHECK (kind IN ('blob', 'manifest')),"
        " media_type TEXT NOT NULL DEFAULT '',"
        " created INTEGER NOT NULL,"
        " last_access INTEGER NOT NULL,"
        " hits INTEGER NOT NULL DEFAULT 0)",
        "CREATE INDEX objects_lru ON objects (last_access, created)",
        "CREATE TABLE object_sources ("
        " digest TEXT NOT NULL REFERENCES objects (digest) ON DELETE CASCADE,"
        " registry TEXT NOT NULL,"
        " repository TEXT NOT NULL,"
        " PRIMARY KEY (digest, registry, repository))",
        "CREATE INDEX object_sources_repository ON object_sources (registry, repository)",
        "CREATE TABLE tags ("
        " registry TEXT NOT NULL,"
        " repository TEXT NOT NULL,"
        " tag TEXT NOT NULL,"
        " accept TEXT NOT NULL,"
        " digest TEXT NOT NULL,"
        " media_type TEXT NOT NULL DEFAULT '',"
        " size INTEGER NOT NULL,"
        " checked_at INTEGER NOT NULL,"
        " PRIMARY KEY (registry, repository, tag, accept))",
        "CREATE INDEX tags_digest ON tags (digest)",
    },
};

void execute(sqlite3* db, const std::string& path, const std::string& operation, const char* sql)
{
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        throwIndexError(db, path, operation);
    }
}

void refuseNewer(const std::string& path, int version, int targetVersion)
{
    if (version > targetVersion) {
        throw IndexError(path + ": open: the database has schema version " + std::to_string(version) +
                         ", newer than version " + std::to_string(targetVersion) +
                         " that this build supports; use a newer Vicary");
    }
}

}  // namespace

int readSchemaVersion(sqlite3* db, const std::string& path)
{
    Statement statement(db, path, "PRAGMA user_version");
    const bool row = statement.step("read schema version");
    return row ? static_cast<int>(statement.integer(0)) : 0;
}

void migrateSchema(sqlite3* db, const std::string& path, int targetVersion)
{
    if (targetVersion < 0 || static_cast<std::size_t>(targetVersion) > kMigrations.size()) {
        throw std::logic_error("index schema: no migration steps up to version " + std::to_string(targetVersion));
    }
    const int found = readSchemaVersion(db, path);
    refuseNewer(path, found, targetVersion);
    if (found == targetVersion) {
        return;
    }
    Transaction transaction(db, path, "migrate schema", Transaction::Mode::Write);
    const int version = readSchemaVersion(db, path);
    refuseNewer(path, version, targetVersion);
    for (int from = version; from < targetVersion; ++from) {
        const std::string operation =
            "migrate schema from version " + std::to_string(from) + " to " + std::to_string(from + 1);
        for (const char* step : kMigrations[static_cast<std::size_t>(from)]) {
            execute(db, path, operation, step);
        }
    }
    // PRAGMA takes no bound parameters; the value is this build's own constant.
    const std::string setVersion = "PRAGMA user_version = " + std::to_string(targetVersion);
    execute(db, path, "record schema version", setVersion.c_str());
    transaction.commit();
}

}  // namespace vicary::index
