// CacheIndex: objects, sources, accesses and LRU order, tags, stats, purge selection, schema versions, sharing.
#include "index/CacheIndex.h"

#include <cppunit/extensions/HelperMacros.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/TempDir.h"

namespace vicary::index {

namespace {

using std::chrono::milliseconds;

// A fixed instant with sub-millisecond digits cut off, so it survives the millisecond round trip.
TimePoint at(std::int64_t millis)
{
    return TimePoint(milliseconds(1'700'000'000'000LL + millis));
}

std::string digestOf(int n)
{
    std::string hex = std::to_string(n);
    return "sha256:" + std::string(64 - hex.size(), '0') + hex;
}

ObjectRecord blob(const std::string& digest, std::uint64_t size, TimePoint created, TimePoint lastAccess)
{
    return ObjectRecord{digest, size, ObjectKind::Blob, "", created, lastAccess, 0};
}

ObjectRecord manifest(const std::string& digest, std::uint64_t size, TimePoint time)
{
    return ObjectRecord{digest, size, ObjectKind::Manifest, "application/vnd.oci.image.manifest.v1+json", time, time, 0};
}

TagRow tagRow(const std::string& registry, const std::string& repository, const std::string& tag,
              const std::string& accept, const std::string& digest, TimePoint checkedAt = at(0))
{
    return TagRow{registry, repository, tag, accept, digest, "application/vnd.oci.image.manifest.v1+json", 321,
                  checkedAt};
}

// Runs `sql` on the file through a separate raw connection.
void execute(const std::string& path, const std::string& sql)
{
    sqlite3* db = nullptr;
    CPPUNIT_ASSERT_EQUAL(SQLITE_OK, sqlite3_open(path.c_str(), &db));
    const int result = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
    CPPUNIT_ASSERT_EQUAL(SQLITE_OK, result);
}

template <typename Action>
std::string indexErrorOf(Action action)
{
    try {
        action();
    } catch (const IndexError& error) {
        return error.what();
    }
    CPPUNIT_FAIL("no IndexError thrown");
    return {};
}

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

std::vector<std::string> digestsOf(const std::vector<ObjectRecord>& objects)
{
    std::vector<std::string> digests;
    for (const auto& object : objects)
        digests.push_back(object.digest);
    return digests;
}

std::vector<std::string> sorted(std::vector<std::string> values)
{
    std::sort(values.begin(), values.end());
    return values;
}

}  // namespace

class CacheIndexTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CacheIndexTest);
    CPPUNIT_TEST(createsAndReopensKeepingData);
    CPPUNIT_TEST(objectRoundTripKeepsTimesAndKinds);
    CPPUNIT_TEST(putExistingObjectKeepsHitsAndCreated);
    CPPUNIT_TEST(addSourceIsIdempotent);
    CPPUNIT_TEST(addSourceOfUnknownObjectThrows);
    CPPUNIT_TEST(recordAccessesKeepsLatestAndAddsHits);
    CPPUNIT_TEST(leastRecentlyUsedOrderAndLimit);
    CPPUNIT_TEST(removeObjectRemovesSourcesAndTags);
    CPPUNIT_TEST(tagsPutFindRemoveList);
    CPPUNIT_TEST(statsTotalsAndPerRegistry);
    CPPUNIT_TEST(purgeByRegistryAndRepository);
    CPPUNIT_TEST(purgeByTagKeepsSharedManifest);
    CPPUNIT_TEST(purgeByTagNeedsRepository);
    CPPUNIT_TEST(purgeByDigestAndAge);
    CPPUNIT_TEST(purgeEverything);
    CPPUNIT_TEST(listsRepositories);
    CPPUNIT_TEST(twoIndexesOnOneFileSeeEachOther);
    CPPUNIT_TEST(twoIndexesWriteConcurrently);
    CPPUNIT_TEST(refusesNewerSchema);
    CPPUNIT_TEST(refusesGarbageFile);
    CPPUNIT_TEST(refusesMissingFolder);
    CPPUNIT_TEST(concurrentThreadsShareOneIndex);
    CPPUNIT_TEST_SUITE_END();

