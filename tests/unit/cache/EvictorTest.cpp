// Eviction: least recently used first, never what is being read, reservations that keep the cap at every moment,
// and the free-space floor; evicting a manifest takes its tags along.
#include <cppunit/extensions/HelperMacros.h>

#include <filesystem>

#include <Poco/Crypto/DigestEngine.h>

#include "cache/Evictor.h"
#include "support/TempDir.h"

namespace vicary::cache {

class EvictorTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(EvictorTest);
    CPPUNIT_TEST(evictsLeastRecentlyUsedDownToTheLowWatermark);
    CPPUNIT_TEST(neverEvictsWhatIsBeingRead);
    CPPUNIT_TEST(reserveMakesRoomOrRefuses);
    CPPUNIT_TEST(keepsTheFreeSpaceFloor);
    CPPUNIT_TEST(evictingAManifestRemovesItsTags);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override
    {
        store_ = std::make_unique<storage::BlobStore>(dir_.file("cache"));
        index_ = std::make_unique<index::CacheIndex>(dir_.file("cache/index.db"));
    }

    void evictsLeastRecentlyUsedDownToTheLowWatermark()
    {
        const auto a = add("a", 100, 1), b = add("b", 100, 2), c = add("c", 100, 3);
        auto evictor = make(250, 0);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), evictor->runOnce());  // 300 > 250: down to 225
        CPPUNIT_ASSERT(!present(a));
        CPPUNIT_ASSERT(present(b) && present(c));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), evictor->runOnce());  // under the cap: nothing
    }

    void neverEvictsWhatIsBeingRead()
    {
        const auto a = add("a", 100, 1), b = add("b", 100, 2), c = add("c", 100, 3);
        auto evictor = make(250, 0);
        auto lease = leases_.acquire(a);
        evictor->runOnce();
        CPPUNIT_ASSERT(present(a));
        CPPUNIT_ASSERT(!present(b));
        CPPUNIT_ASSERT(present(c));
    }

    void reserveMakesRoomOrRefuses()
    {
        const auto a = add("a", 100, 1), b = add("b", 100, 2);
        auto evictor = make(300, 0);
        CPPUNIT_ASSERT(evictor->reserve(150));  // 200 + 150 > 300: a goes
        CPPUNIT_ASSERT(!present(a));
        CPPUNIT_ASSERT(present(b));
        CPPUNIT_ASSERT(!evictor->reserve(301));  // larger than the whole cap
        CPPUNIT_ASSERT(present(b));
        auto lease = leases_.acquire(b);
        CPPUNIT_ASSERT(!evictor->reserve(200));  // 100 + 150 reserved + 200 > 300, and b is being read
        evictor->release(150);
        CPPUNIT_ASSERT(evictor->reserve(200));
    }

    void keepsTheFreeSpaceFloor()
    {
        const auto a = add("a", 100, 1), b = add("b", 100, 2), c = add("c", 100, 3);
        // A filesystem of 350 bytes: 50 free with three objects; 120 must stay free.
        auto evictor = make(0, 120, 350);
        evictor->runOnce();
        CPPUNIT_ASSERT(!present(a));
        CPPUNIT_ASSERT(present(b) && present(c));
    }

    void evictingAManifestRemovesItsTags()
    {
        const auto m = add("manifest", 100, 1, index::ObjectKind::Manifest);
        add("b", 100, 2);
        index_->putTag(index::TagRow{"hub", "library/x", "latest", "", m, "application/json", 100, {}});
        auto evictor = make(150, 0);
        evictor->runOnce();
        CPPUNIT_ASSERT(!present(m));
        CPPUNIT_ASSERT(!index_->findTag("hub", "library/x", "latest", "").has_value());
    }

private:
    /// Stores `size` bytes derived from `seed`, indexed with last access `age` seconds after the epoch.
    std::string add(const std::string& seed, std::size_t size, int age, index::ObjectKind kind = index::ObjectKind::Blob)
    {
        std::string content(size, seed[0]);
        content.replace(0, std::min(seed.size(), size), seed.substr(0, size));
        Poco::Crypto::DigestEngine engine("SHA256");
        engine.update(content);
        const std::string hex = Poco::DigestEngine::digestToHex(engine.digest());
        auto temp = store_->createTemp("sha256");
        temp.write(content.data(), content.size());
        CPPUNIT_ASSERT(store_->commitIfDigestMatches(std::move(temp), hex).has_value());
        const index::TimePoint when{std::chrono::seconds(age)};
        index_->putObject(index::ObjectRecord{"sha256:" + hex, size, kind, "", when, when, 0});
        return "sha256:" + hex;
    }

    bool present(const std::string& digest)
    {
        const bool file = store_->find("sha256", digest.substr(7)).has_value();
        const bool row = index_->findObject(digest).has_value();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(digest + ": file and row disagree", file, row);
        return file;
    }

    /// An evictor with `cap` bytes (0: none), `minFree`, and a filesystem of `total` bytes of which the stored
    /// objects use their size.
    std::unique_ptr<Evictor> make(std::uint64_t cap, std::uint64_t minFree, std::uint64_t total = 1000000)
    {
        EvictionSettings settings{config::SizeLimit{config::SizeLimit::Kind::Bytes, cap, 0}, minFree, 0.9,
                                  std::chrono::seconds(60)};
        return std::make_unique<Evictor>(*index_, *store_, leases_, settings, [this, total] {
            std::uint64_t used = 0;
            store_->forEachStored([&](const storage::BlobStore::Entry& entry) { used += entry.size; });
            return FilesystemSpace{total, total > used ? total - used : 0};
        });
    }

    test::TempDir dir_;
    std::unique_ptr<storage::BlobStore> store_;
    std::unique_ptr<index::CacheIndex> index_;
    ReadLeases leases_;
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(EvictorTest, "cache");

}  // namespace vicary::cache
