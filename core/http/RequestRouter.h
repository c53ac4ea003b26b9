// The server's handler factory: a list of routes tried in order, then a JSON 404.
#pragma once

#include <memory>
#include <vector>

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include "http/RouteFactory.h"

namespace vicary::http {

/// Tries each route in the order added; the first that recognises a request handles it. A request with a method
/// other than GET and HEAD gets 405 UNSUPPORTED (Vicary is a read-only mirror); one no route recognises gets 404.
/// Routes are added before the server starts; createRequestHandler is then called concurrently.
class RequestRouter final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    void add(std::unique_ptr<RouteFactory> route);
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
    std::vector<std::unique_ptr<RouteFactory>> routes_;
};

}  // namespace vicary::http
