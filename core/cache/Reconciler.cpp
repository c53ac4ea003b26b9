#include "cache/Reconciler.h"

#include <sys/stat.h>

#include <chrono>
#include <map>

namespace vicary::cache {

ReconcileReport reconcile(index::CacheIndex& index, storage::BlobStore& store)
{
    ReconcileReport report;
    std::map<std::string, std::uint64_t> rows;
    for (const auto& [digest, size] : index.allObjects())
        rows.emplace(digest, size);

    std::map<std::string, storage::BlobStore::Entry> files;
    store.forEachStored([&](const storage::BlobStore::Entry& entry) {
        files.emplace(entry.algorithm + ":" + entry.hex, entry);
    });

    for (const auto& [digest, size] : rows) {
        auto file = files.find(digest);
        if (file != files.end() && file->second.size == size) {
            ++report.kept;
            files.erase(file);
            continue;
        }
        index.removeObject(digest);
        ++report.droppedRows;
        if (file != files.end()) {
            store.remove(file->second.algorithm, file->second.hex);
            ++report.removedFiles;
            files.erase(file);
        }
    }
    for (const auto& [digest, entry] : files) {
        if (!store.verify(entry.algorithm, entry.hex)) {
            store.remove(entry.algorithm, entry.hex);
            ++report.removedFiles;
            continue;
        }
        struct stat info {};
        auto when = std::chrono::system_clock::now();
        if (::stat(entry.path.c_str(), &info) == 0)
            when = std::chrono::system_clock::time_point(std::chrono::seconds(info.st_mtime));
        index.putObject(index::ObjectRecord{digest, entry.size, index::ObjectKind::Blob, "", when, when, 0});
        ++report.adopted;
    }
    return report;
}

}  // namespace vicary::cache
