#include "http/RequestRouter.h"

#include <memory>

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include "http/ConnectionWatch.h"
#include "http/ErrorHandler.h"
#include "http/ServerRequest.h"

namespace vicary::http {

void RequestRouter::add(std::unique_ptr<RouteFactory> route)
{
    routes_.push_back(std::move(route));
}

namespace {

/// Keeps its request in ActiveRequests while the inner handler runs.
class TrackedHandler final : public Poco::Net::HTTPRequestHandler {
public:
    TrackedHandler(Poco::Net::HTTPRequestHandler* inner, ActiveRequests& active) : inner_(inner), active_(active) {}

    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
    {
        const int socket = static_cast<ServerRequest&>(request).socket().impl()->sockfd();
        active_.add(socket);
        struct Done {
            ActiveRequests& active;
            int socket;
            ~Done()
            {
                active.remove(socket);
                ConnectionWatch::responseDone();  // the next head on this connection is due in time again
            }
        } done{active_, socket};
        inner_->handleRequest(request, response);
    }

private:
    std::unique_ptr<Poco::Net::HTTPRequestHandler> inner_;
    ActiveRequests& active_;
};

}  // namespace

Poco::Net::HTTPRequestHandler* RequestRouter::createRequestHandler(const Poco::Net::HTTPServerRequest& request)
{
    ConnectionWatch::headReceived();
    Poco::Net::HTTPRequestHandler* refused = overLimits(request);
    if (refused == nullptr)
        refused = refuse(request);
    return new TrackedHandler(refused != nullptr ? refused : route(request), active_);
}

Poco::Net::HTTPRequestHandler* RequestRouter::overLimits(const Poco::Net::HTTPServerRequest& request) const
{
    using Poco::Net::HTTPResponse;
    if (request.getURI().size() > limits_.maxUriLength)
        return new ErrorHandler(HTTPResponse::HTTP_REQUEST_URI_TOO_LONG, OciCode::Unsupported,
                                "request target longer than " + std::to_string(limits_.maxUriLength) + " bytes");
    if (request.size() > limits_.maxHeaders)
        return new ErrorHandler(HTTPResponse::HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, OciCode::Unsupported,
                                "more than " + std::to_string(limits_.maxHeaders) + " header fields");
    std::size_t bytes = 0;
    for (const auto& [name, value] : request)
        bytes += name.size() + value.size();
    if (bytes > limits_.maxHeaderBytes)
        return new ErrorHandler(HTTPResponse::HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, OciCode::Unsupported,
                                "header fields larger than " + std::to_string(limits_.maxHeaderBytes) + " bytes");
    return nullptr;
}

void RequestRouter::setAuth(std::shared_ptr<auth::ClientAuth> auth)
{
    std::atomic_store(&auth_, std::move(auth));
}

Poco::Net::HTTPRequestHandler* RequestRouter::refuse(const Poco::Net::HTTPServerRequest& request)
{
    const std::shared_ptr<auth::ClientAuth> auth = std::atomic_load(&auth_);
    if (!auth)
        return nullptr;
    const std::string& target = request.getURI();
    const bool health = (target == "/healthz" || target.compare(0, 9, "/healthz?") == 0) &&
                        (request.getMethod() == "GET" || request.getMethod() == "HEAD");
    if (health)
        return nullptr;
    const auth::Decision decision =
        auth->check(request.get("Authorization", ""), request.clientAddress().host().toString());
    using Poco::Net::HTTPResponse;
    switch (decision.kind) {
    case auth::Decision::Kind::Allowed: return nullptr;
    case auth::Decision::Kind::Challenge:
        if (decision.failed)
            authFailures_.fetch_add(1, std::memory_order_relaxed);
        return new ErrorHandler(HTTPResponse::HTTP_UNAUTHORIZED, OciCode::Unauthorized, decision.reason,
                                {{"WWW-Authenticate", auth->challenge()}});
    case auth::Decision::Kind::LockedOut:
        authLockedOut_.fetch_add(1, std::memory_order_relaxed);
        return new ErrorHandler(HTTPResponse::HTTP_TOO_MANY_REQUESTS, OciCode::TooManyRequests,
                                decision.reason + "; try again in " + std::to_string(decision.retryAfter.count()) +
                                    " s",
                                {{"Retry-After", std::to_string(decision.retryAfter.count())}});
    }
    return nullptr;
}

Poco::Net::HTTPRequestHandler* RequestRouter::route(const Poco::Net::HTTPServerRequest& request)
{
    using Poco::Net::HTTPRequest;
    using Poco::Net::HTTPResponse;
    const std::string& method = request.getMethod();
    if (method != HTTPRequest::HTTP_GET && method != HTTPRequest::HTTP_HEAD)
        return new ErrorHandler(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, OciCode::Unsupported,
                                "method " + method + " is not supported: vicary is a read-only pull-through cache");
    Poco::URI uri;
    try {
        uri = Poco::URI(request.getURI());
    } catch (const Poco::SyntaxException& e) {
        return new ErrorHandler(HTTPResponse::HTTP_BAD_REQUEST, OciCode::Unsupported,
                                "malformed request target: " + e.message());
    }
    for (const auto& route : routes_) {
        if (Poco::Net::HTTPRequestHandler* handler = route->createHandler(request, uri))
            return handler;
    }
    return new ErrorHandler(HTTPResponse::HTTP_NOT_FOUND, OciCode::NameUnknown,
                            "no such endpoint: " + request.getURI());
}

}  // namespace vicary::http
