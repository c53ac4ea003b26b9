#include "ctl/IndexSnapshot.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace vicary::ctl {

namespace {

constexpr int kBusyTimeoutMs = 5000;

// An open database handle, closed when it goes.
struct Database {
    sqlite3* handle = nullptr;
    ~Database() { sqlite3_close(handle); }
};

[[noreturn]] void fail(const std::string& file, const std::string& operation, sqlite3* db)
{
    throw std::runtime_error(file + ": " + operation + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

void open(Database& database, const std::string& file, int flags)
{
    if (sqlite3_open_v2(file.c_str(), &database.handle, flags, nullptr) != SQLITE_OK) {
        fail(file, "open", database.handle);
    }
    sqlite3_busy_timeout(database.handle, kBusyTimeoutMs);
}

void removeDatabaseFiles(const std::string& path)
{
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        ::unlink((path + suffix).c_str());
    }
}

}  // namespace

IndexSnapshot::IndexSnapshot(const std::string& source)
{
    std::error_code ec;
    std::string folder = std::filesystem::temp_directory_path(ec).string();
    if (ec) {
        folder = "/tmp";
    }
    std::string pattern = folder + "/vicaryctl-index-XXXXXX";
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    const int fd = ::mkstemp(name.data());
    if (fd < 0) {
        throw std::runtime_error("cannot create a temp file in " + folder + ": " + std::strerror(errno));
    }
    ::close(fd);
    path_ = name.data();
    try {
        Database from;
        Database to;
        open(from, source, SQLITE_OPEN_READONLY);
        open(to, path_, SQLITE_OPEN_READWRITE);
        sqlite3_backup* backup = sqlite3_backup_init(to.handle, "main", from.handle, "main");
        if (backup == nullptr) {
            fail(path_, "copy " + source, to.handle);
        }
        int status = SQLITE_OK;
        for (int attempt = 0; attempt < 100; ++attempt) {
            status = sqlite3_backup_step(backup, -1);
            if (status != SQLITE_BUSY && status != SQLITE_LOCKED) {
                break;
            }
            sqlite3_sleep(50);
        }
        sqlite3_backup_finish(backup);
        if (status != SQLITE_DONE) {
            throw std::runtime_error(source + ": copy for a dry run: " + sqlite3_errstr(status));
        }
    } catch (...) {
        removeDatabaseFiles(path_);
        throw;
    }
}

IndexSnapshot::~IndexSnapshot() { removeDatabaseFiles(path_); }

}  // namespace vicary::ctl
