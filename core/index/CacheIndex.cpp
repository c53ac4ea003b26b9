#include "index/CacheIndex.h"

#include <sqlite3.h>

#include <limits>
#include <mutex>
#include <set>
#include <stdexcept>
#include <utility>

#include "index/Schema.h"
#include "index/Statement.h"
#include "index/Transaction.h"

namespace vicary::index {

namespace {

constexpr int kBusyTimeoutMs = 5000;

std::int64_t toMillis(TimePoint time)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

TimePoint fromMillis(std::int64_t millis)
{
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(millis)));
}

std::int64_t toInteger(std::uint64_t value)
{
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    return static_cast<std::int64_t>(value < kMax ? value : kMax);
}

std::uint64_t toUnsigned(std::int64_t value)
{
    return value > 0 ? static_cast<std::uint64_t>(value) : 0;
}

const char* kindName(ObjectKind kind)
{
    return kind == ObjectKind::Manifest ? "manifest" : "blob";
}

// One use of a cached statement: binds, steps, and resets it (releasing its locks and values) when it goes.
class Query {
public:
    Query(Statement& statement, const char* operation) : statement_(statement), operation_(operation) {}
    ~Query() { statement_.reset(); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    Query& bind(int index, const std::string& value)
    {
        statement_.bind(index, value);
        return *this;
    }
    Query& bind(int index, std::int64_t value)
    {
        statement_.bind(index, value);
        return *this;
    }
    Query& bindTime(int index, const std::optional<TimePoint>& time)
    {
        if (time) {
            statement_.bind(index, toMillis(*time));
        } else {
            statement_.bindNull(index);
        }
        return *this;
    }
    /// True with a row to read through row().
    bool next() { return statement_.step(operation_); }
    /// Runs a statement that returns no rows.
    void run()
    {
        while (next()) {
        }
    }
    const Statement& row() const { return statement_; }

private:
    Statement& statement_;
    const char* operation_;
};

// Columns: digest, size, kind, media_type, created, last_access, hits.
constexpr const char* kObjectColumns = "digest, size, kind, media_type, created, last_access, hits";

ObjectRecord readObject(const Statement& row)
{
    ObjectRecord object;
    object.digest = row.text(0);
    object.size = toUnsigned(row.integer(1));
    object.kind = row.text(2) == "manifest" ? ObjectKind::Manifest : ObjectKind::Blob;
    object.mediaType = row.text(3);
    object.created = fromMillis(row.integer(4));
    object.lastAccess = fromMillis(row.integer(5));
    object.hits = toUnsigned(row.integer(6));
    return object;
}

// Columns: registry, repository, tag, accept, digest, media_type, size, checked_at.
TagRow readTag(const Statement& row)
{
    TagRow tag;
    tag.registry = row.text(0);
    tag.repository = row.text(1);
    tag.tag = row.text(2);
    tag.accept = row.text(3);
    tag.digest = row.text(4);
    tag.mediaType = row.text(5);
    tag.size = toUnsigned(row.integer(6));
    tag.checkedAt = fromMillis(row.integer(7));
    return tag;
}

}  // namespace

struct CacheIndex::Impl {
    Impl(sqlite3* database, const std::string& databasePath) : db(database), path(databasePath) {}

    // The prepared statement for `sql`, prepared on first use and kept until the index closes.
    Statement& statement(const std::string& sql)
    {
        auto found = statements.find(sql);
        if (found == statements.end()) {
            found = statements.emplace(sql, std::make_unique<Statement>(db, path, sql)).first;
        }
        return *found->second;
    }

    Query query(const std::string& sql, const char* operation) { return Query(statement(sql), operation); }

    sqlite3* db;
    const std::string& path;
    std::mutex mutex;  // serialises every use of db and statements
    std::map<std::string, std::unique_ptr<Statement>> statements;
};

