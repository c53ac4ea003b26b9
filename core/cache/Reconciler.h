// Start-up repair after a crash: the index and the files on disk brought back into agreement.
#pragma once

#include <cstddef>

#include "index/CacheIndex.h"
#include "storage/BlobStore.h"

namespace vicary::cache {

struct ReconcileReport {
    std::size_t kept = 0;          ///< row and file agree
    std::size_t droppedRows = 0;   ///< rows whose file was missing or of another size
    std::size_t adopted = 0;       ///< files without a row whose content matched their name: now indexed
    std::size_t removedFiles = 0;  ///< files without a row that did not match, or whose row was wrong
};

/// Makes the index and the store agree (the store already removed its temp files when it opened): rows without a
/// file, or whose file has another size, are dropped (with their tags, so no tag points at nothing); files without
/// a row are re-hashed, then adopted as blobs or removed. Only files the index does not know are read, so a clean
/// cache of any size costs one directory walk and one query. Throws IndexError or std::system_error.
ReconcileReport reconcile(index::CacheIndex& index, storage::BlobStore& store);

}  // namespace vicary::cache
