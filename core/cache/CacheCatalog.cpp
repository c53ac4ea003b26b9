#include "cache/CacheCatalog.h"

namespace vicary::cache {

CacheCatalog::CacheCatalog(index::CacheIndex& index) : index_(index) {}

std::optional<TagRecord> CacheCatalog::findTag(const TagKey& key)
{
    auto row = index_.findTag(key.registry, key.repository, key.tag, key.accept);
    if (!row)
        return std::nullopt;
    return TagRecord{row->digest, row->mediaType, row->size, row->checkedAt};
}

void CacheCatalog::putTag(const TagKey& key, const TagRecord& record)
{
    index_.putTag(index::TagRow{key.registry, key.repository, key.tag, key.accept, record.digest, record.mediaType,
                                record.size, record.checkedAt});
}

void CacheCatalog::eraseTag(const TagKey& key)
{
    index_.removeTag(key.registry, key.repository, key.tag, key.accept);
}

std::optional<std::string> CacheCatalog::manifestType(const std::string& digest)
{
    auto object = index_.findObject(digest);
    if (!object || object->kind != index::ObjectKind::Manifest)
        return std::nullopt;
    return object->mediaType;
}

void CacheCatalog::recordBlob(const std::string& digest, std::uint64_t size, const std::string& registry,
                              const std::string& repository)
{
    record(digest, size, index::ObjectKind::Blob, "", registry, repository);
}

void CacheCatalog::recordManifest(const std::string& digest, std::uint64_t size, const std::string& mediaType,
                                  const std::string& registry, const std::string& repository)
{
    record(digest, size, index::ObjectKind::Manifest, mediaType, registry, repository);
}

void CacheCatalog::record(const std::string& digest, std::uint64_t size, index::ObjectKind kind,
                          const std::string& mediaType, const std::string& registry, const std::string& repository)
{
    const auto now = std::chrono::system_clock::now();
    index_.putObject(index::ObjectRecord{digest, size, kind, mediaType, now, now, 0});
    index_.addSource(digest, registry, repository);
}

}  // namespace vicary::cache
