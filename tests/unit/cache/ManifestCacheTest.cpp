// Manifest rules against a scripted upstream with an injected clock: TTL, revalidation, stale, limits, digests.
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Crypto/DigestEngine.h>

#include "cache/ManifestCache.h"
#include "support/FakeHttpServer.h"
#include "support/LoopbackResolver.h"
#include "support/TempDir.h"
#include "upstream/RegistryClient.h"

namespace vicary::cache {
namespace {

std::string digestOf(const std::string& body)
{
    Poco::Crypto::DigestEngine engine("SHA256");
    engine.update(body);
    return "sha256:" + Poco::DigestEngine::digestToHex(engine.digest());
}

const char* const kType = "application/vnd.oci.image.manifest.v1+json";

}  // namespace

class ManifestCacheTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ManifestCacheTest);
    CPPUNIT_TEST(freshTagMakesNoUpstreamCall);
    CPPUNIT_TEST(staleTagIsRevalidatedWithHead);
    CPPUNIT_TEST(failingUpstreamServesStale);
    CPPUNIT_TEST(refusesManifestOver4MiB);
    CPPUNIT_TEST(refusesContentThatDoesNotMatchItsDigest);
    CPPUNIT_TEST(normalisesAccept);
    CPPUNIT_TEST(hotTagWhoseFileWasRemovedIsFetchedAgain);
    CPPUNIT_TEST(hotTagIsNotServedPastItsFreshness);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override
    {
        now_ = std::chrono::system_clock::time_point(std::chrono::hours(1000));
        blobs_ = std::make_unique<storage::BlobStore>(dir_.path());
        index_ = std::make_unique<index::CacheIndex>(dir_.file("index.db"));
        tags_ = std::make_unique<CacheCatalog>(*index_);
        http_ = std::make_unique<upstream::UpstreamClient>(std::make_shared<test::LoopbackResolver>(), upstream::ClientSettings{});
        client_ = std::make_unique<upstream::RegistryClient>(*http_, tokens_);
        cache_ = std::make_unique<ManifestCache>(*client_, *blobs_, *tags_, [this] { return now_; });
        manifest_ = std::string(R"({"schemaVersion":2,"mediaType":")") + kType + R"(","layers":[]})";
    }

    void freshTagMakesNoUpstreamCall()
    {
        test::FakeHttpServer upstream;
        serve(upstream, "/v2/app/manifests/v1", manifest_);
        CPPUNIT_ASSERT_EQUAL(digestOf(manifest_), answer(cache_->get(request(upstream, "v1"))).digest);
        now_ += std::chrono::seconds(59);
        CPPUNIT_ASSERT_EQUAL(digestOf(manifest_), answer(cache_->get(request(upstream, "v1"))).digest);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), upstream.requests().size());
    }

    void staleTagIsRevalidatedWithHead()
    {
        test::FakeHttpServer upstream;
        serve(upstream, "/v2/app/manifests/v1", manifest_);
        cache_->get(request(upstream, "v1"));
        now_ += std::chrono::seconds(61);
        ManifestAnswer again = answer(cache_->get(request(upstream, "v1")));
        CPPUNIT_ASSERT(!again.stale);
        auto seen = upstream.requests();
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), seen.size());
        CPPUNIT_ASSERT_EQUAL(std::string("HEAD"), seen[1].method);
    }

    void failingUpstreamServesStale()
    {
        std::uint16_t port = 0;
        {
            test::FakeHttpServer upstream;
            serve(upstream, "/v2/app/manifests/v1", manifest_);
            port = upstream.port();
            cache_->get(request(upstream, "v1"));
        }  // the upstream is gone
        now_ += std::chrono::seconds(61);
        ManifestRequest r;
        r.source = {"fake", "http://upstream.test:" + std::to_string(port), "app", upstream::EndpointSettings{true, "", false, ""}};
        r.reference = "v1";
        r.tagTtl = std::chrono::seconds(60);
        ManifestAnswer stale = answer(cache_->get(r));
        CPPUNIT_ASSERT(stale.stale);
        CPPUNIT_ASSERT_EQUAL(digestOf(manifest_), stale.digest);
    }

    void refusesManifestOver4MiB()
    {
        test::FakeHttpServer upstream;
        serve(upstream, "/v2/app/manifests/huge", std::string(4 * 1024 * 1024 + 1, ' '));
        auto result = cache_->get(request(upstream, "huge"));
        const auto* failure = std::get_if<UpstreamFailure>(&result);
        CPPUNIT_ASSERT(failure != nullptr);
        CPPUNIT_ASSERT(failure->code == http::OciCode::ManifestInvalid);
        CPPUNIT_ASSERT(failure->message.find("larger than 4 MiB") != std::string::npos);
    }

    void refusesContentThatDoesNotMatchItsDigest()
    {
        test::FakeHttpServer upstream;
        const std::string claimed = digestOf("something else");
        serve(upstream, "/v2/app/manifests/" + claimed, manifest_);
        ManifestRequest r = request(upstream, claimed);
        r.digest = routing::parseDigest(claimed);
        auto result = cache_->get(r);
        const auto* failure = std::get_if<UpstreamFailure>(&result);
        CPPUNIT_ASSERT(failure != nullptr);
        CPPUNIT_ASSERT(failure->message.find("does not match its digest") != std::string::npos);
        CPPUNIT_ASSERT(!blobs_->find("sha256", digestOf(manifest_).substr(7)).has_value());
    }

    void normalisesAccept()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("a/x, b/y"), ManifestCache::acceptKey({"B/y, a/x", " a/x "}));
        CPPUNIT_ASSERT_EQUAL(std::string(""), ManifestCache::acceptKey({}));
    }

    // A tag asked for again and again is answered from memory; when its manifest file goes (the evictor,
    // vicaryctl purge) a GET must not answer with a path that is no longer there: it goes to the upstream again.
    void hotTagWhoseFileWasRemovedIsFetchedAgain()
    {
        test::FakeHttpServer upstream;
        serve(upstream, "/v2/app/manifests/v1", manifest_);
        const std::string digest = digestOf(manifest_);
        answer(cache_->get(request(upstream, "v1")));
        answer(cache_->get(request(upstream, "v1")));  // fresh, from the index: now remembered
        CPPUNIT_ASSERT(blobs_->remove("sha256", digest.substr(7)));
        ManifestAnswer again = answer(cache_->get(request(upstream, "v1")));
        CPPUNIT_ASSERT_EQUAL(digest, again.digest);
        CPPUNIT_ASSERT(blobs_->find("sha256", digest.substr(7)).has_value());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), upstream.requests().size());
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), upstream.requests()[1].method);
    }

    // The memory of a hot tag never stretches the tag's freshness: once tag_ttl has passed, the upstream is asked.
    void hotTagIsNotServedPastItsFreshness()
    {
        test::FakeHttpServer upstream;
        serve(upstream, "/v2/app/manifests/v1", manifest_);
        answer(cache_->get(request(upstream, "v1")));
        now_ += std::chrono::milliseconds(59500);
        answer(cache_->head(request(upstream, "v1")));  // fresh: remembered for up to a second more
        now_ += std::chrono::milliseconds(600);          // within that second, but past the 60 s freshness
        answer(cache_->head(request(upstream, "v1")));
        auto seen = upstream.requests();
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), seen.size());
        CPPUNIT_ASSERT_EQUAL(std::string("HEAD"), seen[1].method);
    }

