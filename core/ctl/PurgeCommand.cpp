#include <optional>
#include <system_error>

#include "ctl/Commands.h"
#include "ctl/IndexSnapshot.h"
#include "ctl/Output.h"

namespace vicary::ctl {

namespace {

index::PurgeFilter filterOf(const PurgeOptions& purge)
{
    index::PurgeFilter filter;
    filter.registry = purge.registry;
    filter.repository = purge.repository;
    filter.tag = purge.tag;
    filter.digest = purge.digest;
    if (purge.olderThan) {
        const auto now = std::chrono::system_clock::now();
        const auto sinceEpoch = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
        filter.notAccessedSince = *purge.olderThan < sinceEpoch ? now - *purge.olderThan : index::TimePoint();
    }
    return filter;
}

// The tag rows selectForPurge will delete, counted beforehand with the same rule: every given field matches, and
// with a time the tag's manifest was last accessed before it.
std::size_t countMatchingTags(const index::CacheIndex& index, const index::PurgeFilter& filter)
{
    std::size_t count = 0;
    for (const auto& tag : index.listTags(filter.registry, filter.repository)) {
        if ((!filter.tag.empty() && tag.tag != filter.tag) || (!filter.digest.empty() && tag.digest != filter.digest)) {
            continue;
        }
        if (filter.notAccessedSince) {
            const auto object = index.findObject(tag.digest);
            if (!object || !(object->lastAccess < *filter.notAccessedSince)) {
                continue;
            }
        }
        ++count;
    }
    return count;
}

struct Removed {
    std::string digest;
    std::uint64_t size = 0;
    std::string kind;
};

struct PurgeResult {
    std::size_t tags = 0;
    std::vector<Removed> objects;
    std::uint64_t bytes = 0;
    std::vector<std::string> errors;
};

// Selects on `index` and, unless dry, removes each object: the file first, then the row, so that a crash in between
// leaves a row without a file, which the server's start-up repair drops.
PurgeResult purgeFrom(index::CacheIndex& index, const StoredFiles& files, const index::PurgeFilter& filter, bool dry)
{
    PurgeResult result;
    result.tags = countMatchingTags(index, filter);
    for (const std::string& digest : index.selectForPurge(filter)) {
        const auto object = index.findObject(digest);
        Removed removed{digest, object ? object->size : 0,
                        object && object->kind == index::ObjectKind::Manifest ? "manifest" : "blob"};
        if (!dry) {
            try {
                const bool hadFile = files.remove(digest);
                const bool hadRow = index.removeObject(digest);
                if (!hadFile && !hadRow) {
                    continue;  // gone meanwhile (evicted by the server)
                }
            } catch (const std::system_error& error) {
                result.errors.push_back(digest + ": " + error.what());
                continue;
            }
        }
        result.bytes += removed.size;
        result.objects.push_back(std::move(removed));
    }
    return result;
}

std::string plural(std::size_t count, const char* noun)
{
    return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

}  // namespace

int runPurge(const CommandContext& context)
{
    const PurgeOptions& purge = context.options.purge;
    const index::PurgeFilter filter = filterOf(purge);
    PurgeResult result;
    if (purge.dryRun) {
        const IndexSnapshot snapshot(context.index.path());
        index::CacheIndex copy(snapshot.path());
        result = purgeFrom(copy, context.files, filter, true);
    } else {
        result = purgeFrom(context.index, context.files, filter, false);
    }
    for (const std::string& error : result.errors) {
        context.err << "vicaryctl: purge: " << error << '\n';
    }
    if (context.options.json) {
        auto root = jsonObject();
        root->set("dry_run", purge.dryRun);
        root->set("objects", static_cast<std::uint64_t>(result.objects.size()));
        root->set("bytes", result.bytes);
        root->set("tags", static_cast<std::uint64_t>(result.tags));
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const Removed& removed : result.objects) {
            auto entry = jsonObject();
            entry->set("digest", removed.digest);
            entry->set("kind", removed.kind);
            entry->set("size", removed.size);
            list->add(entry);
        }
        root->set("removed", list);
        root->set("errors", jsonStrings(result.errors));
        printJson(context.out, root);
    } else {
        const char* verb = purge.dryRun ? "would remove " : "removed ";
        for (const Removed& removed : result.objects) {
            context.out << verb << removed.kind << ' ' << removed.digest << " (" << formatSize(removed.size) << ")\n";
        }
        context.out << (purge.dryRun ? "dry run: would purge " : "purged ") << plural(result.objects.size(), "object")
                    << " (" << formatSize(result.bytes) << ") and " << plural(result.tags, "tag") << '\n';
    }
    return result.errors.empty() ? 0 : 1;
}

}  // namespace vicary::ctl
