// The listening side: a POCO HTTPServer on the configured address, with the configured limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "config/Settings.h"
#include "http/ActiveRequests.h"
#include "http/ConnectionWatch.h"
#include "http/KeepAliveReactor.h"
#include "http/ServerConnection.h"

namespace Poco {
class ThreadPool;
namespace Net {
class TCPServer;
}
}  // namespace Poco

namespace vicary::http {

/// Serves HTTP with `factory` on [server] bind:port, with [server] threads, queue, keep-alive and timeouts; each
/// connection is watched (ConnectionWatch) for [server] header_timeout.
/// Not copyable; start and stop from one thread.
class HttpFrontend {
public:
    /// Binds the listening socket (port 0 picks a free one). Throws std::runtime_error naming the address when it
    /// cannot bind.
    HttpFrontend(const config::ServerSettings& settings, Poco::Net::HTTPRequestHandlerFactory::Ptr factory);
    ~HttpFrontend();
    HttpFrontend(const HttpFrontend&) = delete;
    HttpFrontend& operator=(const HttpFrontend&) = delete;

    /// Starts accepting connections.
    void start();
    /// Stops accepting, lets requests in progress (those in `active`, when given) finish for at most `deadline`,
    /// then ends the ones still running and closes every connection, and waits for the worker threads.
    void stop(std::chrono::milliseconds deadline = std::chrono::seconds(30), ActiveRequests* active = nullptr);
    /// Connections closed so far because no complete request head came within [server] header_timeout.
    std::uint64_t headerTimeouts() const { return watch_->expired(); }
    /// The port actually bound.
    std::uint16_t port() const noexcept { return port_; }
    /// "address:port" actually bound, for logs.
    std::string address() const;

private:
    std::unique_ptr<Poco::ThreadPool> threads_;
    std::unique_ptr<ConnectionWatch> watch_;  // outlives the server and the reactor: their connections use it
    std::unique_ptr<RequestServer> requests_;
    std::unique_ptr<KeepAliveReactor> reactor_;  // outlives the server, which hands it connections
    std::unique_ptr<Poco::Net::TCPServer> server_;
    std::string bind_;
    std::uint16_t port_ = 0;
    bool running_ = false;
};

}  // namespace vicary::http
