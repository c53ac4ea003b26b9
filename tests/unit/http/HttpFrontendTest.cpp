// The HTTP skeleton on an ephemeral loopback port: API version check, health, and JSON errors for everything else.
#include <cppunit/extensions/HelperMacros.h>

#include <sstream>
#include <vector>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/Thread.h>

#include "http/BaseRoutes.h"
#include "http/HttpFrontend.h"
#include "http/RequestRouter.h"

namespace vicary::http {
namespace {

struct Reply {
    int status = 0;
    std::string body;
    Poco::Net::HTTPResponse response;
};

}  // namespace

class HttpFrontendTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HttpFrontendTest);
    CPPUNIT_TEST(bindsAnEphemeralPort);
    CPPUNIT_TEST(answersApiVersionCheck);
    CPPUNIT_TEST(answersHeadWithoutBody);
    CPPUNIT_TEST(answersHealth);
    CPPUNIT_TEST(unknownPathIsJsonNotFound);
    CPPUNIT_TEST(writeMethodsAreUnsupported);
    CPPUNIT_TEST(malformedTargetIsJsonBadRequest);
    CPPUNIT_TEST(keepsTheConnectionAlive);
    CPPUNIT_TEST(refusesAPortInUse);
    CPPUNIT_TEST(answersPipelinedRequestsInOrder);
    CPPUNIT_TEST(answersAHeadSentAByteAtATime);
    CPPUNIT_TEST(refusesAMalformedHeadWithAJsonErrorAndCloses);
    CPPUNIT_TEST(refusesAnOverlongTargetBeforeItEnds);
    CPPUNIT_TEST(closesAfterARequestWithABody);
    CPPUNIT_TEST(keepsAtMostThreadsPlusQueueConnections);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override
    {
        config::ServerSettings settings;
        settings.bind = "127.0.0.1";
        settings.port = 0;
        settings.threads = 4;
        auto* router = new RequestRouter;
        router->add(std::make_unique<ApiVersionRoute>());
        router->add(std::make_unique<HealthRoute>());
        frontend_ = std::make_unique<HttpFrontend>(settings, Poco::Net::HTTPRequestHandlerFactory::Ptr(router));
        frontend_->start();
        session_ = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", frontend_->port());
        session_->setTimeout(Poco::Timespan(10, 0));
    }

    void tearDown() override
    {
        session_.reset();
        frontend_->stop();
        frontend_.reset();
    }

    void bindsAnEphemeralPort() { CPPUNIT_ASSERT(frontend_->port() != 0); }

    void answersApiVersionCheck()
    {
        Reply reply = request("GET", "/v2/");
        CPPUNIT_ASSERT_EQUAL(200, reply.status);
        CPPUNIT_ASSERT_EQUAL(std::string("registry/2.0"), reply.response.get("Docker-Distribution-API-Version"));
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), reply.response.getContentType());
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), reply.body);
        CPPUNIT_ASSERT_EQUAL(200, request("GET", "/v2").status);
    }

    void answersHeadWithoutBody()
    {
        Reply reply = request("HEAD", "/v2/");
        CPPUNIT_ASSERT_EQUAL(200, reply.status);
        CPPUNIT_ASSERT_EQUAL(std::string("registry/2.0"), reply.response.get("Docker-Distribution-API-Version"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), reply.body);
        // The connection is still usable: no stray body bytes were sent after the headers.
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), request("GET", "/v2/").body);
    }

    void answersHealth()
    {
        Reply reply = request("GET", "/healthz");
        CPPUNIT_ASSERT_EQUAL(200, reply.status);
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), parse(reply.body)->getValue<std::string>("status"));
    }

    void unknownPathIsJsonNotFound()
    {
        Reply reply = request("GET", "/v2/library/alpine/manifests/latest?x=1");
        CPPUNIT_ASSERT_EQUAL(404, reply.status);
        assertOciError(reply, "NAME_UNKNOWN");
        CPPUNIT_ASSERT_EQUAL(404, request("GET", "/index.html").status);
    }

    void writeMethodsAreUnsupported()
    {
        for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
            Reply reply = request(method, "/v2/library/alpine/blobs/uploads/");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(method, 405, reply.status);
            CPPUNIT_ASSERT_EQUAL(std::string("GET, HEAD"), reply.response.get("Allow"));
            assertOciError(reply, "UNSUPPORTED");
        }
    }

    void malformedTargetIsJsonBadRequest()
    {
        Reply reply = request("GET", "/v2/%zz");
        CPPUNIT_ASSERT_EQUAL(400, reply.status);
        assertOciError(reply, "UNSUPPORTED");
    }

    void keepsTheConnectionAlive()
    {
        CPPUNIT_ASSERT_EQUAL(200, request("GET", "/v2/").status);
        CPPUNIT_ASSERT_EQUAL(200, request("GET", "/healthz").status);
        CPPUNIT_ASSERT(session_->connected());
    }

    void refusesAPortInUse()
    {
        config::ServerSettings settings;
        settings.bind = "127.0.0.1";
        settings.port = frontend_->port();
        try {
            HttpFrontend second(settings, new RequestRouter);
            CPPUNIT_FAIL("a second server bound the same port");
        } catch (const std::runtime_error& e) {
            const std::string message = e.what();
            CPPUNIT_ASSERT_MESSAGE(message,
                                   message.find("cannot listen on 127.0.0.1:" + std::to_string(frontend_->port())) == 0);
        }
    }

    // Two requests in one packet (HTTP/1.1 pipelining): both answered, in order, each head well formed and each
    // body exactly its Content-Length; then the connection still takes a third request.
    void answersPipelinedRequestsInOrder()
    {
        Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", frontend_->port()));
        socket.setReceiveTimeout(Poco::Timespan(10, 0));
        const std::string two = "HEAD /v2/ HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
        socket.sendBytes(two.data(), static_cast<int>(two.size()));
        std::string buffer;
        const auto first = readResponse(socket, buffer, true);
        CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 200 OK"), first.first.substr(0, first.first.find("\r\n")));
        CPPUNIT_ASSERT(first.first.find("\r\nDocker-Distribution-API-Version: registry/2.0\r\n") != std::string::npos);
        CPPUNIT_ASSERT(first.second.empty());
        const auto second = readResponse(socket, buffer, false);
        CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 200 OK"), second.first.substr(0, second.first.find("\r\n")));
        CPPUNIT_ASSERT(!second.second.empty());
        const std::string third = "GET /v2/ HTTP/1.1\r\nHost: t\r\n\r\n";
        socket.sendBytes(third.data(), static_cast<int>(third.size()));
        const auto last = readResponse(socket, buffer, false);
        CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 200 OK"), last.first.substr(0, last.first.find("\r\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), last.second);
        CPPUNIT_ASSERT(buffer.empty());  // nothing beyond the three answers
    }

    void answersAHeadSentAByteAtATime()
    {
        Poco::Net::StreamSocket socket = connect();
        const std::string text = "\r\nGET /v2/ HTTP/1.1\r\nHost: t\r\nAccept: */*\r\n\r\n";
        for (const char c : text) {
            socket.sendBytes(&c, 1);
            Poco::Thread::sleep(1);
        }
        std::string buffer;
        const auto reply = readResponse(socket, buffer, false);
        CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 200 OK"), reply.first.substr(0, reply.first.find("\r\n")));
        CPPUNIT_ASSERT_EQUAL(std::string("{}"), reply.second);
    }

    void refusesAMalformedHeadWithAJsonErrorAndCloses()
    {
        Poco::Net::StreamSocket socket = connect();
        send(socket, "GET /v2/ HTTP/1.1\r\nHost t\r\n\r\nGET /v2/ HTTP/1.1\r\n\r\n");
        std::string buffer;
        const auto reply = readResponse(socket, buffer, false);
        CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 400 Bad Request"), reply.first.substr(0, reply.first.find("\r\n")));
        CPPUNIT_ASSERT(reply.first.find("\r\nConnection: Close\r\n") != std::string::npos);
        CPPUNIT_ASSERT(reply.first.find("\r\nContent-Type: application/json\r\n") != std::string::npos);
        auto error = parse(reply.second)->getArray("errors")->getObject(0);
        CPPUNIT_ASSERT_EQUAL(std::string("UNSUPPORTED"), error->getValue<std::string>("code"));
        const std::string message = error->getValue<std::string>("message");
        CPPUNIT_ASSERT_MESSAGE(message, message.find("'Host t': no ':'") != std::string::npos);
        assertClosed(socket, buffer);  // the request after the bad head is not answered
    }

    void refusesAnOverlongTargetBeforeItEnds()
    {
        Poco::Net::StreamSocket socket = connect();
        send(socket, "GET /" + std::string(20000, 'a'));  // no line end yet
        std::string buffer;
        const auto reply = readResponse(socket, buffer, false);
        CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 414 Request-URI Too Large"),
                             reply.first.substr(0, reply.first.find("\r\n")));
        assertClosed(socket, buffer);
    }

    void closesAfterARequestWithABody()
    {
        // Vicary never reads a body: what follows the head must not be taken for the next request.
        Poco::Net::StreamSocket socket = connect();
        send(socket, "POST /v2/x/blobs/uploads/ HTTP/1.1\r\nContent-Length: 29\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n");
        std::string buffer;
        const auto reply = readResponse(socket, buffer, false);
        CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.1 405 Method Not Allowed"),
                             reply.first.substr(0, reply.first.find("\r\n")));
        CPPUNIT_ASSERT(reply.first.find("\r\nConnection: Close\r\n") != std::string::npos);
        assertClosed(socket, buffer);
    }

    void keepsAtMostThreadsPlusQueueConnections()
    {
        // Two acceptor threads hand connections over at once; neither may push the count past threads + queue.
        config::ServerSettings settings;
        settings.bind = "127.0.0.1";
        settings.port = 0;
        settings.threads = 2;
        settings.queue = 2;
        auto* router = new RequestRouter;
        router->add(std::make_unique<HealthRoute>());
        HttpFrontend bounded(settings, Poco::Net::HTTPRequestHandlerFactory::Ptr(router));
        bounded.start();
        const Poco::Net::SocketAddress address("127.0.0.1", bounded.port());
        std::vector<Poco::Net::StreamSocket> sockets;
        for (int i = 0; i < 40; ++i)
            sockets.emplace_back(address);
        const auto closedCount = [&sockets] {
            int closed = 0;
            for (auto& socket : sockets) {
                if (!socket.poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR))
                    continue;
                char byte = 0;
                try {
                    closed += socket.receiveBytes(&byte, 1, MSG_PEEK) == 0 ? 1 : 0;
                } catch (const Poco::Net::ConnectionResetException&) {
                    ++closed;
                }
            }
            return closed;
        };
        int closed = 0;
        for (int i = 0; i < 100 && closed < 36; ++i) {  // at most 5 s for the acceptor to refuse the rest
            Poco::Thread::sleep(50);
            closed = closedCount();
        }
        Poco::Thread::sleep(300);
        CPPUNIT_ASSERT_EQUAL_MESSAGE("connections refused of 40 with threads 2 + queue 2", 36, closedCount());
        // Closing the kept ones frees their places.
        sockets.clear();
        int status = 0;
        for (int i = 0; i < 100 && status != 200; ++i) {
            try {
                Poco::Net::HTTPClientSession session(address);
                session.setTimeout(Poco::Timespan(2, 0));
                Poco::Net::HTTPRequest request("GET", "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
                session.sendRequest(request);
                Poco::Net::HTTPResponse response;
                session.receiveResponse(response);
                status = response.getStatus();
            } catch (const Poco::Exception&) {
                Poco::Thread::sleep(50);  // still refused: the server has not seen the closes yet
            }
        }
        CPPUNIT_ASSERT_EQUAL(200, status);
        bounded.stop();
    }

