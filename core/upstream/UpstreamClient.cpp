#include "upstream/UpstreamClient.h"

#include <map>
#include <mutex>
#include <strings.h>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include "upstream/AddressPolicy.h"
#include "upstream/ConnectionPool.h"
#include "upstream/ResponseBody.h"
#include "upstream/UpstreamSession.h"
#include "upstream/UpstreamUrl.h"

namespace vicary::upstream {

namespace {

using Kind = UpstreamError::Kind;

/// Redirect bodies are read away (so the connection can be reused) only up to this size; beyond it they are closed.
constexpr std::uint64_t maxDrainedRedirectBody = 64 * 1024;

Poco::Timespan toTimespan(std::chrono::milliseconds ms)
{
    return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(ms.count()) * 1000);
}

/// "GET https://host/path": the context of every message, never with the query (signed URLs carry credentials there).
std::string describe(const std::string& method, const UpstreamUrl& url)
{
    return method + " " + url.withoutQuery();
}

/// An URL that did not parse, cut before its query for the message.
std::string withoutQuery(const std::string& url)
{
    return url.substr(0, url.find_first_of("?#"));
}

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool equalsIgnoreCase(const std::string& a, const char* b)
{
    return strcasecmp(a.c_str(), b) == 0;
}

std::string hostPort(const UpstreamUrl& url)
{
    return (url.hostIsIpv6() ? "[" + url.host + "]" : url.host) + ":" + std::to_string(url.port);
}

/// The response as the caller sees it: head, final URL, and the body stream on the connection it holds.
class PooledResponse : public UpstreamResponse {
public:
    PooledResponse(std::shared_ptr<ConnectionPool> pool, std::unique_ptr<UpstreamSession> session,
                   std::unique_ptr<Poco::Net::HTTPResponse> head, std::string finalUrl, const std::string& method,
                   const std::string& context, long readTimeoutMs)
        : pool_(std::move(pool)),
          session_(std::move(session)),
          head_(std::move(head)),
          finalUrl_(std::move(finalUrl)),
          body_(*session_, framingOf(method, *head_, context), lengthOf(*head_), context, readTimeoutMs),
          stream_(&body_)
    {
        stream_.exceptions(std::ios::badbit);
    }

    ~PooledResponse() override
    {
        try {
            if (body_.complete() && !body_.failed() && head_->getKeepAlive() &&
                body_.framing() != ResponseBody::Framing::UntilClose)
                pool_->give(std::move(session_));
        } catch (...) {
            // not kept for reuse, that is all
        }
    }

    int status() const noexcept override { return static_cast<int>(head_->getStatus()); }
    const Poco::Net::HTTPResponse& head() const noexcept override { return *head_; }
    std::istream& body() override { return stream_; }
    const std::string& finalUrl() const noexcept override { return finalUrl_; }

    /// Reads away a small body so that the connection can be reused.
    void discardBody() { body_.drain(maxDrainedRedirectBody); }

private:
    static ResponseBody::Framing framingOf(const std::string& method, const Poco::Net::HTTPResponse& head,
                                           const std::string& context)
    {
        const int status = static_cast<int>(head.getStatus());
        if (method == Poco::Net::HTTPRequest::HTTP_HEAD || status < 200 || status == 204 || status == 304)
            return ResponseBody::Framing::Empty;
        if (head.getChunkedTransferEncoding())
            return ResponseBody::Framing::Chunked;
        if (head.hasContentLength()) {
            if (lengthOf(head) < 0)
                throw UpstreamError(Kind::Protocol, context + ": malformed Content-Length");
            return ResponseBody::Framing::Length;
        }
        return ResponseBody::Framing::UntilClose;
    }

    static std::int64_t lengthOf(const Poco::Net::HTTPResponse& head)
    {
        if (!head.hasContentLength() || head.getChunkedTransferEncoding())
            return 0;
        try {
            return head.getContentLength64();
        } catch (const Poco::Exception&) {
            return -1;
        }
    }

    std::shared_ptr<ConnectionPool> pool_;
    std::unique_ptr<UpstreamSession> session_;
    std::unique_ptr<Poco::Net::HTTPResponse> head_;
    std::string finalUrl_;
    ResponseBody body_;
    std::istream stream_;
};

}  // namespace

