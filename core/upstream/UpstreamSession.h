// One connection to an upstream origin: a POCO HTTP client session over a socket the client connected itself.
#pragma once

#include <string>
#include <utility>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/StreamSocket.h>

namespace vicary::upstream {

/// An HTTPClientSession over an already connected (and, for https, already TLS-wrapped) socket. It never reconnects
/// by itself (no host is set, so POCO's own name lookup is never used) and exposes the buffered reads the body
/// decoder needs. Not thread-safe: one request at a time.
class UpstreamSession : public Poco::Net::HTTPClientSession {
public:
    UpstreamSession(const Poco::Net::StreamSocket& socket, std::string poolKey)
        : Poco::Net::HTTPClientSession(socket), poolKey_(std::move(poolKey))
    {
        setKeepAlive(true);
        setProxyConfig(ProxyConfig());
    }

    const std::string& poolKey() const noexcept { return poolKey_; }

    /// Up to `length` body bytes, from the session's buffer first; 0 when the peer closed. Throws POCO exceptions.
    int readSome(char* buffer, std::streamsize length) { return HTTPSession::read(buffer, length); }
    /// One byte, or std::char_traits<char>::eof() when the peer closed. Throws POCO exceptions.
    int readByte() { return HTTPSession::get(); }
    /// Bytes received but not yet consumed.
    int bufferedBytes() const { return HTTPSession::buffered(); }

private:
    std::string poolKey_;
};

}  // namespace vicary::upstream
