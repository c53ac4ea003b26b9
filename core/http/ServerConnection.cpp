#include "http/ServerConnection.h"

#include <cerrno>
#include <memory>

#include <poll.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timestamp.h>

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

/// POCO's server session with its read-ahead count visible: a pipelined request already in the buffer needs no wait.
class Session final : public Poco::Net::HTTPServerSession {
public:
    using HTTPServerSession::HTTPServerSession;
    using HTTPServerSession::buffered;
};

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

ServerConnection::ServerConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                                   Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ConnectionWatch& watch)
    : TCPServerConnection(socket), params_(std::move(params)), factory_(std::move(factory)), watch_(watch)
{
}

void ServerConnection::run()
{
    ConnectionWatch::Scope scope(watch_, socket());
    const std::string server = params_->getSoftwareVersion();
    Session session(socket(), params_);
    const int maxRequests = params_->getMaxKeepAliveRequests();  // <= 0: no limit
    int served = 0;
    bool first = true;
    while (true) {
        if (!first && !session.getKeepAlive())
            break;
        if (session.buffered() == 0 &&
            !readable(socket(), first ? params_->getTimeout() : params_->getKeepAliveTimeout()))
            break;
        first = false;
        ++served;
        const bool lastAllowed = maxRequests > 0 && served >= maxRequests;
        try {
            Poco::Net::HTTPServerResponseImpl response(session);
            Poco::Net::HTTPServerRequestImpl request(response, session, params_);
            response.setDate(Poco::Timestamp());
            response.setVersion(request.getVersion());
            response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() && !lastAllowed);
            if (!server.empty())
                response.set("Server", server);
            try {
                std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(factory_->createRequestHandler(request));
                if (!handler) {
                    sendError(session, Poco::Net::HTTPResponse::HTTP_NOT_IMPLEMENTED);
                    break;
                }
                if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK)
                    response.sendContinue();
                handler->handleRequest(request, response);
                session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() && !lastAllowed);
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
            break;  // the client closed the connection between requests
        } catch (const Poco::Net::MessageException&) {
            sendError(session, Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
            break;
        } catch (const Poco::Exception&) {
            if (session.networkException() != nullptr)
                session.networkException()->rethrow();
            throw;
        }
    }
}

}  // namespace vicary::http
