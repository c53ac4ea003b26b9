// A request as handlers see it: POCO's HTTPServerRequest, filled from a head ServerSession read and parsed.
#pragma once

#include <istream>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "http/RequestHead.h"
#include "http/ServerSession.h"

namespace vicary::http {

/// The request behind every HTTPServerRequest& a handler gets (the server creates no other kind). Method, target,
/// version and fields are copied from the parsed head, so the session's buffer may move on. Lives for one request.
class ServerRequest final : public Poco::Net::HTTPServerRequest {
public:
    ServerRequest(ServerSession& session, const RequestHead& head, Poco::Net::HTTPServerResponse& response,
                  const Poco::Net::HTTPServerParams& params);

    /// Always at its end: vicary serves GET and HEAD and never reads a request body.
    std::istream& stream() override;
    const Poco::Net::SocketAddress& clientAddress() const override { return client_; }
    const Poco::Net::SocketAddress& serverAddress() const override { return server_; }
    const Poco::Net::HTTPServerParams& serverParams() const override { return params_; }
    Poco::Net::HTTPServerResponse& response() const override { return response_; }
    bool secure() const override { return session_.socket().secure(); }

    /// The client connection, for handlers that send bodies straight to it (BodySender).
    Poco::Net::StreamSocket& socket() const { return session_.socket(); }

    /// Whether a body follows the head (Transfer-Encoding, or a Content-Length other than 0). It stays unread, so
    /// the connection cannot carry another request after this one.
    bool hasBody() const;

private:
    ServerSession& session_;
    Poco::Net::HTTPServerResponse& response_;
    const Poco::Net::HTTPServerParams& params_;
    const Poco::Net::SocketAddress& client_;
    const Poco::Net::SocketAddress& server_;
};

}  // namespace vicary::http
