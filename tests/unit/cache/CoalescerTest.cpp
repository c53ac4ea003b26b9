// One upstream fetch per blob however many ask at once; readers never get a whole unverified blob.
#include <cppunit/extensions/HelperMacros.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include <Poco/Crypto/DigestEngine.h>

#include "cache/BlobFetcher.h"
#include "cache/Coalescer.h"
#include "storage/BlobStore.h"
#include "support/FakeHttpServer.h"
#include "support/LoopbackResolver.h"
#include "support/TempDir.h"
#include "upstream/RegistryClient.h"
#include "upstream/UpstreamClient.h"

namespace vicary::cache {
namespace {

std::string sha256(const std::string& data)
{
    Poco::Crypto::DigestEngine engine("SHA256");
    engine.update(data);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace

class CoalescerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CoalescerTest);
    CPPUNIT_TEST(concurrentJoinsMakeOneFetch);
    CPPUNIT_TEST(mismatchFailsEveryReaderAndCachesNothing);
    CPPUNIT_TEST(lastByteWaitsForVerification);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override
    {
        blob_ = std::string(3 * 1024 * 1024, '\0');
        for (std::size_t i = 0; i < blob_.size(); ++i)
            blob_[i] = static_cast<char>((i * 131) % 251);
        hex_ = sha256(blob_);
        store_ = std::make_unique<storage::BlobStore>(dir_.path());
        http_ = std::make_unique<upstream::UpstreamClient>(std::make_shared<test::LoopbackResolver>(), upstream::ClientSettings{});
        client_ = std::make_unique<upstream::RegistryClient>(*http_, tokens_);
        index_ = std::make_unique<index::CacheIndex>(indexDir_.file("index.db"));
        catalog_ = std::make_unique<CacheCatalog>(*index_);
        fetcher_ = std::make_unique<BlobFetcher>(*client_, *store_, *catalog_, nullptr, FetchSettings{});
        coalescer_ = std::make_unique<Coalescer>(*fetcher_);
    }

    void tearDown() override
    {
        coalescer_.reset();
        fetcher_.reset();
        client_.reset();
        http_.reset();
        store_.reset();
    }

    void concurrentJoinsMakeOneFetch()
    {
        test::FakeHttpServer upstream;
        serveBlob(upstream, blob_, std::chrono::milliseconds(5));
        const routing::Digest digest{"sha256", hex_};
        std::atomic<int> starters{0};
        std::atomic<int> correct{0};
        std::vector<std::thread> clients;
        for (int i = 0; i < 20; ++i) {
            clients.emplace_back([&] {
                bool started = false;
                auto download = coalescer_->join(digest, source(upstream), started);
                if (started)
                    ++starters;
                UpstreamFailure failure;
                auto size = download->waitForHead(failure);
                if (size && readAll(*download, *size) == blob_)
                    ++correct;
            });
        }
        for (auto& client : clients)
            client.join();
        CPPUNIT_ASSERT_EQUAL(1, starters.load());
        CPPUNIT_ASSERT_EQUAL(20, correct.load());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), upstream.requestCount("/v2/team/app/blobs/sha256:" + hex_));
        // Readers get the last byte once it is verified; the commit into the store follows on the fetch's thread.
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), coalescer_->drain(std::chrono::milliseconds(10000)));
        CPPUNIT_ASSERT(store_->find("sha256", hex_).has_value());
        auto recorded = index_->findObject("sha256:" + hex_);
        CPPUNIT_ASSERT(recorded.has_value());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(blob_.size()), recorded->size);
    }

    void mismatchFailsEveryReaderAndCachesNothing()
    {
        test::FakeHttpServer upstream;
        std::string corrupt = blob_;
        corrupt[corrupt.size() / 2] ^= 1;
        serveBlob(upstream, corrupt, std::chrono::milliseconds(0));
        bool started = false;
        auto download = coalescer_->join(routing::Digest{"sha256", hex_}, source(upstream), started);
        UpstreamFailure failure;
        auto size = download->waitForHead(failure);
        CPPUNIT_ASSERT(size.has_value());
        bool aborted = false;
        try {
            readAll(*download, *size);
        } catch (const DownloadAborted& e) {
            aborted = std::string(e.what()).find("does not match the digest") != std::string::npos;
        }
        CPPUNIT_ASSERT(aborted);
        coalescer_->drain(std::chrono::milliseconds(5000));
        CPPUNIT_ASSERT(!store_->find("sha256", hex_).has_value());
    }

    void lastByteWaitsForVerification()
    {
        Download download("sha256:" + hex_, "sha256", hex_);
        download.started(10, "/nonexistent");
        download.progressed(10);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(9), download.waitForBytes(0, std::chrono::milliseconds(100)));
        bool stalled = false;
        try {
            download.waitForBytes(9, std::chrono::milliseconds(100));
        } catch (const DownloadAborted&) {
            stalled = true;  // the tenth byte is not readable before the content is verified
        }
        CPPUNIT_ASSERT(stalled);
        download.committed(storage::StoredBlob{"/nonexistent", 10});
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), download.waitForBytes(9, std::chrono::milliseconds(100)));
    }