public:
    void createsAndReopensKeepingData()
    {
        test::TempDir dir;
        const std::string path = dir.file("index.db");
        {
            CacheIndex index(path);
            CPPUNIT_ASSERT_EQUAL(path, index.path());
            CPPUNIT_ASSERT_EQUAL(CacheIndex::kSchemaVersion, index.schemaVersion());
            index.putObject(blob(digestOf(1), 10, at(1), at(2)));
            index.addSource(digestOf(1), "docker.io", "library/alpine");
            index.putTag(tagRow("docker.io", "library/alpine", "3", "oci", digestOf(1)));
        }
        CacheIndex index(path);
        CPPUNIT_ASSERT_EQUAL(CacheIndex::kSchemaVersion, index.schemaVersion());
        CPPUNIT_ASSERT(index.findObject(digestOf(1)).has_value());
        CPPUNIT_ASSERT(index.findTag("docker.io", "library/alpine", "3", "oci").has_value());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), index.listRepositories().size());
    }

    void objectRoundTripKeepsTimesAndKinds()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        const TimePoint now = std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
        ObjectRecord object{digestOf(7), 5'000'000'000ULL, ObjectKind::Manifest,
                            "application/vnd.docker.distribution.manifest.v2+json", now - std::chrono::hours(1), now,
                            3};
        index.putObject(object);
        index.putObject(blob(digestOf(8), 0, at(5), at(6)));

        auto found = index.findObject(digestOf(7));
        CPPUNIT_ASSERT(found.has_value());
        CPPUNIT_ASSERT_EQUAL(object.digest, found->digest);
        CPPUNIT_ASSERT_EQUAL(object.size, found->size);
        CPPUNIT_ASSERT(found->kind == ObjectKind::Manifest);
        CPPUNIT_ASSERT_EQUAL(object.mediaType, found->mediaType);
        CPPUNIT_ASSERT(object.created == found->created);
        CPPUNIT_ASSERT(object.lastAccess == found->lastAccess);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), found->hits);

        auto other = index.findObject(digestOf(8));
        CPPUNIT_ASSERT(other.has_value());
        CPPUNIT_ASSERT(other->kind == ObjectKind::Blob);
        CPPUNIT_ASSERT_EQUAL(std::string(), other->mediaType);
        CPPUNIT_ASSERT(at(5) == other->created);
        CPPUNIT_ASSERT(at(6) == other->lastAccess);

        CPPUNIT_ASSERT(!index.findObject(digestOf(9)).has_value());
        const std::vector<std::pair<std::string, std::uint64_t>> all = {{digestOf(7), 5'000'000'000ULL},
                                                                        {digestOf(8), 0}};
        CPPUNIT_ASSERT(all == index.allObjects());
    }

    void putExistingObjectKeepsHitsAndCreated()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        index.putObject(blob(digestOf(1), 10, at(100), at(200)));
        index.recordAccesses({{digestOf(1), {at(300), 4}}});
        ObjectRecord again{digestOf(1), 20, ObjectKind::Manifest, "text/x", at(900), at(250), 0};
        index.putObject(again);

        auto found = index.findObject(digestOf(1));
        CPPUNIT_ASSERT(found.has_value());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(20), found->size);
        CPPUNIT_ASSERT(found->kind == ObjectKind::Manifest);
        CPPUNIT_ASSERT_EQUAL(std::string("text/x"), found->mediaType);
        CPPUNIT_ASSERT(at(100) == found->created);
        CPPUNIT_ASSERT(at(300) == found->lastAccess);  // never moves back
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), found->hits);
    }

    void addSourceIsIdempotent()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        index.putObject(blob(digestOf(1), 10, at(0), at(0)));
        index.addSource(digestOf(1), "docker.io", "library/alpine");
        index.addSource(digestOf(1), "docker.io", "library/alpine");
        index.addSource(digestOf(1), "docker.io", "library/debian");
        auto repositories = index.listRepositories();
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), repositories.size());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), repositories[0].objects);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), index.stats().registries.at("docker.io").objects);
    }

    void addSourceOfUnknownObjectThrows()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        const std::string message = indexErrorOf([&] { index.addSource(digestOf(1), "docker.io", "library/alpine"); });
        CPPUNIT_ASSERT(contains(message, dir.file("index.db") + ": addSource: "));
        CPPUNIT_ASSERT(contains(message, "FOREIGN KEY"));
    }

    void recordAccessesKeepsLatestAndAddsHits()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        index.putObject(blob(digestOf(1), 10, at(0), at(500)));
        index.putObject(blob(digestOf(2), 10, at(0), at(500)));
        index.recordAccesses({{digestOf(1), {at(700), 2}}, {digestOf(2), {at(100), 5}}, {digestOf(3), {at(900), 1}}});
        index.recordAccesses({});

        CPPUNIT_ASSERT(at(700) == index.findObject(digestOf(1))->lastAccess);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), index.findObject(digestOf(1))->hits);
        CPPUNIT_ASSERT(at(500) == index.findObject(digestOf(2))->lastAccess);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), index.findObject(digestOf(2))->hits);
        CPPUNIT_ASSERT(!index.findObject(digestOf(3)).has_value());

        index.recordAccesses({{digestOf(1), {at(800), 3}}});
        CPPUNIT_ASSERT(at(800) == index.findObject(digestOf(1))->lastAccess);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), index.findObject(digestOf(1))->hits);
    }

    void leastRecentlyUsedOrderAndLimit()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        index.putObject(blob(digestOf(1), 1, at(10), at(300)));
        index.putObject(blob(digestOf(2), 1, at(30), at(100)));
        index.putObject(blob(digestOf(3), 1, at(20), at(100)));  // same access as 2, created earlier
        index.putObject(blob(digestOf(4), 1, at(0), at(200)));

        const std::vector<std::string> all = {digestOf(3), digestOf(2), digestOf(4), digestOf(1)};
        CPPUNIT_ASSERT(all == digestsOf(index.leastRecentlyUsed(10)));
        CPPUNIT_ASSERT(std::vector<std::string>(all.begin(), all.begin() + 2) == digestsOf(index.leastRecentlyUsed(2)));
        CPPUNIT_ASSERT(index.leastRecentlyUsed(0).empty());

        index.recordAccesses({{digestOf(3), {at(400), 1}}});
        const std::vector<std::string> after = {digestOf(2), digestOf(4), digestOf(1), digestOf(3)};
        CPPUNIT_ASSERT(after == digestsOf(index.leastRecentlyUsed(static_cast<std::size_t>(-1))));
    }

    void removeObjectRemovesSourcesAndTags()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        index.putObject(manifest(digestOf(1), 100, at(0)));
        index.putObject(manifest(digestOf(2), 100, at(0)));
        index.addSource(digestOf(1), "docker.io", "library/alpine");
        index.putTag(tagRow("docker.io", "library/alpine", "3", "oci", digestOf(1)));
        index.putTag(tagRow("docker.io", "library/alpine", "3", "docker", digestOf(1)));
        index.putTag(tagRow("docker.io", "library/alpine", "latest", "oci", digestOf(2)));

        CPPUNIT_ASSERT(index.removeObject(digestOf(1)));
        CPPUNIT_ASSERT(!index.findObject(digestOf(1)).has_value());
        CPPUNIT_ASSERT(!index.findTag("docker.io", "library/alpine", "3", "oci").has_value());
        CPPUNIT_ASSERT(!index.findTag("docker.io", "library/alpine", "3", "docker").has_value());
        CPPUNIT_ASSERT(index.findTag("docker.io", "library/alpine", "latest", "oci").has_value());
        CPPUNIT_ASSERT(index.listRepositories().empty());
        CPPUNIT_ASSERT(index.stats().registries.empty());
        CPPUNIT_ASSERT(!index.removeObject(digestOf(1)));
        CPPUNIT_ASSERT(!index.removeObject(digestOf(9)));
        // The source is gone with it: the digest can come back and get a fresh source.
        index.putObject(manifest(digestOf(1), 100, at(0)));
        CPPUNIT_ASSERT(index.listRepositories().empty());
    }

    void tagsPutFindRemoveList()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        index.putTag(tagRow("quay.io", "a/b", "v1", "oci", digestOf(1), at(5)));
        index.putTag(tagRow("docker.io", "library/alpine", "3", "oci", digestOf(2)));
        index.putTag(tagRow("docker.io", "library/alpine", "3", "docker", digestOf(3)));
        index.putTag(tagRow("docker.io", "library/alpine", "edge", "oci", digestOf(4)));
        index.putTag(tagRow("docker.io", "library/debian", "12", "oci", digestOf(5)));

        auto found = index.findTag("quay.io", "a/b", "v1", "oci");
        CPPUNIT_ASSERT(found.has_value());
        CPPUNIT_ASSERT_EQUAL(digestOf(1), found->digest);
        CPPUNIT_ASSERT_EQUAL(std::string("application/vnd.oci.image.manifest.v1+json"), found->mediaType);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(321), found->size);
        CPPUNIT_ASSERT(at(5) == found->checkedAt);
        CPPUNIT_ASSERT_EQUAL(digestOf(3), index.findTag("docker.io", "library/alpine", "3", "docker")->digest);
        CPPUNIT_ASSERT(!index.findTag("docker.io", "library/alpine", "3", "other").has_value());

        // Replacing a tag keeps one row.
        index.putTag(tagRow("quay.io", "a/b", "v1", "oci", digestOf(6), at(9)));
        CPPUNIT_ASSERT_EQUAL(digestOf(6), index.findTag("quay.io", "a/b", "v1", "oci")->digest);
        CPPUNIT_ASSERT(at(9) == index.findTag("quay.io", "a/b", "v1", "oci")->checkedAt);
        CPPUNIT_ASSERT_EQUAL(std::size_t(5), index.listTags().size());

        const auto alpine = index.listTags("docker.io", "library/alpine");
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), alpine.size());
        CPPUNIT_ASSERT_EQUAL(std::string("3"), alpine[0].tag);
        CPPUNIT_ASSERT_EQUAL(std::string("docker"), alpine[0].accept);
        CPPUNIT_ASSERT_EQUAL(std::string("oci"), alpine[1].accept);
        CPPUNIT_ASSERT_EQUAL(std::string("edge"), alpine[2].tag);
        const auto docker = index.listTags("docker.io");
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), docker.size());
        CPPUNIT_ASSERT_EQUAL(std::string("library/debian"), docker[3].repository);
        CPPUNIT_ASSERT_EQUAL(std::string("docker.io"), index.listTags()[0].registry);

        index.removeTag("docker.io", "library/alpine", "3", "oci");
        index.removeTag("docker.io", "library/alpine", "3", "missing");
        CPPUNIT_ASSERT(!index.findTag("docker.io", "library/alpine", "3", "oci").has_value());
        CPPUNIT_ASSERT(index.findTag("docker.io", "library/alpine", "3", "docker").has_value());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), index.listTags("docker.io", "library/alpine").size());
    }

    void statsTotalsAndPerRegistry()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), index.stats().objects);
        index.putObject(blob(digestOf(1), 1000, at(0), at(0)));
        index.putObject(blob(digestOf(2), 200, at(0), at(0)));
        index.putObject(manifest(digestOf(3), 30, at(0)));
        index.addSource(digestOf(1), "docker.io", "library/alpine");
        index.addSource(digestOf(1), "docker.io", "library/debian");
        index.addSource(digestOf(1), "quay.io", "a/b");
        index.addSource(digestOf(2), "quay.io", "a/b");
        index.addSource(digestOf(3), "docker.io", "library/alpine");
        index.recordAccesses({{digestOf(1), {at(1), 5}}, {digestOf(2), {at(1), 2}}, {digestOf(3), {at(1), 1}}});
        index.putTag(tagRow("docker.io", "library/alpine", "3", "oci", digestOf(3)));
        index.putTag(tagRow("docker.io", "library/alpine", "3", "docker", digestOf(3)));

        const IndexStats stats = index.stats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), stats.objects);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1230), stats.bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), stats.manifests);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), stats.tags);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(8), stats.hits);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), stats.registries.size());
        const auto& docker = stats.registries.at("docker.io");
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), docker.objects);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1030), docker.bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(6), docker.hits);
        const auto& quay = stats.registries.at("quay.io");
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), quay.objects);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1200), quay.bytes);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), quay.hits);
    }

    void purgeByRegistryAndRepository()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        fillForPurge(index);

        PurgeFilter repository;
        repository.registry = "docker.io";
        repository.repository = "library/debian";
        // Blob 1 goes too: debian uses it, though alpine does as well.
        CPPUNIT_ASSERT((std::vector<std::string>{digestOf(1), digestOf(3), digestOf(4)}) ==
                       sorted(index.selectForPurge(repository)));
        CPPUNIT_ASSERT(index.listTags("docker.io", "library/debian").empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), index.listTags("docker.io").size());

        PurgeFilter registry;
        registry.registry = "docker.io";
        const std::vector<std::string> expected = {digestOf(1), digestOf(2), digestOf(3), digestOf(4)};
        CPPUNIT_ASSERT(expected == sorted(index.selectForPurge(registry)));
        CPPUNIT_ASSERT(index.listTags("docker.io").empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), index.listTags("quay.io").size());
        // Selecting does not remove objects: the caller does.
        CPPUNIT_ASSERT_EQUAL(std::size_t(5), index.allObjects().size());
    }

    void purgeByTagKeepsSharedManifest()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        fillForPurge(index);

        PurgeFilter edge;
        edge.repository = "library/alpine";
        edge.tag = "edge";  // points at the same manifest as "3"
        CPPUNIT_ASSERT(index.selectForPurge(edge).empty());
        CPPUNIT_ASSERT(!index.findTag("docker.io", "library/alpine", "edge", "oci").has_value());
        CPPUNIT_ASSERT(index.findTag("docker.io", "library/alpine", "3", "oci").has_value());

        PurgeFilter three;
        three.registry = "docker.io";
        three.repository = "library/alpine";
        three.tag = "3";  // both accept variants go, and then nothing points at the manifest
        CPPUNIT_ASSERT(std::vector<std::string>{digestOf(2)} == index.selectForPurge(three));
        CPPUNIT_ASSERT(index.listTags("docker.io", "library/alpine").empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), index.listTags().size());

        PurgeFilter otherRegistry;
        otherRegistry.registry = "quay.io";
        otherRegistry.repository = "library/debian";
        otherRegistry.tag = "12";
        CPPUNIT_ASSERT(index.selectForPurge(otherRegistry).empty());
        CPPUNIT_ASSERT(index.findTag("docker.io", "library/debian", "12", "oci").has_value());
    }

    void purgeByTagNeedsRepository()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        PurgeFilter filter;
        filter.tag = "latest";
        CPPUNIT_ASSERT_THROW(index.selectForPurge(filter), std::invalid_argument);
    }

    void purgeByDigestAndAge()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        fillForPurge(index);

        PurgeFilter digest;
        digest.digest = digestOf(2);
        CPPUNIT_ASSERT(std::vector<std::string>{digestOf(2)} == index.selectForPurge(digest));
        CPPUNIT_ASSERT(index.listTags("docker.io", "library/alpine").empty());

        PurgeFilter wrongRegistry;
        wrongRegistry.registry = "quay.io";
        wrongRegistry.digest = digestOf(1);
        CPPUNIT_ASSERT(index.selectForPurge(wrongRegistry).empty());

        PurgeFilter age;
        age.notAccessedSince = at(300);  // objects 1 (100), 2 (200); 3 is at 300, not older
        CPPUNIT_ASSERT((std::vector<std::string>{digestOf(1), digestOf(2)}) == index.selectForPurge(age));

        PurgeFilter ageInRegistry;
        ageInRegistry.registry = "quay.io";
        ageInRegistry.notAccessedSince = at(1000);
        CPPUNIT_ASSERT(std::vector<std::string>{digestOf(5)} == index.selectForPurge(ageInRegistry));
        CPPUNIT_ASSERT(index.listTags("quay.io").empty());
        CPPUNIT_ASSERT(index.findTag("docker.io", "library/debian", "12", "oci").has_value());
    }

    void purgeEverything()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        fillForPurge(index);
        CPPUNIT_ASSERT_EQUAL(std::size_t(5), index.selectForPurge(PurgeFilter{}).size());
        CPPUNIT_ASSERT(index.listTags().empty());
    }

    void listsRepositories()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        fillForPurge(index);
        const auto all = index.listRepositories();
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), all.size());
        CPPUNIT_ASSERT_EQUAL(std::string("docker.io"), all[0].registry);
        CPPUNIT_ASSERT_EQUAL(std::string("library/alpine"), all[0].repository);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), all[0].objects);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1010), all[0].bytes);
        CPPUNIT_ASSERT(at(200) == all[0].lastAccess);
        CPPUNIT_ASSERT_EQUAL(std::string("library/debian"), all[1].repository);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), all[1].objects);
        CPPUNIT_ASSERT(at(400) == all[1].lastAccess);
        CPPUNIT_ASSERT_EQUAL(std::string("quay.io"), all[2].registry);

        const auto quay = index.listRepositories("quay.io");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), quay.size());
        CPPUNIT_ASSERT_EQUAL(std::string("a/b"), quay[0].repository);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(5000), quay[0].bytes);
        CPPUNIT_ASSERT(index.listRepositories("gcr.io").empty());
    }

    void twoIndexesOnOneFileSeeEachOther()
    {
        test::TempDir dir;
        CacheIndex server(dir.file("index.db"));
        CacheIndex control(dir.file("index.db"));
        server.putObject(blob(digestOf(1), 10, at(0), at(0)));
        server.addSource(digestOf(1), "docker.io", "library/alpine");
        server.putTag(tagRow("docker.io", "library/alpine", "3", "oci", digestOf(1)));
        CPPUNIT_ASSERT(control.findObject(digestOf(1)).has_value());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), control.stats().tags);

        PurgeFilter filter;
        filter.registry = "docker.io";
        CPPUNIT_ASSERT(std::vector<std::string>{digestOf(1)} == control.selectForPurge(filter));
        CPPUNIT_ASSERT(control.removeObject(digestOf(1)));
        CPPUNIT_ASSERT(!server.findObject(digestOf(1)).has_value());
        CPPUNIT_ASSERT(!server.findTag("docker.io", "library/alpine", "3", "oci").has_value());
    }

    void twoIndexesWriteConcurrently()
    {
        test::TempDir dir;
        CacheIndex first(dir.file("index.db"));
        CacheIndex second(dir.file("index.db"));
        constexpr int kObjects = 100;
        auto writer = [](CacheIndex& index, int offset) {
            for (int i = 0; i < kObjects; ++i) {
                index.putObject(blob(digestOf(offset + i), 1, at(i), at(i)));
                index.recordAccesses({{digestOf(i), {at(1000 + i), 1}}});
            }
        };
        std::thread one(writer, std::ref(first), 0);
        std::thread two(writer, std::ref(second), kObjects);
        one.join();
        two.join();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2 * kObjects), first.stats().objects);
    }

    void refusesNewerSchema()
    {
        test::TempDir dir;
        const std::string path = dir.file("index.db");
        { CacheIndex index(path); }
        execute(path, "PRAGMA user_version = 7");
        const std::string message = indexErrorOf([&] { CacheIndex index(path); });
        CPPUNIT_ASSERT(contains(message, path));
        CPPUNIT_ASSERT(contains(message, "7"));
        CPPUNIT_ASSERT(contains(message, std::to_string(CacheIndex::kSchemaVersion)));
    }

    void refusesGarbageFile()
    {
        test::TempDir dir;
        const std::string path = dir.write("index.db", std::string(8192, 'x') + "this is not a database");
        const std::string message = indexErrorOf([&] { CacheIndex index(path); });
        CPPUNIT_ASSERT(contains(message, path + ": "));
        CPPUNIT_ASSERT(contains(message, "not a database"));
    }

    void refusesMissingFolder()
    {
        test::TempDir dir;
        const std::string path = dir.file("missing/index.db");
        const std::string message = indexErrorOf([&] { CacheIndex index(path); });
        CPPUNIT_ASSERT(contains(message, path + ": open: "));
    }

    void concurrentThreadsShareOneIndex()
    {
        test::TempDir dir;
        CacheIndex index(dir.file("index.db"));
        constexpr int kThreads = 8;
        constexpr int kRounds = 50;
        index.putObject(blob(digestOf(0), 1, at(0), at(0)));
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&index, &failures, t] {
                try {
                    for (int i = 0; i < kRounds; ++i) {
                        const std::string own = digestOf(1000 * (t + 1) + i);
                        index.putObject(blob(own, 1, at(i), at(i)));
                        index.recordAccesses({{digestOf(0), {at(t * kRounds + i), 1}}, {own, {at(i + 1), 1}}});
                        if (!index.findObject(own) || !index.findObject(digestOf(0)))
                            ++failures;
                    }
                } catch (const std::exception&) {
                    ++failures;
                }
            });
        }
        for (auto& thread : threads)
            thread.join();
        CPPUNIT_ASSERT_EQUAL(0, failures.load());
        const auto shared = index.findObject(digestOf(0));
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(kThreads * kRounds), shared->hits);
        CPPUNIT_ASSERT(at(kThreads * kRounds - 1) == shared->lastAccess);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(kThreads * kRounds + 1), index.stats().objects);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2 * kThreads * kRounds), index.stats().hits);
    }

