// UpstreamClient against scripted HTTP(S) servers on loopback: streaming, keep-alive, redirects, timeouts, TLS.
#include "upstream/UpstreamClient.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <map>
#include <thread>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Net/Context.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "support/FakeHttpServer.h"
#include "support/TempDir.h"

using namespace std::chrono_literals;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using vicary::test::FakeHttpServer;

namespace vicary::upstream {

namespace {

/// Maps a few test names to 127.0.0.1; IP literals as themselves; anything else fails like a real miss.
class TestResolver : public DnsResolver {
public:
    std::vector<Poco::Net::IPAddress> resolve(const std::string& host) const override
    {
        if (std::optional<Poco::Net::IPAddress> literal = parseIpLiteral(host))
            return {*literal};
        if (host == "registry.test" || host == "cdn.test" || host == "other.test")
            return {Poco::Net::IPAddress("127.0.0.1")};
        throw ResolveError("cannot resolve '" + host + "' with test resolver: no such host");
    }
    std::string describe() const override { return "test resolver"; }
};

bool contains(const std::string& text, const std::string& part)
{
    return text.find(part) != std::string::npos;
}

/// Byte `i` of every generated body.
char patternByte(std::uint64_t i)
{
    return static_cast<char>('a' + i % 23);
}

/// Writes `size` pattern bytes, with Content-Length or chunked.
void sendPattern(HTTPServerResponse& response, std::uint64_t size, bool chunked = false)
{
    if (chunked)
        response.setChunkedTransferEncoding(true);
    else
        response.setContentLength64(static_cast<Poco::Int64>(size));
    std::ostream& out = response.send();
    std::string block(16 * 1024, '\0');
    for (std::uint64_t done = 0; done < size;) {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), size - done));
        for (std::size_t i = 0; i < n; ++i)
            block[i] = patternByte(done + i);
        out.write(block.data(), static_cast<std::streamsize>(n));
        done += n;
    }
}

FakeHttpServer::Handler pattern(std::uint64_t size, bool chunked = false)
{
    return [size, chunked](HTTPServerRequest&, HTTPServerResponse& response) { sendPattern(response, size, chunked); };
}

FakeHttpServer::Handler redirect(int status, const std::string& location)
{
    return [status, location](HTTPServerRequest&, HTTPServerResponse& response) {
        response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
        response.set("Location", location);
        response.setContentType("text/html");
        response.sendBuffer("<a>moved</a>", 12);
    };
}

/// Reads the whole body in 64 KiB chunks with read()/gcount(); throws what the body throws.
std::uint64_t readAll(UpstreamResponse& response, std::string* copy = nullptr)
{
    std::istream& body = response.body();
    std::vector<char> buffer(64 * 1024);
    std::uint64_t total = 0;
    while (body) {
        body.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const std::streamsize n = body.gcount();
        if (copy)
            copy->append(buffer.data(), static_cast<std::size_t>(n));
        total += static_cast<std::uint64_t>(n);
    }
    return total;
}

bool isPattern(const std::string& data)
{
    for (std::size_t i = 0; i < data.size(); ++i)
        if (data[i] != patternByte(i))
            return false;
    return true;
}

/// The UpstreamError `call` throws; fails the test when it returns.
UpstreamError errorOf(const std::function<void()>& call)
{
    try {
        call();
    } catch (const UpstreamError& e) {
        return e;
    }
    CPPUNIT_FAIL("expected an UpstreamError");
    return UpstreamError(UpstreamError::Kind::Connect, "unreachable");
}

std::string kindName(UpstreamError::Kind kind)
{
    switch (kind) {
    case UpstreamError::Kind::Connect: return "Connect";
    case UpstreamError::Kind::Timeout: return "Timeout";
    case UpstreamError::Kind::Protocol: return "Protocol";
    case UpstreamError::Kind::TooManyRedirects: return "TooManyRedirects";
    }
    return "?";
}

#define ASSERT_KIND(expected, error) \
    CPPUNIT_ASSERT_EQUAL_MESSAGE((error).what(), kindName(expected), kindName((error).kind()))

/// A loopback port with nobody listening.
std::uint16_t closedPort()
{
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    const std::uint16_t port = socket.address().port();
    socket.close();
    return port;
}