private:
    void serve(test::FakeHttpServer& upstream, const std::string& path, const std::string& body)
    {
        upstream.on(path, [body](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
            response.setContentType(kType);
            response.set("Docker-Content-Digest", digestOf(body));
            response.setContentLength64(static_cast<Poco::Int64>(body.size()));
            std::ostream& out = response.send();
            if (request.getMethod() != "HEAD")
                out << body;
        });
    }

    ManifestRequest request(const test::FakeHttpServer& upstream, const std::string& reference)
    {
        ManifestRequest r;
        r.source = {"fake", "http://upstream.test:" + std::to_string(upstream.port()), "app",
                    upstream::EndpointSettings{true, "", false, ""}};
        r.reference = reference;
        r.tagTtl = std::chrono::seconds(60);
        return r;
    }

    static ManifestAnswer answer(const ManifestResult& result)
    {
        if (const auto* failure = std::get_if<UpstreamFailure>(&result))
            CPPUNIT_FAIL(failure->message);
        return std::get<ManifestAnswer>(result);
    }

    test::TempDir dir_;
    std::chrono::system_clock::time_point now_;
    std::unique_ptr<storage::BlobStore> blobs_;
    std::unique_ptr<index::CacheIndex> index_;
    std::unique_ptr<CacheCatalog> tags_;
    std::unique_ptr<upstream::UpstreamClient> http_;
    upstream::TokenCache tokens_;
    std::unique_ptr<upstream::RegistryClient> client_;
    std::unique_ptr<ManifestCache> cache_;
    std::string manifest_;
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ManifestCacheTest, "cache");

}  // namespace vicary::cache
