#include "http/HttpFrontend.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <Poco/Logger.h>
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

/// Sets the TCP congestion control accepted connections inherit, as `[server] congestion_control` says: "system"
/// leaves the system's; "auto" takes cubic, else reno (allowed to every user; at LAN round-trip times cubic behaves
/// like it), else the system's; a name is required. Client connections are on the LAN; with BBR, which paces every
/// segment with a timer when no fq qdisc does it, the same sendfile costs ~1.5 x the CPU (docs/BENCHMARKS.md).
void setCongestionControl(Poco::Net::ServerSocket& socket, const std::string& setting)
{
    if (setting == "system")
        return;
    const int fd = socket.impl()->sockfd();
    const auto refusal = [fd](const std::string& name) -> int {
        return ::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name.data(), static_cast<socklen_t>(name.size())) == 0
                   ? 0
                   : errno;
    };
    if (setting != "auto") {
        if (const int error = refusal(setting))
            throw std::runtime_error("[server] congestion_control: the kernel refuses \"" + setting + "\" (" +
                                     std::strerror(error) +
                                     "); /proc/sys/net/ipv4/tcp_allowed_congestion_control lists what this user may "
                                     "set; auto or system always work");
        return;
    }
    std::string refused;
    for (const std::string name : {"cubic", "reno"}) {
        const int error = refusal(name);
        if (error == 0) {
            if (!refused.empty())
                Poco::Logger::get("http").information("[server] congestion_control = auto: client connections use " +
                                                      name + "; refused: " + refused);
            return;
        }
        refused += (refused.empty() ? "" : ", ") + name + " (" + std::strerror(error) + ")";
    }
    Poco::Logger::get("http").warning(
        "[server] congestion_control = auto: client connections keep the system's congestion control; refused: " +
        refused);
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
        setCongestionControl(socket, settings.congestionControl);  // before the first connection can arrive
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
