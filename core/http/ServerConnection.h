// One client connection: POCO's HTTP/1.1 request and response objects, served one after another on a worker thread.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>

#include "http/ConnectionWatch.h"

namespace vicary::http {

/// The connection loop of POCO's HTTPServerConnection, with two differences that matter under load:
/// - between kept-alive requests it waits with a single poll(2) on the socket. POCO 1.11's Socket::poll creates,
///   registers and closes an epoll instance for every call: four system calls per request where one does;
/// - it runs inside a ConnectionWatch scope ([server] header_timeout).
/// Keep-alive follows [server] keep_alive, keep_alive_timeout and max_keep_alive_requests as POCO's does; a
/// malformed request head gets 400 and, like any error before a response was sent, ends the connection.
class ServerConnection final : public Poco::Net::TCPServerConnection {
public:
    ServerConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                     Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ConnectionWatch& watch);

    void run() override;

private:
    Poco::Net::HTTPServerParams::Ptr params_;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
    ConnectionWatch& watch_;
};

}  // namespace vicary::http