struct UpstreamClient::Impl {
    Impl(std::shared_ptr<const DnsResolver> dns, ClientSettings clientSettings)
        : resolver(std::move(dns)),
          settings(clientSettings),
          pool(std::make_shared<ConnectionPool>(clientSettings.maxIdlePerHost))
    {
        if (!resolver)
            throw std::invalid_argument("UpstreamClient needs a resolver");
        Poco::Net::initializeSSL();
    }

    ~Impl() { Poco::Net::uninitializeSSL(); }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    std::unique_ptr<UpstreamResponse> send(const UpstreamRequest& request, const EndpointSettings& endpoint);

    std::unique_ptr<PooledResponse> exchange(const std::string& method, const UpstreamUrl& url,
                                             const UpstreamRequest& request, bool sendCredentials,
                                             const EndpointSettings& endpoint, bool publicOnly);
    std::unique_ptr<UpstreamSession> connect(const std::string& method, const UpstreamUrl& url,
                                             const EndpointSettings& endpoint, const std::string& poolKey,
                                             bool publicOnly);
    Poco::Net::StreamSocket handshake(const Poco::Net::StreamSocket& socket, const Poco::Net::Context::Ptr& tls,
                                      const std::string& method, const UpstreamUrl& url,
                                      const EndpointSettings& endpoint);
    Poco::Net::Context::Ptr tlsContext(const std::string& caFile, const std::string& context);

    const std::shared_ptr<const DnsResolver> resolver;
    const ClientSettings settings;
    const std::shared_ptr<ConnectionPool> pool;

    std::mutex contextsMutex;
    std::map<std::string, Poco::Net::Context::Ptr> contexts;  ///< per CA file ("" = the system's store)
};

UpstreamClient::UpstreamClient(std::shared_ptr<const DnsResolver> resolver, ClientSettings settings)
    : impl_(std::make_unique<Impl>(std::move(resolver), settings))
{
}

UpstreamClient::~UpstreamClient() = default;

std::unique_ptr<UpstreamResponse> UpstreamClient::send(const UpstreamRequest& request, const EndpointSettings& endpoint)
{
    return impl_->send(request, endpoint);
}

std::unique_ptr<UpstreamResponse> UpstreamClient::Impl::send(const UpstreamRequest& request,
                                                             const EndpointSettings& endpoint)
{
    if (request.method != Poco::Net::HTTPRequest::HTTP_GET && request.method != Poco::Net::HTTPRequest::HTTP_HEAD)
        throw std::invalid_argument("upstream requests are GET or HEAD, not " + request.method);
    const std::optional<UpstreamUrl> parsed = parseUpstreamUrl(request.url);
    if (!parsed)
        throw std::invalid_argument("not an absolute http or https URL: " + withoutQuery(request.url));

    const UpstreamUrl original = *parsed;
    std::string trustedOrigin = original.origin();
    if (!endpoint.trustedUpstream.empty()) {
        const std::optional<UpstreamUrl> upstream = parseUpstreamUrl(endpoint.trustedUpstream);
        trustedOrigin = upstream ? upstream->origin() : std::string();
    }
    UpstreamUrl current = original;
    std::string method = request.method;
    for (int hop = 0;; ++hop) {
        if (!current.https() && !endpoint.plainHttpAllowed)
            throw UpstreamError(Kind::Connect, "plain http not allowed for " + describe(method, current) +
                                                   (hop > 0 ? " (redirected from " + original.withoutQuery() + ")"
                                                            : std::string()));
        const bool publicOnly = !endpoint.privateAddressesAllowed && current.origin() != trustedOrigin;
        std::unique_ptr<PooledResponse> response =
            exchange(method, current, request, current.origin() == original.origin(), endpoint, publicOnly);
        const int status = response->status();
        if (!request.followRedirects || !isRedirect(status) || !response->head().has("Location"))
            return response;

        const std::optional<UpstreamUrl> target = resolveLocation(current, response->head().get("Location"));
        if (!target)
            throw UpstreamError(Kind::Protocol, describe(method, current) + ": redirect " + std::to_string(status) +
                                                    " to a Location that is not an http or https URL");
        if (hop >= settings.maxRedirects)
            throw UpstreamError(Kind::TooManyRedirects,
                                describe(request.method, original) + ": more than " +
                                    std::to_string(settings.maxRedirects) + " redirects (the last one from " +
                                    current.withoutQuery() + " to " + target->withoutQuery() + ")");
        response->discardBody();
        response.reset();
        if (status == 303 && method != Poco::Net::HTTPRequest::HTTP_HEAD)
            method = Poco::Net::HTTPRequest::HTTP_GET;
        current = *target;
    }
}