private:
    Poco::Net::StreamSocket connect() const
    {
        Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", frontend_->port()));
        socket.setReceiveTimeout(Poco::Timespan(10, 0));
        socket.setNoDelay(true);
        return socket;
    }

    static void send(Poco::Net::StreamSocket& socket, const std::string& text)
    {
        for (std::size_t done = 0; done < text.size();)
            done += static_cast<std::size_t>(
                socket.sendBytes(text.data() + done, static_cast<int>(text.size() - done)));
    }

    /// Nothing more arrives on `socket`: the server closed it.
    static void assertClosed(Poco::Net::StreamSocket& socket, const std::string& buffer)
    {
        CPPUNIT_ASSERT_EQUAL(std::string(), buffer);
        char byte = 0;
        int n = -1;
        try {
            n = socket.receiveBytes(&byte, 1);
        } catch (const Poco::Net::ConnectionResetException&) {
            n = 0;  // closed with the rest of the request unread: a reset is a close too
        }
        CPPUNIT_ASSERT_EQUAL(0, n);
    }

    /// Reads one response (head, and the body its Content-Length announces unless `head`) from `socket`, keeping
    /// bytes past it in `buffer`.
    static std::pair<std::string, std::string> readResponse(Poco::Net::StreamSocket& socket, std::string& buffer,
                                                            bool head)
    {
        auto fill = [&] {
            char chunk[4096];
            const int n = socket.receiveBytes(chunk, sizeof chunk);
            CPPUNIT_ASSERT_MESSAGE("the connection closed early", n > 0);
            buffer.append(chunk, static_cast<std::size_t>(n));
        };
        for (int i = 0; i < 100 && buffer.find("\r\n\r\n") == std::string::npos; ++i)
            fill();
        const std::size_t end = buffer.find("\r\n\r\n");
        CPPUNIT_ASSERT(end != std::string::npos);
        std::string headText = buffer.substr(0, end + 4);
        buffer.erase(0, end + 4);
        const std::size_t at = headText.find("\r\nContent-Length: ");
        CPPUNIT_ASSERT_MESSAGE(headText, at != std::string::npos);
        const std::size_t length = std::stoul(headText.substr(at + 18));
        std::string body;
        if (!head) {
            for (int i = 0; i < 100 && buffer.size() < length; ++i)
                fill();
            CPPUNIT_ASSERT(buffer.size() >= length);
            body = buffer.substr(0, length);
            buffer.erase(0, length);
        }
        return {headText, body};
    }

    Reply request(const std::string& method, const std::string& target)
    {
        Poco::Net::HTTPRequest req(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
        if (method == "POST" || method == "PUT" || method == "PATCH")
            req.setContentLength(0);
        session_->sendRequest(req);
        Reply reply;
        std::istream& in = session_->receiveResponse(reply.response);
        reply.status = reply.response.getStatus();
        if (method != "HEAD")
            Poco::StreamCopier::copyToString(in, reply.body);
        return reply;
    }

    static Poco::JSON::Object::Ptr parse(const std::string& body)
    {
        Poco::JSON::Parser parser;
        return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    }

    static void assertOciError(const Reply& reply, const std::string& code)
    {
        CPPUNIT_ASSERT_EQUAL(std::string("application/json"), reply.response.getContentType());
        auto errors = parse(reply.body)->getArray("errors");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), errors->size());
        CPPUNIT_ASSERT_EQUAL(code, errors->getObject(0)->getValue<std::string>("code"));
        CPPUNIT_ASSERT(!errors->getObject(0)->getValue<std::string>("message").empty());
    }

    std::unique_ptr<HttpFrontend> frontend_;
    std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(HttpFrontendTest, "http");

}  // namespace vicary::http
