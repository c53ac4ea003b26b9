// After a crash the index and the files agree again: rows without files dropped, good files adopted, bad removed.
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>
#include <fstream>

#include <Poco/Crypto/DigestEngine.h>

#include "cache/Reconciler.h"
#include "support/TempDir.h"

namespace vicary::cache {

class ReconcilerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ReconcilerTest);
    CPPUNIT_TEST(bringsIndexAndFilesBackIntoAgreement);
    CPPUNIT_TEST_SUITE_END();

public:
    void bringsIndexAndFilesBackIntoAgreement()
    {
        test::TempDir dir;
        storage::BlobStore store(dir.file("cache"));
        index::CacheIndex index(dir.file("cache/index.db"));
        const std::string kept = commit(store, "kept");
        index.putObject(record(kept, 4));
        const std::string orphanRow = commit(store, "row only");
        index.putObject(record(orphanRow, 8));
        store.remove("sha256", orphanRow.substr(7));
        index.putTag(index::TagRow{"hub", "x", "latest", "", orphanRow, "", 8, {}});
        const std::string adopted = commit(store, "file only");  // committed, crash before the row
        const std::string wrongSize = commit(store, "wrong size");
        index.putObject(record(wrongSize, 999));
        // A file whose content does not match its name (cannot come from the store; a disk gone bad).
        const std::string liarHex = sha256("something");
        std::filesystem::create_directories(dir.file("cache/blobs/sha256/" + liarHex.substr(0, 2)));
        std::ofstream(dir.file("cache/blobs/sha256/" + liarHex.substr(0, 2) + "/" + liarHex)) << "other content";

        const ReconcileReport report = reconcile(index, store);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), report.kept);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), report.droppedRows);  // row only, wrong size
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), report.adopted);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), report.removedFiles);  // wrong size, liar
        CPPUNIT_ASSERT(index.findObject(kept).has_value());
        CPPUNIT_ASSERT(!index.findObject(orphanRow).has_value());
        CPPUNIT_ASSERT(!index.findTag("hub", "x", "latest", "").has_value());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(9), index.findObject(adopted)->size);
        CPPUNIT_ASSERT(!store.find("sha256", wrongSize.substr(7)).has_value());
        CPPUNIT_ASSERT(!store.find("sha256", liarHex).has_value());
        const ReconcileReport again = reconcile(index, store);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), again.kept);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), again.droppedRows + again.adopted + again.removedFiles);
    }

private:
    static std::string sha256(const std::string& content)
    {
        Poco::Crypto::DigestEngine engine("SHA256");
        engine.update(content);
        return Poco::DigestEngine::digestToHex(engine.digest());
    }

    static std::string commit(storage::BlobStore& store, const std::string& content)
    {
        auto temp = store.createTemp("sha256");
        temp.write(content.data(), content.size());
        const std::string hex = sha256(content);
        CPPUNIT_ASSERT(store.commitIfDigestMatches(std::move(temp), hex).has_value());
        return "sha256:" + hex;
    }

    static index::ObjectRecord record(const std::string& digest, std::uint64_t size)
    {
        const auto now = std::chrono::system_clock::now();
        return index::ObjectRecord{digest, size, index::ObjectKind::Blob, "", now, now, 0};
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ReconcilerTest, "cache");

}  // namespace vicary::cache