std::unique_ptr<PooledResponse> UpstreamClient::Impl::exchange(const std::string& method, const UpstreamUrl& url,
                                                               const UpstreamRequest& request, bool sendCredentials,
                                                               const EndpointSettings& endpoint, bool publicOnly)
{
    const std::string context = describe(method, url);
    // A connection made without the address check is never handed to a request that needs it.
    const std::string poolKey = (url.https() ? url.origin() + " ca=" + endpoint.caFile : url.origin()) +
                                (publicOnly ? " public-only" : "");

    Poco::Net::HTTPRequest head(method, url.target(), Poco::Net::HTTPMessage::HTTP_1_1);
    head.set("Host", url.authority());
    for (const auto& [name, value] : request.headers) {
        if (equalsIgnoreCase(name, "Host") || equalsIgnoreCase(name, "Connection") ||
            equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Transfer-Encoding"))
            continue;
        if (!sendCredentials && (equalsIgnoreCase(name, "Authorization") || equalsIgnoreCase(name, "Cookie")))
            continue;
        head.add(name, value);
    }

    std::unique_ptr<UpstreamSession> session = pool->take(poolKey);
    for (;;) {
        const bool reused = session != nullptr;
        if (!session)
            session = connect(method, url, endpoint, poolKey, publicOnly);
        auto responseHead = std::make_unique<Poco::Net::HTTPResponse>();
        try {
            session->sendRequest(head);
            session->receiveResponse(*responseHead);
        } catch (const Poco::TimeoutException&) {
            throw UpstreamError(Kind::Timeout, context + ": no response within " +
                                                   std::to_string(settings.readTimeout.count()) + " ms");
        } catch (const Poco::Net::NoMessageException&) {
            if (reused) {  // a stale keep-alive connection: once more on a fresh one
                session.reset();
                continue;
            }
            throw UpstreamError(Kind::Protocol, context + ": connection closed before the response head");
        } catch (const Poco::Net::MessageException& e) {
            throw UpstreamError(Kind::Protocol, context + ": malformed response head (" + e.displayText() + ")");
        } catch (const Poco::Exception& e) {
            if (reused) {
                session.reset();
                continue;
            }
            throw UpstreamError(Kind::Protocol, context + ": connection failed before the response head (" +
                                                    e.displayText() + ")");
        }
        return std::make_unique<PooledResponse>(pool, std::move(session), std::move(responseHead), url.toString(),
                                                method, context, static_cast<long>(settings.readTimeout.count()));
    }
}

std::unique_ptr<UpstreamSession> UpstreamClient::Impl::connect(const std::string& method, const UpstreamUrl& url,
                                                               const EndpointSettings& endpoint,
                                                               const std::string& poolKey, bool publicOnly)
{
    const std::string context = describe(method, url);
    Poco::Net::Context::Ptr tls = url.https() ? tlsContext(endpoint.caFile, context) : nullptr;

    std::vector<Poco::Net::IPAddress> addresses;
    try {
        addresses = resolver->resolve(url.host);
    } catch (const ResolveError& e) {
        throw UpstreamError(Kind::Connect, context + ": cannot resolve " + url.host + ": " + e.what());
    }
    if (publicOnly) {
        // Every address is checked, not just the first: the name must not reach inside by any of them.
        for (const Poco::Net::IPAddress& address : addresses)
            if (const std::optional<std::string> kind = nonPublicKind(address))
                throw UpstreamError(Kind::Connect, context + ": refused: " + url.host + " is " + address.toString() +
                                                       ", a " + *kind + " address, and the upstream may not lead "
                                                       "there (allow_private_redirects allows it)");
    }

    Poco::Net::StreamSocket socket;
    bool connected = false;
    bool allTimedOut = true;
    std::string failures;
    for (const Poco::Net::IPAddress& address : addresses) {
        const Poco::Net::SocketAddress peer(address, url.port);
        std::string reason;
        try {
            socket = Poco::Net::StreamSocket(peer.family());
            socket.connect(peer, toTimespan(settings.connectTimeout));
            connected = true;
            break;
        } catch (const Poco::TimeoutException&) {
            reason = "timed out after " + std::to_string(settings.connectTimeout.count()) + " ms";
        } catch (const Poco::Net::ConnectionRefusedException&) {
            reason = "connection refused";
            allTimedOut = false;
        } catch (const Poco::Exception& e) {
            reason = e.message().empty() ? e.displayText() : std::string(e.name()) + ": " + e.message();
            allTimedOut = false;
        }
        failures += (failures.empty() ? "" : "; ") + peer.toString() + ": " + reason;
    }
    if (!connected)
        throw UpstreamError(allTimedOut ? Kind::Timeout : Kind::Connect,
                            context + ": cannot connect to " + hostPort(url) + " (" + failures + ")");

    try {
        socket.setNoDelay(true);
    } catch (const Poco::Exception&) {
        // only a latency optimisation
    }

    if (tls)
        socket = handshake(socket, tls, method, url, endpoint);
    socket.setReceiveTimeout(toTimespan(settings.readTimeout));
    socket.setSendTimeout(toTimespan(settings.readTimeout));
    return std::make_unique<UpstreamSession>(socket, poolKey);
}

Poco::Net::StreamSocket UpstreamClient::Impl::handshake(const Poco::Net::StreamSocket& socket,
                                                        const Poco::Net::Context::Ptr& tls, const std::string& method,
                                                        const UpstreamUrl& url, const EndpointSettings& endpoint)
{
    const std::string where = describe(method, url) + ": TLS handshake with " + hostPort(url);
    const auto timedOut = [&] {
        return UpstreamError(Kind::Timeout,
                             where + " timed out after " + std::to_string(settings.connectTimeout.count()) + " ms");
    };
    // SNI and host name verification use the URL's host; an IP literal is verified against the address.
    const bool ipLiteral = parseIpLiteral(url.host).has_value();
    const std::string verifiedName = ipLiteral ? Poco::Net::IPAddress(url.host).toString() : url.host;
    const auto start = std::chrono::steady_clock::now();
    try {
        Poco::Net::StreamSocket plainSocket = socket;
        plainSocket.setReceiveTimeout(toTimespan(settings.connectTimeout));
        plainSocket.setSendTimeout(toTimespan(settings.connectTimeout));
        Poco::Net::SecureStreamSocket secure = ipLiteral
                                                   ? Poco::Net::SecureStreamSocket::attach(plainSocket, tls)
                                                   : Poco::Net::SecureStreamSocket::attach(plainSocket, url.host, tls);
        // POCO 1.11 returns from attach() without an error when the handshake merely ran out of time (and then skips
        // the host name check), so finish the handshake and check the name explicitly, within what is left.
        const auto spent =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        const auto left = settings.connectTimeout - spent;
        if (left.count() <= 0)
            throw timedOut();
        secure.setReceiveTimeout(toTimespan(left));
        secure.setSendTimeout(toTimespan(left));
        if (secure.completeHandshake() != 1)
            throw timedOut();
        secure.verifyPeerCertificate(verifiedName);
        return secure;
    } catch (const UpstreamError&) {
        throw;
    } catch (const Poco::Net::CertificateValidationException&) {
        throw UpstreamError(Kind::Connect, where + " failed: the certificate is not valid for " + url.host);
    } catch (const Poco::TimeoutException&) {
        throw timedOut();
    } catch (const Poco::Exception& e) {
        const std::string detail = e.message().empty() ? e.displayText() : e.message();
        const std::string store = endpoint.caFile.empty() ? "the system's CA store" : endpoint.caFile;
        if (detail.find("certificate verify failed") != std::string::npos)
            throw UpstreamError(Kind::Connect, where + " failed: the certificate of " + url.host +
                                                   " is not trusted by " + store + " (" + detail + ")");
        throw UpstreamError(Kind::Connect, where + " failed (" + detail + ")");
    }
}

Poco::Net::Context::Ptr UpstreamClient::Impl::tlsContext(const std::string& caFile, const std::string& context)
{
    std::lock_guard<std::mutex> lock(contextsMutex);
    auto found = contexts.find(caFile);
    if (found != contexts.end())
        return found->second;
    try {
        // VERIFY_STRICT: no exemption for names that resolve to loopback, which would also cost a system lookup.
        Poco::Net::Context::Ptr created = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, caFile,
                                                                 Poco::Net::Context::VERIFY_STRICT, 9, caFile.empty());
        created->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        contexts.emplace(caFile, created);
        return created;
    } catch (const Poco::Exception& e) {
        throw UpstreamError(Kind::Connect, context + ": cannot set up TLS with CA file '" + caFile +
                                               "': " + e.displayText());
    }
}

}  // namespace vicary::upstream
