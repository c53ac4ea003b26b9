#include "support/FakeHttpServer.h"

#include <set>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

namespace vicary::test {

namespace {

class ScriptedHandler : public Poco::Net::HTTPRequestHandler {
public:
    explicit ScriptedHandler(FakeHttpServer& server) : server_(server) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
    {
        FakeHttpServer::Handler handler = server_.record(request);
        if (handler) {
            handler(request, response);
            return;
        }
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        response.setContentLength(0);
        response.send();
    }

private:
    FakeHttpServer& server_;
};

class ScriptedFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit ScriptedFactory(FakeHttpServer& server) : server_(server) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
    {
        return new ScriptedHandler(server_);
    }

private:
    FakeHttpServer& server_;
};

}  // namespace

FakeHttpServer::FakeHttpServer(Poco::Net::Context::Ptr tls) : threads_(2, 64)
{
    const Poco::Net::SocketAddress address("127.0.0.1", 0);
    Poco::Net::ServerSocket socket =
        tls ? Poco::Net::SecureServerSocket(address, 64, tls) : Poco::Net::ServerSocket(address, 64);
    port_ = socket.address().port();
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(1000);
    params->setKeepAliveTimeout(Poco::Timespan(10, 0));
    params->setTimeout(Poco::Timespan(10, 0));
    params->setMaxThreads(64);
    params->setMaxQueued(128);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new ScriptedFactory(*this), threads_, socket, params);
    server_->start();
}

FakeHttpServer::~FakeHttpServer()
{
    server_->stopAll(true);
    server_.reset();
    threads_.joinAll();
}

void FakeHttpServer::on(const std::string& path, Handler handler)
{
    std::lock_guard<std::mutex> lock(mutex_);
    handlers_[path] = std::move(handler);
}

std::vector<FakeHttpServer::Seen> FakeHttpServer::requests() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
}

std::size_t FakeHttpServer::requestCount(const std::string& path) const
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::size_t count = 0;
    for (const Seen& seen : seen_)
        if (seen.uri.substr(0, seen.uri.find('?')) == path)
            ++count;
    return count;
}

std::size_t FakeHttpServer::connectionCount() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::set<std::string> clients;
    for (const Seen& seen : seen_)
        clients.insert(seen.clientAddress);
    return clients.size();
}

FakeHttpServer::Handler FakeHttpServer::record(const Poco::Net::HTTPServerRequest& request)
{
    Seen seen;
    seen.method = request.getMethod();
    seen.uri = request.getURI();
    seen.clientAddress = request.clientAddress().toString();
    for (const auto& [name, value] : request)
        seen.headers.add(name, value);
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back(std::move(seen));
    auto found = handlers_.find(seen_.back().uri.substr(0, seen_.back().uri.find('?')));
    return found == handlers_.end() ? Handler() : found->second;
}

}  // namespace vicary::test
