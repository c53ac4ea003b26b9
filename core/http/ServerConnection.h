// One client connection: POCO's HTTP/1.1 request and response objects, served one request at a time.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>

#include "http/ConnectionWatch.h"
#include "http/ServerSession.h"

namespace vicary::http {

class KeepAliveReactor;

/// What serves the requests of one connection, whichever thread it is on.
struct RequestServer {
    Poco::Net::HTTPServerParams::Ptr params;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory;

    /// Reads one request head from `session` and answers it, as POCO's HTTPServerConnection does; `served` counts
    /// the requests of the connection ([server] max_keep_alive_requests). Returns whether the connection stays open
    /// for another request. A refused head gets its 400, 414 or 431 with an OCI JSON error, a request no handler
    /// takes 501, and a request with a body (never read) its answer; all three end the connection. Network errors
    /// are rethrown; a client that closed between requests is not an error (returns false).
    bool serveOne(ServerSession& session, int& served);
};

/// A newly accepted connection. Plain HTTP ones go to the KeepAliveReactor, which serves each request on whichever
/// worker is free and parks the connection in between. TLS ones are served start to end on this thread, waiting
/// for each next request with one poll(2) (POCO 1.11's Socket::poll creates and closes an epoll instance per call),
/// inside a ConnectionWatch scope ([server] header_timeout).
class ServerConnection final : public Poco::Net::TCPServerConnection {
public:
    ServerConnection(const Poco::Net::StreamSocket& socket, RequestServer& server, ConnectionWatch& watch,
                     KeepAliveReactor* reactor);

    void run() override;

private:
    RequestServer& server_;
    ConnectionWatch& watch_;
    KeepAliveReactor* reactor_;
};

}  // namespace vicary::http
