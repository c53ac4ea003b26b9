#include "http/ServerConnection.h"

#include <cerrno>
#include <ctime>
#include <memory>
#include <string>

#include <poll.h>

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include "http/KeepAliveReactor.h"
#include "http/OciError.h"
#include "http/ServerRequest.h"
#include "http/ServerResponse.h"

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

/// The Date header for now: formatted once a second per thread, not for every response.
const std::string& httpDate()
{
    thread_local std::time_t second = -1;
    thread_local std::string text;
    const Poco::Timestamp now;
    const std::time_t current = now.epochTime();
    if (current != second) {
        second = current;
        text = Poco::DateTimeFormatter::format(now, Poco::DateTimeFormat::HTTP_FORMAT);
    }
    return text;
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

/// Answers a head ServerSession refused: its status, an OCI JSON error saying why, and the connection ends (what
/// follows cannot be told apart from the rest of the bad head).
void refuseHead(ServerSession& session, const HeadError& error)
{
    const auto status = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(error.status);
    Poco::Logger::get("http").information("client " + session.clientAddress().toString() + ": request refused (" +
                                          std::to_string(error.status) + "): " + error.message);
    ServerResponse response(session);
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    response.set("Date", httpDate());
    response.setKeepAlive(false);
    session.setKeepAlive(false);
    sendOciError(response, status, OciCode::Unsupported, "malformed request: " + error.message);
}

}  // namespace

bool RequestServer::serveOne(ServerSession& session, int& served)
{
    const int maxRequests = params->getMaxKeepAliveRequests();  // <= 0: no limit
    thread_local RequestHead head;                              // its field list keeps its capacity
    try {
        HeadError error;
        switch (session.readHead(head, error)) {
        case ServerSession::HeadRead::Closed: return false;  // the client closed the connection between requests
        case ServerSession::HeadRead::Refused: refuseHead(session, error); return false;
        case ServerSession::HeadRead::Complete: break;
        }
        ++served;
        const bool lastAllowed = maxRequests > 0 && served >= maxRequests;
        ServerResponse response(session);
        ServerRequest request(session, head, response, *params);
        session.finishHead();
        const bool keepAlive = params->getKeepAlive() && request.getKeepAlive() && !lastAllowed && !request.hasBody();
        response.answering(request);
        response.set("Date", httpDate());
        response.setVersion(request.getVersion());
        response.setKeepAlive(keepAlive);
        const std::string& server = params->getSoftwareVersion();
        if (!server.empty())
            response.set("Server", server);
        try {
            std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(factory->createRequestHandler(request));
            if (!handler) {
                sendError(session, Poco::Net::HTTPResponse::HTTP_NOT_IMPLEMENTED);
                return false;
            }
            handler->handleRequest(request, response);
            session.setKeepAlive(keepAlive && response.getKeepAlive());
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
        // TLS: a record already decrypted in full waits in OpenSSL, where poll(2) does not see it (SSL_pending).
        if (session.buffered() == 0 && (!socket().secure() || socket().available() == 0) &&
            !readable(socket(), first ? server_.params->getTimeout() : server_.params->getKeepAliveTimeout()))
            break;
        more = server_.serveOne(session, served);
    }
}

}  // namespace vicary::http
