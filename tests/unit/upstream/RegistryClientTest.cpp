// Registry auth as docker pull does it, against a scripted registry + token realm on loopback; and the retries.
#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <sstream>

#include <Poco/AutoPtr.h>
#include <Poco/Base64Decoder.h>
#include <Poco/Channel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>

#include "support/FakeHttpServer.h"
#include "support/LoopbackResolver.h"
#include "upstream/RegistryClient.h"

namespace vicary::upstream {
namespace {

/// A plugin that presents fixed credentials (or none).
class CredentialsPlugin final : public RegistryPlugin {
public:
    explicit CredentialsPlugin(Credentials credentials) : credentials_(std::move(credentials)) {}
    std::vector<std::string> hosts() const noexcept override { return {"upstream.test"}; }
    std::string upstreamUrl(std::string_view) const noexcept override { return {}; }
    MappedName mapRepository(std::string_view name) const noexcept override { return {std::string(name), {}}; }
    UpstreamAuth authFor(const AuthChallenge&) const noexcept override
    {
        return credentials_.empty() ? UpstreamAuth{} : UpstreamAuth{UpstreamAuth::Kind::Basic, credentials_};
    }

private:
    Credentials credentials_;
};

std::string body(UpstreamResponse& response)
{
    std::string text;
    Poco::StreamCopier::copyToString(response.body(), text);
    return text;
}

void answer(Poco::Net::HTTPServerResponse& response, int status, const std::string& text)
{
    response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentLength64(static_cast<Poco::Int64>(text.size()));
    response.send() << text;
}

}  // namespace

class RegistryClientTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RegistryClientTest);
    CPPUNIT_TEST(bearerChallengeGetsATokenOncePerScope);
    CPPUNIT_TEST(credentialsGoOnlyToTheRealm);
    CPPUNIT_TEST(refusedCredentialsAreAnAuthErrorWithoutTheSecret);
    CPPUNIT_TEST(basicChallengeUsesTheCredentials);
    CPPUNIT_TEST(basicChallengeWithoutCredentialsSaysWhatToConfigure);
    CPPUNIT_TEST(serverErrorsAreTriedAgain);
    CPPUNIT_TEST(longRetryAfterIsNotWaitedFor);
    CPPUNIT_TEST(keepsAndWarnsAboutRateLimits);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override
    {
        http_ = std::make_unique<UpstreamClient>(std::make_shared<test::LoopbackResolver>(), ClientSettings{});
        client_ = std::make_unique<RegistryClient>(*http_, tokens_);
    }

    void bearerChallengeGetsATokenOncePerScope()
    {
        test::FakeHttpServer server;
        tokenRegistry(server, "");
        CredentialsPlugin anonymous({});
        for (int i = 0; i < 3; ++i) {
            auto response = client_->send(get(server, "/v2/app/manifests/v1"), access(server, anonymous));
            CPPUNIT_ASSERT_EQUAL(200, response->status());
            CPPUNIT_ASSERT_EQUAL(std::string("manifest"), body(*response));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), server.requestCount("/token"));
        auto other = access(server, anonymous);
        other.scope = "repository:other:pull";
        client_->send(get(server, "/v2/other/manifests/v1"), other);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), server.requestCount("/token"));
    }

    void credentialsGoOnlyToTheRealm()
    {
        test::FakeHttpServer server;
        tokenRegistry(server, "builder:s3cret");
        CredentialsPlugin user({"builder", "s3cret"});
        CPPUNIT_ASSERT_EQUAL(200, client_->send(get(server, "/v2/app/manifests/v1"), access(server, user))->status());
        for (const auto& seen : server.requests()) {
            const std::string authorization = seen.headers.get("Authorization", "");
            if (seen.uri.rfind("/token", 0) == 0)
                CPPUNIT_ASSERT_EQUAL(std::string("Basic YnVpbGRlcjpzM2NyZXQ="), authorization);
            else
                CPPUNIT_ASSERT_MESSAGE(seen.uri + " got " + authorization,
                                       authorization.empty() || authorization.rfind("Bearer ", 0) == 0);
        }
    }

    void refusedCredentialsAreAnAuthErrorWithoutTheSecret()
    {
        test::FakeHttpServer server;
        tokenRegistry(server, "builder:right");
        CredentialsPlugin wrong({"builder", "wrong-secret"});
        try {
            client_->send(get(server, "/v2/app/manifests/v1"), access(server, wrong));
            CPPUNIT_FAIL("wrong credentials were accepted");
        } catch (const AuthError& e) {
            const std::string message = e.what();
            CPPUNIT_ASSERT_EQUAL(401, e.status());
            CPPUNIT_ASSERT_MESSAGE(message, message.find("registry fake: token server") == 0);
            CPPUNIT_ASSERT_MESSAGE(message, message.find("user builder") != std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(message, message.find("wrong-secret") == std::string::npos);
        }
    }

    void basicChallengeUsesTheCredentials()
    {
        test::FakeHttpServer server;
        server.on("/v2/app/manifests/v1", [](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
            if (request.get("Authorization", "") != "Basic dTpw") {
                response.set("WWW-Authenticate", "Basic realm=\"Registry Realm\"");
                answer(response, 401, "{}");
                return;
            }
            answer(response, 200, "manifest");
        });
        CredentialsPlugin user({"u", "p"});
        CPPUNIT_ASSERT_EQUAL(200, client_->send(get(server, "/v2/app/manifests/v1"), access(server, user))->status());
        CPPUNIT_ASSERT_EQUAL(200, client_->send(get(server, "/v2/app/manifests/v1"), access(server, user))->status());
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), server.requestCount("/v2/app/manifests/v1"));  // 401, 200, then 200 at once
    }

    void basicChallengeWithoutCredentialsSaysWhatToConfigure()
    {
        test::FakeHttpServer server;
        server.on("/v2/app/manifests/v1", [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            response.set("WWW-Authenticate", "Basic realm=\"Registry Realm\"");
            answer(response, 401, "{}");
        });
        CredentialsPlugin anonymous({});
        try {
            client_->send(get(server, "/v2/app/manifests/v1"), access(server, anonymous));
            CPPUNIT_FAIL("a Basic challenge without credentials was not an error");
        } catch (const AuthError& e) {
            CPPUNIT_ASSERT(std::string(e.what()).find("configure username and password for [registry.fake]") !=
                           std::string::npos);
        }
    }

    void serverErrorsAreTriedAgain()
    {
        test::FakeHttpServer server;
        auto calls = std::make_shared<int>(0);
        server.on("/v2/app/manifests/v1", [calls](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            if (++*calls <= 2)
                answer(response, 503, "busy");
            else
                answer(response, 200, "manifest");
        });
        CredentialsPlugin anonymous({});
        auto response = client_->send(get(server, "/v2/app/manifests/v1"), access(server, anonymous));
        CPPUNIT_ASSERT_EQUAL(200, response->status());
        CPPUNIT_ASSERT_EQUAL(3, *calls);
    }

    void longRetryAfterIsNotWaitedFor()
    {
        test::FakeHttpServer server;
        server.on("/v2/app/manifests/v1", [](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            response.set("Retry-After", "3600");
            answer(response, 429, "slow down");
        });
        CredentialsPlugin anonymous({});
        const auto start = std::chrono::steady_clock::now();
        auto response = client_->send(get(server, "/v2/app/manifests/v1"), access(server, anonymous));
        CPPUNIT_ASSERT_EQUAL(429, response->status());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), server.requestCount("/v2/app/manifests/v1"));
        CPPUNIT_ASSERT(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
    }

    void keepsAndWarnsAboutRateLimits()
    {
        test::FakeHttpServer server;
        auto remaining = std::make_shared<int>(50);
        server.on("/v2/app/manifests/v1", [remaining](Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response) {
            response.set("ratelimit-limit", "100;w=21600");
            response.set("ratelimit-remaining", std::to_string(*remaining) + ";w=21600");
            answer(response, 200, "manifest");
        });
        Poco::AutoPtr<MessageCollector> collector(new MessageCollector);
        Poco::Logger::get("upstream").setChannel(collector);
        CredentialsPlugin anonymous({});
        CPPUNIT_ASSERT(!client_->rateLimit("fake"));
        client_->send(get(server, "/v2/app/manifests/v1"), access(server, anonymous));
        CPPUNIT_ASSERT_EQUAL(50L, client_->rateLimit("fake")->remaining);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), collector->count("rate limit low"));
        *remaining = 5;
        client_->send(get(server, "/v2/app/manifests/v1"), access(server, anonymous));
        client_->send(get(server, "/v2/app/manifests/v1"), access(server, anonymous));
        CPPUNIT_ASSERT_EQUAL(5L, client_->rateLimit("fake")->remaining);
        CPPUNIT_ASSERT_EQUAL(100L, client_->rateLimit("fake")->limit);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), collector->count("registry fake: upstream rate limit low: 5 of 100"));
        Poco::Logger::get("upstream").setChannel(nullptr);
    }