CacheIndex::CacheIndex(const std::string& path) : path_(path)
{
    constexpr int kFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path_.c_str(), &db_, kFlags, nullptr) != SQLITE_OK) {
        const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw IndexError(path_ + ": open: " + message);
    }
    try {
        sqlite3_extended_result_codes(db_, 1);
        if (sqlite3_busy_timeout(db_, kBusyTimeoutMs) != SQLITE_OK) {
            throwIndexError(db_, path_, "set busy timeout");
        }
        const std::pair<const char*, const char*> pragmas[] = {
            {"PRAGMA journal_mode = WAL", "set WAL journal mode"},
            {"PRAGMA synchronous = NORMAL", "set synchronous mode"},
            {"PRAGMA foreign_keys = ON", "enable foreign keys"},
        };
        for (const auto& [sql, operation] : pragmas) {
            if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
                throwIndexError(db_, path_, operation);
            }
        }
        migrateSchema(db_, path_, kSchemaVersion);
        impl_ = std::make_unique<Impl>(db_, path_);
    } catch (...) {
        sqlite3_close(db_);
        throw;
    }
}

CacheIndex::~CacheIndex()
{
    impl_.reset();  // finalises the statements first
    sqlite3_close(db_);
}

int CacheIndex::schemaVersion() const
{
    std::lock_guard lock(impl_->mutex);
    return readSchemaVersion(db_, path_);
}

// ---- objects

void CacheIndex::putObject(const ObjectRecord& object)
{
    std::lock_guard lock(impl_->mutex);
    impl_
        ->query("INSERT INTO objects (digest, size, kind, media_type, created, last_access, hits)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                " ON CONFLICT (digest) DO UPDATE SET size = excluded.size, kind = excluded.kind,"
                " media_type = excluded.media_type, last_access = max(last_access, excluded.last_access)",
                "putObject")
        .bind(1, object.digest)
        .bind(2, toInteger(object.size))
        .bind(3, std::string(kindName(object.kind)))
        .bind(4, object.mediaType)
        .bind(5, toMillis(object.created))
        .bind(6, toMillis(object.lastAccess))
        .bind(7, toInteger(object.hits))
        .run();
}

std::optional<ObjectRecord> CacheIndex::findObject(const std::string& digest) const
{
    std::lock_guard lock(impl_->mutex);
    Query query = impl_->query(std::string("SELECT ") + kObjectColumns + " FROM objects WHERE digest = ?1",
                               "findObject");
    query.bind(1, digest);
    if (!query.next()) {
        return std::nullopt;
    }
    return readObject(query.row());
}

void CacheIndex::addSource(const std::string& digest, const std::string& registry, const std::string& repository)
{
    std::lock_guard lock(impl_->mutex);
    impl_
        ->query("INSERT INTO object_sources (digest, registry, repository) VALUES (?1, ?2, ?3)"
                " ON CONFLICT DO NOTHING",
                "addSource")
        .bind(1, digest)
        .bind(2, registry)
        .bind(3, repository)
        .run();
}

void CacheIndex::recordAccesses(const std::map<std::string, std::pair<TimePoint, std::uint64_t>>& accesses)
{
    if (accesses.empty()) {
        return;
    }
    std::lock_guard lock(impl_->mutex);
    Transaction transaction(db_, path_, "recordAccesses", Transaction::Mode::Write);
    for (const auto& [digest, access] : accesses) {
        impl_
            ->query("UPDATE objects SET last_access = max(last_access, ?2), hits = hits + ?3 WHERE digest = ?1",
                    "recordAccesses")
            .bind(1, digest)
            .bind(2, toMillis(access.first))
            .bind(3, toInteger(access.second))
            .run();
    }
    transaction.commit();
}

bool CacheIndex::removeObject(const std::string& digest)
{
    std::lock_guard lock(impl_->mutex);
    Transaction transaction(db_, path_, "removeObject", Transaction::Mode::Write);
    impl_->query("DELETE FROM tags WHERE digest = ?1", "removeObject: tags").bind(1, digest).run();
    impl_->query("DELETE FROM object_sources WHERE digest = ?1", "removeObject: sources").bind(1, digest).run();
    impl_->query("DELETE FROM objects WHERE digest = ?1", "removeObject").bind(1, digest).run();
    const bool existed = sqlite3_changes(db_) > 0;
    transaction.commit();
    return existed;
}

std::vector<ObjectRecord> CacheIndex::leastRecentlyUsed(std::size_t limit) const
{
    std::lock_guard lock(impl_->mutex);
    Query query = impl_->query(std::string("SELECT ") + kObjectColumns +
                                   " FROM objects ORDER BY last_access, created, digest LIMIT ?1",
                               "leastRecentlyUsed");
    query.bind(1, toInteger(limit));
    std::vector<ObjectRecord> objects;
    while (query.next()) {
        objects.push_back(readObject(query.row()));
    }
    return objects;
}