private:
    // Last access = 100 × n. docker.io/library/alpine: blob 1, manifest 2 (tags 3 in oci and docker, edge).
    // docker.io/library/debian: blob 1, manifest 3 (tag 12), blob 4. quay.io/a/b: object 5 (tag v1).
    static void fillForPurge(CacheIndex& index)
    {
        index.putObject(blob(digestOf(1), 1000, at(0), at(100)));
        index.putObject(manifest(digestOf(2), 10, at(200)));
        index.putObject(manifest(digestOf(3), 20, at(300)));
        index.putObject(blob(digestOf(4), 2000, at(0), at(400)));
        index.putObject(blob(digestOf(5), 5000, at(0), at(500)));
        index.addSource(digestOf(1), "docker.io", "library/alpine");
        index.addSource(digestOf(2), "docker.io", "library/alpine");
        index.addSource(digestOf(1), "docker.io", "library/debian");
        index.addSource(digestOf(3), "docker.io", "library/debian");
        index.addSource(digestOf(4), "docker.io", "library/debian");
        index.addSource(digestOf(5), "quay.io", "a/b");
        index.putTag(tagRow("docker.io", "library/alpine", "3", "oci", digestOf(2)));
        index.putTag(tagRow("docker.io", "library/alpine", "3", "docker", digestOf(2)));
        index.putTag(tagRow("docker.io", "library/alpine", "edge", "oci", digestOf(2)));
        index.putTag(tagRow("docker.io", "library/debian", "12", "oci", digestOf(3)));
        index.putTag(tagRow("quay.io", "a/b", "v1", "oci", digestOf(5)));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(CacheIndexTest, "index");

}  // namespace vicary::index