private:
    /// Keeps log lines, to count them.
    class MessageCollector final : public Poco::Channel {
    public:
        void log(const Poco::Message& message) override
        {
            std::lock_guard<std::mutex> lock(mutex_);
            texts_.push_back(message.getText());
        }
        std::size_t count(const std::string& part)
        {
            std::lock_guard<std::mutex> lock(mutex_);
            return static_cast<std::size_t>(std::count_if(texts_.begin(), texts_.end(), [&](const std::string& text) {
                return text.find(part) != std::string::npos;
            }));
        }

    private:
        std::mutex mutex_;
        std::vector<std::string> texts_;
    };

    /// A registry that wants a Bearer token from its own /token realm; `user` ("name:password") is required for a
    /// token when not empty, else tokens are anonymous.
    void tokenRegistry(test::FakeHttpServer& server, const std::string& user)
    {
        const std::string realm = "http://upstream.test:" + std::to_string(server.port()) + "/token";
        server.on("/token", [user](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
            std::string decoded;
            const std::string authorization = request.get("Authorization", "");
            if (authorization.rfind("Basic ", 0) == 0) {
                std::istringstream in(authorization.substr(6));
                Poco::Base64Decoder decoder(in);
                Poco::StreamCopier::copyToString(decoder, decoded);
            }
            if (!user.empty() && decoded != user) {
                answer(response, 401, R"({"details":"bad credentials"})");
                return;
            }
            const std::string scope = request.getURI().substr(request.getURI().find("scope=") + 6);
            answer(response, 200, R"({"token":"tok-)" + scope + R"(","expires_in":300})");
        });
        auto manifest = [realm](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
            if (request.get("Authorization", "").rfind("Bearer tok-", 0) != 0) {
                response.set("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"upstream.test\"");
                answer(response, 401, R"({"errors":[{"code":"UNAUTHORIZED"}]})");
                return;
            }
            answer(response, 200, "manifest");
        };
        server.on("/v2/app/manifests/v1", manifest);
        server.on("/v2/other/manifests/v1", manifest);
    }

    static UpstreamRequest get(const test::FakeHttpServer& server, const std::string& path)
    {
        UpstreamRequest request;
        request.url = "http://upstream.test:" + std::to_string(server.port()) + path;
        return request;
    }

    static RegistryAccess access(const test::FakeHttpServer&, const RegistryPlugin& plugin)
    {
        return {"fake", &plugin, EndpointSettings{true, "", false, ""}, "repository:app:pull"};
    }

    std::unique_ptr<UpstreamClient> http_;
    TokenCache tokens_;
    std::unique_ptr<RegistryClient> client_;
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(RegistryClientTest, "upstream");

}  // namespace vicary::upstream