std::vector<std::pair<std::string, std::uint64_t>> CacheIndex::allObjects() const
{
    std::lock_guard lock(impl_->mutex);
    Query query = impl_->query("SELECT digest, size FROM objects ORDER BY digest", "allObjects");
    std::vector<std::pair<std::string, std::uint64_t>> objects;
    while (query.next()) {
        objects.emplace_back(query.row().text(0), toUnsigned(query.row().integer(1)));
    }
    return objects;
}

// ---- tags

void CacheIndex::putTag(const TagRow& tag)
{
    std::lock_guard lock(impl_->mutex);
    impl_
        ->query("INSERT INTO tags (registry, repository, tag, accept, digest, media_type, size, checked_at)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                " ON CONFLICT (registry, repository, tag, accept) DO UPDATE SET digest = excluded.digest,"
                " media_type = excluded.media_type, size = excluded.size, checked_at = excluded.checked_at",
                "putTag")
        .bind(1, tag.registry)
        .bind(2, tag.repository)
        .bind(3, tag.tag)
        .bind(4, tag.accept)
        .bind(5, tag.digest)
        .bind(6, tag.mediaType)
        .bind(7, toInteger(tag.size))
        .bind(8, toMillis(tag.checkedAt))
        .run();
}

std::optional<TagRow> CacheIndex::findTag(const std::string& registry, const std::string& repository,
                                          const std::string& tag, const std::string& accept) const
{
    std::lock_guard lock(impl_->mutex);
    Query query = impl_->query("SELECT registry, repository, tag, accept, digest, media_type, size, checked_at"
                               " FROM tags WHERE registry = ?1 AND repository = ?2 AND tag = ?3 AND accept = ?4",
                               "findTag");
    query.bind(1, registry).bind(2, repository).bind(3, tag).bind(4, accept);
    if (!query.next()) {
        return std::nullopt;
    }
    return readTag(query.row());
}

void CacheIndex::removeTag(const std::string& registry, const std::string& repository, const std::string& tag,
                           const std::string& accept)
{
    std::lock_guard lock(impl_->mutex);
    impl_
        ->query("DELETE FROM tags WHERE registry = ?1 AND repository = ?2 AND tag = ?3 AND accept = ?4",
                "removeTag")
        .bind(1, registry)
        .bind(2, repository)
        .bind(3, tag)
        .bind(4, accept)
        .run();
}

std::vector<TagRow> CacheIndex::listTags(const std::string& registry, const std::string& repository) const
{
    std::lock_guard lock(impl_->mutex);
    Query query = impl_->query("SELECT registry, repository, tag, accept, digest, media_type, size, checked_at"
                               " FROM tags WHERE (?1 = '' OR registry = ?1) AND (?2 = '' OR repository = ?2)"
                               " ORDER BY registry, repository, tag, accept",
                               "listTags");
    query.bind(1, registry).bind(2, repository);
    std::vector<TagRow> tags;
    while (query.next()) {
        tags.push_back(readTag(query.row()));
    }
    return tags;
}

// ---- administration

IndexStats CacheIndex::stats() const
{
    std::lock_guard lock(impl_->mutex);
    Transaction transaction(db_, path_, "stats", Transaction::Mode::Read);
    IndexStats stats;
    {
        Query query = impl_->query("SELECT count(*), coalesce(sum(size), 0), coalesce(sum(kind = 'manifest'), 0),"
                                   " coalesce(sum(hits), 0) FROM objects",
                                   "stats: objects");
        if (query.next()) {
            stats.objects = toUnsigned(query.row().integer(0));
            stats.bytes = toUnsigned(query.row().integer(1));
            stats.manifests = toUnsigned(query.row().integer(2));
            stats.hits = toUnsigned(query.row().integer(3));
        }
    }
    {
        Query query = impl_->query("SELECT count(*) FROM tags", "stats: tags");
        if (query.next()) {
            stats.tags = toUnsigned(query.row().integer(0));
        }
    }
    {
        // An object fetched for two repositories of one registry counts once for that registry.
        Query query = impl_->query("SELECT registry, count(*), sum(size), sum(hits) FROM"
                                   " (SELECT DISTINCT s.registry, o.digest, o.size, o.hits"
                                   "  FROM object_sources s JOIN objects o ON o.digest = s.digest)"
                                   " GROUP BY registry ORDER BY registry",
                                   "stats: registries");
        while (query.next()) {
            IndexStats::PerRegistry& registry = stats.registries[query.row().text(0)];
            registry.objects = toUnsigned(query.row().integer(1));
            registry.bytes = toUnsigned(query.row().integer(2));
            registry.hits = toUnsigned(query.row().integer(3));
        }
    }
    transaction.commit();
    return stats;
}

