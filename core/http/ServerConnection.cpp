#include "http/ServerConnection.h"

#include <cerrno>
#include <ctime>
#include <memory>
#include <ostream>
#include <string>

#include <poll.h>

#include <Poco/Net/HTTPFixedLengthStream.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/NetException.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include "http/BodySender.h"
#include "http/KeepAliveReactor.h"
#include "http/OciError.h"
#include "http/ServerRequest.h"

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

/// POCO's response, but its status line and headers are formatted once. POCO 1.11 writes them twice for every
/// response with a Content-Length and for every HEAD answer: once through an unbuffered counting stream to learn
/// their length, then for real (about 5 % of the CPU of a manifest HEAD). The bytes sent are the same.
class ServerResponse final : public Poco::Net::HTTPServerResponseImpl {
public:
    explicit ServerResponse(Poco::Net::HTTPServerSession& session) : HTTPServerResponseImpl(session), session_(session)
    {
    }

    /// The request this answers (its method decides whether a body follows).
    void answering(const Poco::Net::HTTPServerRequest& request)
    {
        head_ = request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD;
    }

    std::ostream& send() override
    {
        if (headSent_)
            return nowhere();
        const int status = getStatus();
        const bool bodiless = head_ || status < 200 || status == HTTP_NO_CONTENT || status == HTTP_NOT_MODIFIED;
        if (stream_ || (!bodiless && (getChunkedTransferEncoding() || !hasContentLength())))
            return HTTPServerResponseImpl::send();  // chunked or until-close bodies: POCO's way (no counting there)
        const std::string head = formatHead();
        if (bodiless) {
            // Nothing follows the head: send it as it is, without a stream (POCO's streams take a pooled buffer
            // under a process-wide lock). What a handler writes to the returned stream goes nowhere, as with POCO's.
            headSent_ = true;
            if (!sendAll(session_.socket(), head.data(), head.size()))
                throw Poco::Net::NetException("connection closed while sending a response head");
            return nowhere();
        }
        const auto length = static_cast<Poco::Net::HTTPFixedLengthStreamBuf::ContentLength>(head.size()) +
                            (bodiless ? 0 : getContentLength64());
        stream_ = std::make_unique<Poco::Net::HTTPFixedLengthOutputStream>(session_, length);
        stream_->write(head.data(), static_cast<std::streamsize>(head.size()));
        return *stream_;
    }

    bool sent() const override { return headSent_ || stream_ != nullptr || HTTPServerResponseImpl::sent(); }

private:
    /// Where the body of a bodiless answer goes: a stream without a buffer, so every write fails silently.
    static std::ostream& nowhere()
    {
        thread_local std::ostream stream(nullptr);
        stream.clear(std::ios::badbit);
        return stream;
    }

    /// As HTTPResponse::write: status line, header fields in order, blank line.
    std::string formatHead() const
    {
        std::string text;
        text.reserve(512);
        text.append(getVersion()).append(" ").append(std::to_string(static_cast<int>(getStatus())));
        text.append(" ").append(getReason()).append("\r\n");
        for (const auto& field : *this)
            text.append(field.first).append(": ").append(field.second).append("\r\n");
        text.append("\r\n");
        return text;
    }

    Poco::Net::HTTPServerSession& session_;
    std::unique_ptr<Poco::Net::HTTPFixedLengthOutputStream> stream_;
    bool head_ = false;
    bool headSent_ = false;
};

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
