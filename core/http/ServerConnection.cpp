#include "http/ServerConnection.h"

#include <cerrno>
#include <memory>

#include <poll.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>

#include "http/KeepAliveReactor.h"

namespace vicary::http {
namespace {

/// Whether bytes (or the end of the stream) arrive on `socket` within `timeout`. EINTR restarts the wait with the
/// full timeout, at most a few times.
bool readable(const Poco::Net::StreamSocket& socket, const Poco::Timespan& timeout)
{
    pollfd entry{};
    entry.fd = socket.impl()->sockfd();
    entry.events = POLLIN;
    if (entry.fd < 0)
        return false;
    const int ms = static_cast<int>(timeout.totalMilliseconds());
    for (int attempt = 0; attempt < 8; ++attempt) {
        const int rc = ::poll(&entry, 1, ms);
        if (rc >= 0)
            return rc > 0;
        if (errno != EINTR)
            return false;
    }
    return false;
}

void sendError(Poco::Net::HTTPServerSession& session, Poco::Net::HTTPResponse::HTTPStatus status)
{
    Poco::Net::HTTPServerResponseImpl response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.setStatusAndReason(status);
    response.setKeepAlive(false);
    response.send();
    session.setKeepAlive(false);
}

}  // namespace

bool RequestServer::serveOne(ServerSession& session, int& served)
{
    const int maxRequests = params->getMaxKeepAliveRequests();  // <= 0: no limit
    ++served;
    const bool lastAllowed = maxRequests > 0 && served >= maxRequests;
    try {
        Poco::Net::HTTPServerResponseImpl response(session);
        Poco::Net::HTTPServerRequestImpl request(response, session, params.get());
        response.setDate(Poco::Timestamp());
        response.setVersion(request.getVersion());
        response.setKeepAlive(params->getKeepAlive() && request.getKeepAlive() && !lastAllowed);
        const std::string& server = params->getSoftwareVersion();
        if (!server.empty())
            response.set("Server", server);
        try {
            std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(factory->createRequestHandler(request));
            if (!handler) {
                sendError(session, Poco::Net::HTTPResponse::HTTP_NOT_IMPLEMENTED);
                return false;
            }
            if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK)
                response.sendContinue();
            handler->handleRequest(request, response);
            session.setKeepAlive(params->getKeepAlive() && response.getKeepAlive() && !lastAllowed);
        } catch (const Poco::Exception&) {
            if (!response.sent()) {
                try {
                    sendError(session, Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
                } catch (const Poco::Exception&) {
                    // the client is gone as well; the original error is reported below
                }
            }
            throw;
        }
    } catch (const Poco::Net::NoMessageException&) {
        return false;  // the client closed the connection between requests
    } catch (const Poco::Net::MessageException&) {
        sendError(session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
        return false;
    } catch (const Poco::Exception&) {
        if (session.networkException() != nullptr)
            session.networkException()->rethrow();
        throw;
    }
    return session.getKeepAlive();
}

ServerConnection::ServerConnection(const Poco::Net::StreamSocket& socket, RequestServer& server,
                                   ConnectionWatch& watch, KeepAliveReactor* reactor)
    : TCPServerConnection(socket), server_(server), watch_(watch), reactor_(reactor)
{
}

void ServerConnection::run()
{
    if (reactor_ != nullptr && !socket().secure()) {
        reactor_->adopt(socket());
        return;
    }
    ConnectionWatch::Scope scope(watch_, socket());
    ServerSession session(socket(), server_.params);
    int served = 0;
    bool more = true;
    for (bool first = true; more; first = false) {
        if (session.buffered() == 0 &&
            !readable(socket(), first ? server_.params->getTimeout() : server_.params->getKeepAliveTimeout()))
            break;
        more = server_.serveOne(session, served);
    }
}

}  // namespace vicary::http