std::vector<std::string> CacheIndex::selectForPurge(const PurgeFilter& filter)
{
    if (!filter.tag.empty() && filter.repository.empty()) {
        throw std::invalid_argument("selectForPurge: a tag filter needs a repository (tag " + filter.tag + ")");
    }
    std::lock_guard lock(impl_->mutex);
    Transaction transaction(db_, path_, "selectForPurge", Transaction::Mode::Write);
    std::vector<std::string> digests;

    // ?1 registry, ?2 repository, ?3 tag, ?4 digest, ?5 not accessed since (NULL: any); '' matches everything.
    constexpr const char* kTagMatches =
        " WHERE (?1 = '' OR registry = ?1) AND (?2 = '' OR repository = ?2) AND (?3 = '' OR tag = ?3)"
        " AND (?4 = '' OR digest = ?4)"
        " AND (?5 IS NULL OR digest IN (SELECT digest FROM objects WHERE last_access < ?5))";
    const auto bindFilter = [&filter](Query& query) {
        query.bind(1, filter.registry)
            .bind(2, filter.repository)
            .bind(3, filter.tag)
            .bind(4, filter.digest)
            .bindTime(5, filter.notAccessedSince);
    };

    if (!filter.tag.empty()) {
        std::set<std::string> candidates;
        {
            Query query = impl_->query(std::string("SELECT DISTINCT digest FROM tags") + kTagMatches,
                                       "selectForPurge: tagged manifests");
            bindFilter(query);
            while (query.next()) {
                candidates.insert(query.row().text(0));
            }
        }
        {
            Query query = impl_->query(std::string("DELETE FROM tags") + kTagMatches, "selectForPurge: tags");
            bindFilter(query);
            query.run();
        }
        for (const std::string& digest : candidates) {
            Query query = impl_->query("SELECT 1 FROM objects WHERE digest = ?1"
                                       " AND NOT EXISTS (SELECT 1 FROM tags WHERE digest = ?1)",
                                       "selectForPurge: untagged manifest");
            query.bind(1, digest);
            if (query.next()) {
                digests.push_back(digest);
            }
        }
    } else {
        {
            Query query = impl_->query(
                "SELECT digest FROM objects o"
                " WHERE (?4 = '' OR o.digest = ?4) AND (?5 IS NULL OR o.last_access < ?5)"
                " AND ((?1 = '' AND ?2 = '') OR EXISTS (SELECT 1 FROM object_sources s WHERE s.digest = o.digest"
                "  AND (?1 = '' OR s.registry = ?1) AND (?2 = '' OR s.repository = ?2)))"
                " ORDER BY o.last_access, o.created, o.digest",
                "selectForPurge: objects");
            bindFilter(query);
            while (query.next()) {
                digests.push_back(query.row().text(0));
            }
        }
        Query query = impl_->query(std::string("DELETE FROM tags") + kTagMatches, "selectForPurge: tags");
        bindFilter(query);
        query.run();
    }
    transaction.commit();
    return digests;
}

std::vector<CacheIndex::RepositoryRow> CacheIndex::listRepositories(const std::string& registry) const
{
    std::lock_guard lock(impl_->mutex);
    Query query = impl_->query("SELECT s.registry, s.repository, count(*), sum(o.size), max(o.last_access)"
                               " FROM object_sources s JOIN objects o ON o.digest = s.digest"
                               " WHERE (?1 = '' OR s.registry = ?1)"
                               " GROUP BY s.registry, s.repository ORDER BY s.registry, s.repository",
                               "listRepositories");
    query.bind(1, registry);
    std::vector<RepositoryRow> rows;
    while (query.next()) {
        RepositoryRow row;
        row.registry = query.row().text(0);
        row.repository = query.row().text(1);
        row.objects = toUnsigned(query.row().integer(2));
        row.bytes = toUnsigned(query.row().integer(3));
        row.lastAccess = fromMillis(query.row().integer(4));
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace vicary::index