/// A raw TCP server for what a well-behaved server never does. Connection n follows script n (the last script once
/// they run out): each entry is a reply sent after reading one request head, or "" (close now), "read+close" (read a
/// request head, then close without answering), "hang" (keep the connection open, unanswered, until the end).
class RawServer {
public:
    using Script = std::vector<std::vector<std::string>>;

    explicit RawServer(Script perConnection)
        : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)), script_(std::move(perConnection))
    {
        thread_ = std::thread([this] { run(); });
    }
    ~RawServer()
    {
        stop_ = true;
        thread_.join();
    }
    std::uint16_t port() const { return socket_.address().port(); }
    int connections() const { return connections_; }

private:
    void run()
    {
        std::size_t index = 0;
        std::vector<Poco::Net::StreamSocket> keep;
        while (!stop_) {
            if (!socket_.poll(Poco::Timespan(0, 20000), Poco::Net::Socket::SELECT_READ))
                continue;
            Poco::Net::StreamSocket client = socket_.acceptConnection();
            ++connections_;
            client.setReceiveTimeout(Poco::Timespan(2, 0));
            const std::vector<std::string> replies = index < script_.size() ? script_[index] : script_.back();
            ++index;
            for (const std::string& reply : replies) {
                if (reply == "hang")
                    break;  // kept open, never answered, until the server goes
                if (reply == "read+close") {
                    readHead(client);
                    client.close();
                    break;
                }
                if (reply.empty()) {
                    client.close();
                    break;
                }
                if (reply.front() == '!') {  // answer whatever arrives, even a TLS ClientHello
                    char some[4096];
                    if (client.receiveBytes(some, sizeof some) <= 0)
                        break;
                    client.sendBytes(reply.data() + 1, static_cast<int>(reply.size() - 1));
                    continue;
                }
                if (!readHead(client))
                    break;
                client.sendBytes(reply.data(), static_cast<int>(reply.size()));
            }
            keep.push_back(client);
        }
    }

    static bool readHead(Poco::Net::StreamSocket& client)
    {
        std::string head;
        char c = 0;
        try {
            while (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {
                if (client.receiveBytes(&c, 1) <= 0)
                    return false;
                head.push_back(c);
            }
        } catch (const Poco::Exception&) {
            return false;
        }
        return true;
    }

    Poco::Net::ServerSocket socket_;
    Script script_;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    std::thread thread_;
};

}  // namespace

class UpstreamClientTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(UpstreamClientTest);
    CPPUNIT_TEST(getStreamsAFewMegabytes);
    CPPUNIT_TEST(chunkedBodyStreams);
    CPPUNIT_TEST(headHasNoBody);
    CPPUNIT_TEST(sequentialRequestsReuseOneConnection);
    CPPUNIT_TEST(unreadBodyClosesTheConnection);
    CPPUNIT_TEST(redirectToAnotherHostDropsCredentials);
    CPPUNIT_TEST(relativeLocationIsFollowed);
    CPPUNIT_TEST(seeOtherTurnsIntoGet);
    CPPUNIT_TEST(redirectLoopIsTooManyRedirects);
    CPPUNIT_TEST(redirectIsNotFollowedUnlessAsked);
    CPPUNIT_TEST(redirectToALoopbackHostIsRefused);
    CPPUNIT_TEST(redirectWithinTheUpstreamNeedsNoPermission);
    CPPUNIT_TEST(otherHostThanTheTrustedUpstreamIsChecked);
    CPPUNIT_TEST(refusedConnectionNamesHostAndPort);
    CPPUNIT_TEST(unknownHostIsConnectError);
    CPPUNIT_TEST(silentServerTimesOut);
    CPPUNIT_TEST(bodyCutShortIsDistinguishable);
    CPPUNIT_TEST(chunkedBodyCutShortIsDistinguishable);
    CPPUNIT_TEST(stalledBodyTimesOut);
    CPPUNIT_TEST(deadPooledConnectionIsRetriedOnce);
    CPPUNIT_TEST(plainHttpIsRefusedWithoutTheFlag);
    CPPUNIT_TEST(plainHttpRedirectIsRefusedWithoutTheFlag);
    CPPUNIT_TEST(httpsToAPlainServerFailsQuickly);
    CPPUNIT_TEST(queryAndHeaderValuesStayOutOfMessages);
    CPPUNIT_TEST(onlyAbsoluteHttpUrlsAreAccepted);
    CPPUNIT_TEST(concurrentRequestsFromEightThreads);
    CPPUNIT_TEST(httpsVerifiesWithTheCaFile);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override
    {
        std::signal(SIGPIPE, SIG_IGN);  // as the daemon does: a peer that closed must give EPIPE, not kill us
    }

    void getStreamsAFewMegabytes()
    {
        FakeHttpServer server;
        const std::uint64_t size = 5 * 1024 * 1024 + 17;
        server.on("/v2/x/blobs/sha256:ab", pattern(size));
        UpstreamClient client(resolver(), settings());
        auto response = client.send(get(server, "/v2/x/blobs/sha256:ab"), plain());
        CPPUNIT_ASSERT_EQUAL(200, response->status());
        CPPUNIT_ASSERT_EQUAL(static_cast<Poco::Int64>(size), response->head().getContentLength64());
        std::string data;
        CPPUNIT_ASSERT_EQUAL(size, readAll(*response, &data));
        CPPUNIT_ASSERT(isPattern(data));
        CPPUNIT_ASSERT(response->body().eof());
        CPPUNIT_ASSERT(!response->body().bad());
        CPPUNIT_ASSERT_EQUAL(url(server, "/v2/x/blobs/sha256:ab"), response->finalUrl());
    }

    void chunkedBodyStreams()
    {
        FakeHttpServer server;
        const std::uint64_t size = 3 * 1024 * 1024 + 5;
        server.on("/chunked", pattern(size, true));
        UpstreamClient client(resolver(), settings());
        for (int i = 0; i < 2; ++i) {
            auto response = client.send(get(server, "/chunked"), plain());
            std::string data;
            CPPUNIT_ASSERT_EQUAL(size, readAll(*response, &data));
            CPPUNIT_ASSERT(isPattern(data));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), server.connectionCount());  // the chunked end was found exactly
    }

    void headHasNoBody()
    {
        FakeHttpServer server;
        server.on("/v2/x/manifests/latest", pattern(1234));
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request = get(server, "/v2/x/manifests/latest");
        request.method = "HEAD";
        {
            auto response = client.send(request, plain());
            CPPUNIT_ASSERT_EQUAL(200, response->status());
            CPPUNIT_ASSERT_EQUAL(Poco::Int64(1234), response->head().getContentLength64());
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), readAll(*response));
        }
        auto second = client.send(get(server, "/v2/x/manifests/latest"), plain());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1234), readAll(*second));
        CPPUNIT_ASSERT_EQUAL(std::string("HEAD"), server.requests().front().method);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), server.connectionCount());
    }

    void sequentialRequestsReuseOneConnection()
    {
        FakeHttpServer server;
        server.on("/a", pattern(100000));
        server.on("/empty", pattern(0));
        UpstreamClient client(resolver(), settings());
        for (const char* path : {"/a", "/a", "/empty", "/a"}) {
            auto response = client.send(get(server, path), plain());
            readAll(*response);
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), server.requests().size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), server.connectionCount());
    }

    void unreadBodyClosesTheConnection()
    {
        FakeHttpServer server;
        server.on("/a", pattern(100000));
        UpstreamClient client(resolver(), settings());
        client.send(get(server, "/a"), plain());  // dropped unread: must not be reused mid-body
        auto response = client.send(get(server, "/a"), plain());
        std::string data;
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(100000), readAll(*response, &data));
        CPPUNIT_ASSERT(isPattern(data));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), server.connectionCount());
    }

    void redirectToAnotherHostDropsCredentials()
    {
        FakeHttpServer registry;
        FakeHttpServer cdn;
        cdn.on("/blob", pattern(5000));
        const std::string cdnUrl = "http://cdn.test:" + std::to_string(cdn.port()) + "/blob?sig=abc";
        registry.on("/v2/x/blobs/sha256:ab", redirect(307, cdnUrl));
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request = get(registry, "/v2/x/blobs/sha256:ab");
        request.headers = {{"Authorization", "Bearer token123"}, {"Cookie", "c=1"}, {"Accept", "*/*"}};
        auto response = client.send(request, plain());
        CPPUNIT_ASSERT_EQUAL(200, response->status());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(5000), readAll(*response));
        CPPUNIT_ASSERT_EQUAL(cdnUrl, response->finalUrl());

        const FakeHttpServer::Seen first = registry.requests().at(0);
        CPPUNIT_ASSERT_EQUAL(std::string("Bearer token123"), first.headers.get("Authorization", ""));
        CPPUNIT_ASSERT_EQUAL(std::string("c=1"), first.headers.get("Cookie", ""));
        const FakeHttpServer::Seen second = cdn.requests().at(0);
        CPPUNIT_ASSERT(!second.headers.has("Authorization"));
        CPPUNIT_ASSERT(!second.headers.has("Cookie"));
        CPPUNIT_ASSERT_EQUAL(std::string("*/*"), second.headers.get("Accept", ""));
        CPPUNIT_ASSERT_EQUAL(std::string("/blob?sig=abc"), second.uri);
        CPPUNIT_ASSERT_EQUAL("cdn.test:" + std::to_string(cdn.port()), second.headers.get("Host", ""));
    }

    void relativeLocationIsFollowed()
    {
        FakeHttpServer server;
        server.on("/v2/x/blobs/old", redirect(302, "new?part=2"));
        server.on("/v2/x/blobs/new", pattern(10));
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request = get(server, "/v2/x/blobs/old");
        request.headers = {{"Authorization", "Bearer t"}};
        auto response = client.send(request, plain());
        CPPUNIT_ASSERT_EQUAL(200, response->status());
        CPPUNIT_ASSERT_EQUAL(url(server, "/v2/x/blobs/new?part=2"), response->finalUrl());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), readAll(*response));
        const auto seen = server.requests();
        CPPUNIT_ASSERT_EQUAL(std::string("Bearer t"), seen.at(1).headers.get("Authorization", ""));  // same origin
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), server.connectionCount());  // the redirect body was drained
    }

    void seeOtherTurnsIntoGet()
    {
        FakeHttpServer server;
        server.on("/a", redirect(303, "/b"));
        server.on("/b", pattern(3));
        UpstreamClient client(resolver(), settings());
        auto response = client.send(get(server, "/a"), plain());
        CPPUNIT_ASSERT_EQUAL(200, response->status());
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), server.requests().at(1).method);
    }

    void redirectIsNotFollowedUnlessAsked()
    {
        FakeHttpServer registry;
        FakeHttpServer elsewhere;
        elsewhere.on("/secret", pattern(10));
        registry.on("/v2/", redirect(302, "http://cdn.test:" + std::to_string(elsewhere.port()) + "/secret"));
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request = get(registry, "/v2/");
        request.followRedirects = false;
        auto response = client.send(request, plain());
        CPPUNIT_ASSERT_EQUAL(302, response->status());
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), elsewhere.requests().size());
    }

    void redirectToALoopbackHostIsRefused()
    {
        // cdn.test resolves to 127.0.0.1: an upstream must not steer the cache to its own machine.
        FakeHttpServer registry;
        FakeHttpServer inside;
        inside.on("/admin", pattern(10));
        registry.on("/v2/x/blobs/sha256:ab", redirect(307, "http://cdn.test:" + std::to_string(inside.port()) + "/admin"));
        UpstreamClient client(resolver(), settings());
        const UpstreamError error =
            errorOf([&] { client.send(get(registry, "/v2/x/blobs/sha256:ab"), publicOnly()); });
        ASSERT_KIND(UpstreamError::Kind::Connect, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "127.0.0.1, a loopback address"));
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "allow_private_redirects"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), inside.requests().size());

        auto allowed = client.send(get(registry, "/v2/x/blobs/sha256:ab"), plain());
        CPPUNIT_ASSERT_EQUAL(200, allowed->status());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), readAll(*allowed));
    }

    void redirectWithinTheUpstreamNeedsNoPermission()
    {
        FakeHttpServer server;
        server.on("/v2/x/blobs/old", redirect(302, "/v2/x/blobs/new"));
        server.on("/v2/x/blobs/new", pattern(10));
        UpstreamClient client(resolver(), settings());
        auto response = client.send(get(server, "/v2/x/blobs/old"), publicOnly());
        CPPUNIT_ASSERT_EQUAL(200, response->status());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), readAll(*response));
    }

    void otherHostThanTheTrustedUpstreamIsChecked()
    {
        // A token realm the upstream names is another origin than the configured upstream: checked like a redirect.
        FakeHttpServer registry;
        FakeHttpServer realm;
        realm.on("/token", pattern(10));
        EndpointSettings endpoint = publicOnly();
        endpoint.trustedUpstream = url(registry, "");
        UpstreamClient client(resolver(), settings());
        const UpstreamError error = errorOf([&] { client.send(get(realm, "/token"), endpoint); });
        ASSERT_KIND(UpstreamError::Kind::Connect, error);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), realm.requests().size());

        registry.on("/v2/", pattern(2));
        auto trusted = client.send(get(registry, "/v2/"), endpoint);
        CPPUNIT_ASSERT_EQUAL(200, trusted->status());
    }

    void redirectLoopIsTooManyRedirects()
    {
        FakeHttpServer server;
        server.on("/loop", redirect(302, "/loop?again=1"));
        ClientSettings limited = settings();
        limited.maxRedirects = 3;
        UpstreamClient client(resolver(), limited);
        const UpstreamError error = errorOf([&] { client.send(get(server, "/loop"), plain()); });
        ASSERT_KIND(UpstreamError::Kind::TooManyRedirects, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "GET " + url(server, "/loop")));
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "more than 3 redirects"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), server.requestCount("/loop"));
    }

    void refusedConnectionNamesHostAndPort()
    {
        const std::uint16_t port = closedPort();
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request;
        request.url = "http://registry.test:" + std::to_string(port) + "/v2/";
        const UpstreamError error = errorOf([&] { client.send(request, plain()); });
        ASSERT_KIND(UpstreamError::Kind::Connect, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "GET " + request.url));
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "registry.test:" + std::to_string(port)));
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "connection refused"));
    }

    void unknownHostIsConnectError()
    {
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request;
        request.url = "https://missing.test/v2/";
        const UpstreamError error = errorOf([&] { client.send(request, {}); });
        ASSERT_KIND(UpstreamError::Kind::Connect, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "cannot resolve missing.test"));
    }

    void silentServerTimesOut()
    {
        // Listening but never accepting: the kernel completes the handshake, nobody ever answers.
        Poco::Net::ServerSocket silent(Poco::Net::SocketAddress("127.0.0.1", 0));
        ClientSettings quick = settings();
        quick.readTimeout = 300ms;
        UpstreamClient client(resolver(), quick);
        UpstreamRequest request;
        request.url = "http://registry.test:" + std::to_string(silent.address().port()) + "/v2/";
        const auto start = std::chrono::steady_clock::now();
        const UpstreamError error = errorOf([&] { client.send(request, plain()); });
        const auto took = std::chrono::steady_clock::now() - start;
        ASSERT_KIND(UpstreamError::Kind::Timeout, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(), took >= 250ms && took < 3s);
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "no response within 300 ms"));
    }

    void bodyCutShortIsDistinguishable()
    {
        FakeHttpServer server;
        server.on("/cut", [](HTTPServerRequest&, HTTPServerResponse& response) {
            response.setContentLength64(100000);
            response.setKeepAlive(false);  // the server closes after the handler: 1000 of 100000 bytes sent
            std::ostream& out = response.send();
            out << std::string(1000, 'x');
        });
        server.on("/whole", pattern(1000));
        UpstreamClient client(resolver(), settings());

        auto whole = client.send(get(server, "/whole"), plain());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(1000), readAll(*whole));  // clean end: eof, no exception
        CPPUNIT_ASSERT(whole->body().eof() && !whole->body().bad());

        auto cut = client.send(get(server, "/cut"), plain());
        std::uint64_t got = 0;
        const UpstreamError error = errorOf([&] { got = readAll(*cut); });
        ASSERT_KIND(UpstreamError::Kind::Protocol, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "GET " + url(server, "/cut")));
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "1000 of 100000"));
        CPPUNIT_ASSERT(cut->body().bad());
    }

    void chunkedBodyCutShortIsDistinguishable()
    {
        const std::string cut = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n10\r\nonly-part";
        RawServer raw(RawServer::Script{{cut, ""}});
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request;
        request.url = "http://registry.test:" + std::to_string(raw.port()) + "/v2/x";
        auto response = client.send(request, plain());
        const UpstreamError error = errorOf([&] { readAll(*response); });
        ASSERT_KIND(UpstreamError::Kind::Protocol, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "inside a chunk"));
    }

    void stalledBodyTimesOut()
    {
        RawServer raw(RawServer::Script{{"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly ten b", "hang"}});
        ClientSettings quick = settings();
        quick.readTimeout = 300ms;
        UpstreamClient client(resolver(), quick);
        UpstreamRequest request;
        request.url = "http://registry.test:" + std::to_string(raw.port()) + "/v2/x";
        auto response = client.send(request, plain());
        const auto start = std::chrono::steady_clock::now();
        const UpstreamError error = errorOf([&] { readAll(*response); });
        ASSERT_KIND(UpstreamError::Kind::Timeout, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(), std::chrono::steady_clock::now() - start < 3s);
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "after 10 bytes"));
    }

    void deadPooledConnectionIsRetriedOnce()
    {
        // First connection: answers one request, then reads the second and closes without a word (a keep-alive
        // connection the server dropped just as it was reused). Second connection answers.
        const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        RawServer raw(RawServer::Script{{ok, "read+close"}, {ok, "hang"}});
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request;
        request.url = "http://registry.test:" + std::to_string(raw.port()) + "/v2/";
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), readAll(*client.send(request, plain())));
        auto second = client.send(request, plain());
        CPPUNIT_ASSERT_EQUAL(200, second->status());
        CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), readAll(*second));
        CPPUNIT_ASSERT_EQUAL(2, raw.connections());
    }

    void plainHttpIsRefusedWithoutTheFlag()
    {
        FakeHttpServer server;
        UpstreamClient client(resolver(), settings());
        const UpstreamError error = errorOf([&] { client.send(get(server, "/v2/"), EndpointSettings{}); });
        ASSERT_KIND(UpstreamError::Kind::Connect, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(),
                               contains(error.what(), "plain http not allowed for GET " + url(server, "/v2/")));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), server.requests().size());
    }

    void plainHttpRedirectIsRefusedWithoutTheFlag()
    {
        // An https registry may not send us to a plain http CDN unless plain http is allowed.
        TlsFiles tls;
        FakeHttpServer registry(tls.serverContext());
        registry.on("/v2/x", redirect(302, "http://cdn.test:1/blob"));
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request;
        request.url = "https://registry.test:" + std::to_string(registry.port()) + "/v2/x";
        request.followRedirects = true;
        const UpstreamError error = errorOf([&] { client.send(request, EndpointSettings{false, tls.caFile(), false, ""}); });
        ASSERT_KIND(UpstreamError::Kind::Connect, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(),
                               contains(error.what(), "plain http not allowed for GET http://cdn.test:1/blob"));
    }

    void httpsToAPlainServerFailsQuickly()
    {
        // A plain HTTP server that answers the ClientHello with a 400, as most do.
        RawServer raw(
            RawServer::Script{{"!HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"}});
        ClientSettings quick = settings();
        quick.connectTimeout = 500ms;
        UpstreamClient client(resolver(), quick);
        UpstreamRequest request;
        request.url = "https://registry.test:" + std::to_string(raw.port()) + "/v2/";
        auto start = std::chrono::steady_clock::now();
        const UpstreamError error = errorOf([&] { client.send(request, {}); });
        ASSERT_KIND(UpstreamError::Kind::Connect, error);
        CPPUNIT_ASSERT_MESSAGE(error.what(), std::chrono::steady_clock::now() - start < 3s);
        CPPUNIT_ASSERT_MESSAGE(error.what(), contains(error.what(), "TLS handshake with registry.test:"));

        // POCO's HTTP server answers the ClientHello with a 400 or waits for the rest of a "request line",
        // depending on the random bytes in it: a handshake failure or a handshake timeout, quickly either way.
        FakeHttpServer plainServer;
        request.url = "https://registry.test:" + std::to_string(plainServer.port()) + "/v2/";
        start = std::chrono::steady_clock::now();
        const UpstreamError plainError = errorOf([&] { client.send(request, {}); });
        CPPUNIT_ASSERT_MESSAGE(plainError.what(), plainError.kind() == UpstreamError::Kind::Connect ||
                                                      plainError.kind() == UpstreamError::Kind::Timeout);
        CPPUNIT_ASSERT_MESSAGE(plainError.what(), contains(plainError.what(), "TLS handshake with registry.test:"));
        CPPUNIT_ASSERT_MESSAGE(plainError.what(), std::chrono::steady_clock::now() - start < 3s);

        // A server that accepts and never says a word: the handshake times out within connectTimeout.
        RawServer silent(RawServer::Script{{"hang"}});
        request.url = "https://registry.test:" + std::to_string(silent.port()) + "/v2/";
        start = std::chrono::steady_clock::now();
        const UpstreamError timeout = errorOf([&] { client.send(request, {}); });
        const auto took = std::chrono::steady_clock::now() - start;
        ASSERT_KIND(UpstreamError::Kind::Timeout, timeout);
        CPPUNIT_ASSERT_MESSAGE(timeout.what(), took >= 400ms && took < 3s);
        CPPUNIT_ASSERT_MESSAGE(timeout.what(), contains(timeout.what(), "TLS handshake with registry.test:"));
    }

    void queryAndHeaderValuesStayOutOfMessages()
    {
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request;
        request.url = "http://registry.test:" + std::to_string(closedPort()) + "/blob?X-Amz-Signature=secretsig";
        request.headers = {{"Authorization", "Bearer secrettoken"}};
        request.followRedirects = true;
        const UpstreamError refused = errorOf([&] { client.send(request, plain()); });
        CPPUNIT_ASSERT_MESSAGE(refused.what(), !contains(refused.what(), "secret"));
        CPPUNIT_ASSERT_MESSAGE(refused.what(), !contains(refused.what(), "?"));
        CPPUNIT_ASSERT_MESSAGE(refused.what(), contains(refused.what(), "/blob"));

        FakeHttpServer server;
        server.on("/loop", redirect(302, "/loop?token=secretloop"));
        request.url = url(server, "/loop?sig=secretsig");
        const UpstreamError loop = errorOf([&] { client.send(request, plain()); });
        CPPUNIT_ASSERT_MESSAGE(loop.what(), !contains(loop.what(), "secret"));

        const UpstreamError refusedPlain = errorOf([&] { client.send(request, EndpointSettings{}); });
        CPPUNIT_ASSERT_MESSAGE(refusedPlain.what(), !contains(refusedPlain.what(), "secret"));
    }

    void onlyAbsoluteHttpUrlsAreAccepted()
    {
        UpstreamClient client(resolver(), settings());
        for (const char* bad : {"/v2/", "ftp://registry.test/x", "registry.test/v2/", "http://:80/", "http://h:0/",
                                "http://h:99999/", "http://[::1/"}) {
            UpstreamRequest request;
            request.url = bad;
            CPPUNIT_ASSERT_THROW_MESSAGE(bad, client.send(request, plain()), std::invalid_argument);
        }
        UpstreamRequest post;
        post.method = "POST";
        post.url = "http://registry.test/";
        CPPUNIT_ASSERT_THROW(client.send(post, plain()), std::invalid_argument);
    }

    void concurrentRequestsFromEightThreads()
    {
        FakeHttpServer server;
        server.on("/blob", pattern(200000));
        server.on("/small", pattern(10, true));
        UpstreamClient client(resolver(), settings());
        std::atomic<int> good{0};
        std::atomic<int> bad{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 10; ++i) {
                    try {
                        auto response = client.send(get(server, (i + t) % 2 ? "/blob" : "/small"), plain());
                        std::string data;
                        readAll(*response, &data);
                        const bool whole = data.size() == ((i + t) % 2 ? 200000u : 10u) && isPattern(data);
                        (whole ? good : bad)++;
                    } catch (const std::exception&) {
                        bad++;
                    }
                }
            });
        for (std::thread& thread : threads)
            thread.join();
        CPPUNIT_ASSERT_EQUAL(0, bad.load());
        CPPUNIT_ASSERT_EQUAL(80, good.load());
        CPPUNIT_ASSERT_MESSAGE(std::to_string(server.connectionCount()), server.connectionCount() <= 16);
    }

    void httpsVerifiesWithTheCaFile()
    {
        TlsFiles tls;
        FakeHttpServer server(tls.serverContext());
        server.on("/v2/x", pattern(300000));
        UpstreamClient client(resolver(), settings());
        UpstreamRequest request;
        request.url = "https://registry.test:" + std::to_string(server.port()) + "/v2/x";
        const EndpointSettings trusted{false, tls.caFile(), false, ""};
        for (int i = 0; i < 2; ++i) {
            auto response = client.send(request, trusted);
            std::string data;
            CPPUNIT_ASSERT_EQUAL(std::uint64_t(300000), readAll(*response, &data));
            CPPUNIT_ASSERT(isPattern(data));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), server.connectionCount());

        const UpstreamError untrusted = errorOf([&] { client.send(request, EndpointSettings{}); });
        ASSERT_KIND(UpstreamError::Kind::Connect, untrusted);
        CPPUNIT_ASSERT_MESSAGE(untrusted.what(),
                               contains(untrusted.what(), "certificate of registry.test is not trusted"));

        UpstreamRequest otherName = request;
        otherName.url = "https://other.test:" + std::to_string(server.port()) + "/v2/x";
        const UpstreamError mismatch = errorOf([&] { client.send(otherName, trusted); });
        ASSERT_KIND(UpstreamError::Kind::Connect, mismatch);
        CPPUNIT_ASSERT_MESSAGE(mismatch.what(), contains(mismatch.what(), "not valid for other.test"));

        UpstreamRequest byAddress = request;
        byAddress.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/v2/x";
        ASSERT_KIND(UpstreamError::Kind::Connect, errorOf([&] { client.send(byAddress, trusted); }));

        const UpstreamError missingCa =
            errorOf([&] { client.send(request, EndpointSettings{false, tls.file("missing.pem"), false, ""}); });
        ASSERT_KIND(UpstreamError::Kind::Connect, missingCa);
        CPPUNIT_ASSERT_MESSAGE(missingCa.what(), contains(missingCa.what(), "missing.pem"));
    }

