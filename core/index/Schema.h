// The index schema and its migrations, versioned by PRAGMA user_version.
#pragma once

#include <string>

struct sqlite3;

namespace vicary::index {

/// The schema version recorded in the database (0 for a new one). Throws IndexError.
int readSchemaVersion(sqlite3* db, const std::string& path);

/// Applies, in one write transaction, the migration steps from the database's version up to `targetVersion`
/// (CacheIndex::kSchemaVersion), then records that version. Safe against another process migrating at the same time
/// (the version is read again inside the transaction). Throws IndexError naming `path` and both versions when the
/// database is newer than `targetVersion`, and IndexError for any database error (nothing is then changed).
void migrateSchema(sqlite3* db, const std::string& path, int targetVersion);

}  // namespace vicary::index
