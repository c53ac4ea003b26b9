// A scripted HTTP(S) server on 127.0.0.1 for client tests: a handler per path, every request and connection recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/ThreadPool.h>

namespace vicary::test {

class FakeHttpServer {
public:
    using Handler = std::function<void(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse&)>;

    /// One request as the server saw it.
    struct Seen {
        std::string method;
        std::string uri;            ///< path and query as sent
        std::string clientAddress;  ///< "127.0.0.1:port": one value per connection
        Poco::Net::NameValueCollection headers;
    };

    /// Listens on 127.0.0.1, port 0; with `tls` (a server Context) it speaks HTTPS. Keep-alive is on.
    explicit FakeHttpServer(Poco::Net::Context::Ptr tls = nullptr);
    ~FakeHttpServer();
    FakeHttpServer(const FakeHttpServer&) = delete;
    FakeHttpServer& operator=(const FakeHttpServer&) = delete;

    /// Requests whose path (the URI before '?') is `path` go to `handler`; others get 404. Call before requests come.
    void on(const std::string& path, Handler handler);

    std::uint16_t port() const noexcept { return port_; }
    std::vector<Seen> requests() const;
    std::size_t requestCount(const std::string& path) const;
    /// Distinct connections that carried at least one request.
    std::size_t connectionCount() const;

    /// Records a request and returns its handler (nullptr: none). Used by the server's handler factory.
    Handler record(const Poco::Net::HTTPServerRequest& request);

private:
    mutable std::mutex mutex_;
    std::map<std::string, Handler> handlers_;
    std::vector<Seen> seen_;
    std::uint16_t port_ = 0;
    Poco::ThreadPool threads_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

}  // namespace vicary::test
