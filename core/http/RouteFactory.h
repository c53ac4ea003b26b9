// One entry of the route table: makes a handler for the requests it recognises.
#pragma once

namespace Poco {
class URI;
namespace Net {
class HTTPRequestHandler;
class HTTPServerRequest;
}  // namespace Net
}  // namespace Poco

namespace vicary::http {

/// Recognises some requests. Called concurrently from the server's worker threads.
class RouteFactory {
public:
    virtual ~RouteFactory() = default;
    /// A new handler (owned by the caller) for `request`, whose target the router already parsed into `uri`, or
    /// nullptr when the request is not this route's.
    virtual Poco::Net::HTTPRequestHandler* createHandler(const Poco::Net::HTTPServerRequest& request,
                                                         const Poco::URI& uri) = 0;
};

}  // namespace vicary::http
