#include "http/HttpFrontend.h"

#include <stdexcept>
#include <thread>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include "BuildInfo.h"
#include "http/KeepAliveReactor.h"
#include "http/ServerConnection.h"

namespace vicary::http {
namespace {

/// The TLS context for serving: TLS 1.2 and newer, forward-secret AEAD ciphers first, no client certificates.
Poco::Net::Context::Ptr serverContext(const config::ServerSettings& settings)
{
    Poco::Net::initializeSSL();
    Poco::Net::Context::Ptr context = new Poco::Net::Context(
        Poco::Net::Context::SERVER_USE, settings.tlsKey, settings.tlsCertificate, "", Poco::Net::Context::VERIFY_NONE,
        9, false, "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:!aNULL:!MD5:!RC4:!3DES");
    context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                              Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    context->preferServerCiphers();
    return context;
}

Poco::Net::ServerSocket bindSocket(const config::ServerSettings& settings)
{
    try {
        Poco::Net::SocketAddress address(settings.bind, settings.port);
        Poco::Net::ServerSocket socket = settings.tlsCertificate.empty()
                                             ? Poco::Net::ServerSocket()
                                             : Poco::Net::SecureServerSocket(serverContext(settings));
        // SO_REUSEADDR for quick restarts, but not SO_REUSEPORT: a second vicary on the same port must fail.
        socket.bind(address, true, false);
        socket.listen(static_cast<int>(settings.queue));
        return socket;
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("cannot listen on " + settings.bind + ":" + std::to_string(settings.port) + ": " +
                                 e.displayText());
    }
}

class ConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
public:
    ConnectionFactory(RequestServer& server, ConnectionWatch& watch, KeepAliveReactor& reactor)
        : server_(server), watch_(watch), reactor_(reactor)
    {
    }

    Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override
    {
        return new ServerConnection(socket, server_, watch_, &reactor_);
    }

private:
    RequestServer& server_;
    ConnectionWatch& watch_;
    KeepAliveReactor& reactor_;
};

Poco::Net::HTTPServerParams::Ptr serverParams(const config::ServerSettings& settings)
{
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setServerName("vicary");
    params->setSoftwareVersion(std::string("vicary/") + build::kVersion);
    if (settings.tlsCertificate.empty()) {
        // Plain HTTP: the acceptor's threads only hand each connection to the KeepAliveReactor, which enforces
        // threads + queue itself; two threads and a queue that never refuses first are enough.
        params->setMaxThreads(2);
        params->setMaxQueued(static_cast<int>(settings.threads + settings.queue));
    } else {
        // TLS: a thread serves one connection start to end.
        params->setMaxThreads(static_cast<int>(settings.threads));
        params->setMaxQueued(static_cast<int>(settings.queue));
    }
    params->setKeepAlive(settings.keepAlive);
    params->setKeepAliveTimeout(Poco::Timespan(settings.keepAliveTimeout.count(), 0));
    params->setMaxKeepAliveRequests(static_cast<int>(settings.maxKeepAliveRequests));
    params->setTimeout(Poco::Timespan(settings.timeout.count(), 0));
    return params;
}

}  // namespace

HttpFrontend::HttpFrontend(const config::ServerSettings& settings, Poco::Net::HTTPRequestHandlerFactory::Ptr factory)
    : bind_(settings.bind)
{
    Poco::Net::ServerSocket socket = bindSocket(settings);
    port_ = socket.address().port();
    const Poco::Net::HTTPServerParams::Ptr params = serverParams(settings);
    threads_ = std::make_unique<Poco::ThreadPool>("http", 1, params->getMaxThreads());
    watch_ = std::make_unique<ConnectionWatch>(settings.headerTimeout, settings.keepAliveTimeout);
    requests_ = std::make_unique<RequestServer>(RequestServer{params, std::move(factory)});
    reactor_ = std::make_unique<KeepAliveReactor>(*requests_, *watch_, settings.threads,
                                                  settings.threads + settings.queue);
    server_ = std::make_unique<Poco::Net::TCPServer>(new ConnectionFactory(*requests_, *watch_, *reactor_),
                                                     *threads_, socket, params);
}

HttpFrontend::~HttpFrontend()
{
    stop(std::chrono::milliseconds(0));
}

void HttpFrontend::start()
{
    reactor_->start();
    server_->start();
    running_ = true;
}

void HttpFrontend::stop(std::chrono::milliseconds deadline, ActiveRequests* active)
{
    if (!running_)
        return;
    running_ = false;
    // No new connections; a connection that finishes its request is not kept alive for another.
    server_->stop();
    if (active != nullptr && active->waitIdle(deadline) > 0)
        active->abortAll();  // past the deadline: their clients see the transfer end early
    watch_->closeAll();  // idle kept-alive connections are closed now, not after their timeout
    reactor_->stop();
    threads_->joinAll();
}

std::string HttpFrontend::address() const
{
    return Poco::Net::SocketAddress(bind_, port_).toString();
}

}  // namespace vicary::http
