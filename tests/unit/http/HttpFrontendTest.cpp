// The HTTP skeleton on an ephemeral loopback port: API version check, health, and JSON errors for everything else.
#include <cppunit/extensions/HelperMacros.h>

#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

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

private:
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