private:
    /// Serves `content` at the blob path in 256 KiB pieces, pausing `pause` between them.
    void serveBlob(test::FakeHttpServer& upstream, const std::string& content, std::chrono::milliseconds pause)
    {
        upstream.on("/v2/team/app/blobs/sha256:" + hex_,
                    [content, pause](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
                        response.setContentLength64(static_cast<Poco::Int64>(content.size()));
                        std::ostream& out = response.send();
                        for (std::size_t at = 0; at < content.size(); at += 256 * 1024) {
                            out.write(content.data() + at, static_cast<std::streamsize>(
                                                               std::min<std::size_t>(256 * 1024, content.size() - at)));
                            out.flush();
                            std::this_thread::sleep_for(pause);
                        }
                    });
    }

    UpstreamSource source(const test::FakeHttpServer& upstream) const
    {
        return {"fake", "http://upstream.test:" + std::to_string(upstream.port()), "team/app",
                upstream::EndpointSettings{true, "", false, ""}};
    }

    /// Reads the whole blob the way a client handler does: as it becomes readable.
    static std::string readAll(Download& download, std::uint64_t size)
    {
        const int fd = download.openForReading();
        if (fd < 0 && size > 0)  // failed (or its file already removed) before we came: waiting throws the reason
            download.waitForBytes(size - 1, std::chrono::milliseconds(10000));
        CPPUNIT_ASSERT(fd >= 0);
        std::string content;
        std::vector<char> buffer(64 * 1024);
        std::uint64_t offset = 0;
        try {
            while (offset < size) {
                const std::uint64_t readable = download.waitForBytes(offset, std::chrono::milliseconds(10000));
                const auto n = ::pread(fd, buffer.data(), std::min<std::uint64_t>(buffer.size(), readable - offset),
                                       static_cast<off_t>(offset));
                CPPUNIT_ASSERT(n > 0);
                content.append(buffer.data(), static_cast<std::size_t>(n));
                offset += static_cast<std::uint64_t>(n);
            }
        } catch (...) {
            ::close(fd);
            throw;
        }
        ::close(fd);
        return content;
    }

    test::TempDir dir_;
    test::TempDir indexDir_;
    std::unique_ptr<index::CacheIndex> index_;
    std::unique_ptr<CacheCatalog> catalog_;
    std::string blob_;
    std::string hex_;
    std::unique_ptr<storage::BlobStore> store_;
    std::unique_ptr<upstream::UpstreamClient> http_;
    upstream::TokenCache tokens_;
    std::unique_ptr<upstream::RegistryClient> client_;
    std::unique_ptr<BlobFetcher> fetcher_;
    std::unique_ptr<Coalescer> coalescer_;
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(CoalescerTest, "cache");

}  // namespace vicary::cache