private:
    /// A CA and a server certificate for registry.test, made with the openssl command into a temp dir.
    class TlsFiles {
    public:
        TlsFiles()
        {
            const std::string d = dir_.path();
            dir_.write("ext.cnf", "subjectAltName=DNS:registry.test\nbasicConstraints=CA:FALSE\n"
                                  "extendedKeyUsage=serverAuth\n");
            const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
            run("openssl req -x509" + ec + " -keyout " + d + "/ca.key -out " + d +
                "/ca.pem -subj /CN=Vicary-Test-CA -days 2 -addext basicConstraints=critical,CA:TRUE"
                " -addext keyUsage=critical,keyCertSign,cRLSign");
            run("openssl req" + ec + " -keyout " + d + "/server.key -out " + d + "/server.csr -subj /CN=registry.test");
            run("openssl x509 -req -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d +
                "/ca.key -set_serial 7 -out " + d + "/server.pem -days 2 -extfile " + d + "/ext.cnf");
        }
        std::string caFile() const { return dir_.file("ca.pem"); }
        std::string file(const std::string& name) const { return dir_.file(name); }
        Poco::Net::Context::Ptr serverContext() const
        {
            return new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, dir_.file("server.key"),
                                          dir_.file("server.pem"), "", Poco::Net::Context::VERIFY_NONE);
        }

    private:
        static void run(const std::string& command)
        {
            const int status = std::system((command + " >/dev/null 2>&1").c_str());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(command, 0, status);
        }
        vicary::test::TempDir dir_;
    };

    static std::shared_ptr<const DnsResolver> resolver() { return std::make_shared<TestResolver>(); }

    static ClientSettings settings()
    {
        ClientSettings s;
        s.connectTimeout = 2000ms;
        s.readTimeout = 5000ms;
        return s;
    }

    /// Plain http, and redirects may lead anywhere: every fake server listens on loopback.
    static EndpointSettings plain() { return EndpointSettings{true, "", true, ""}; }
    /// Plain http, redirects only to public addresses: what a registry gets by default.
    static EndpointSettings publicOnly() { return EndpointSettings{true, "", false, ""}; }

    static std::string url(const FakeHttpServer& server, const std::string& target)
    {
        return "http://registry.test:" + std::to_string(server.port()) + target;
    }

    static UpstreamRequest get(const FakeHttpServer& server, const std::string& target)
    {
        UpstreamRequest request;
        request.url = url(server, target);
        request.followRedirects = true;
        return request;
    }
};

}  // namespace vicary::upstream

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::upstream::UpstreamClientTest, "upstream");
