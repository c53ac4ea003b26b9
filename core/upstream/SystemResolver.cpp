#include "upstream/SystemResolver.h"

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>

#include <netdb.h>
#include <sys/socket.h>

namespace vicary::upstream {

namespace {

/// One getaddrinfo call, shared by the waiting caller and the thread that runs it (whichever ends last frees it).
struct Lookup {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    int status = 0;       ///< getaddrinfo's return value
    int systemError = 0;  ///< errno when status is EAI_SYSTEM
    std::vector<Poco::Net::IPAddress> addresses;
};

void runLookup(Lookup& lookup, const std::string& host, bool ipv6)
{
    addrinfo hints{};
    hints.ai_family = ipv6 ? AF_UNSPEC : AF_INET;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address instead of one per socket type
    addrinfo* list = nullptr;
    const int status = getaddrinfo(host.c_str(), nullptr, &hints, &list);
    const int systemError = errno;
    std::vector<Poco::Net::IPAddress> addresses;
    for (const addrinfo* node = list; status == 0 && node; node = node->ai_next) {
        if (node->ai_family == AF_INET) {
            sockaddr_in v4{};
            std::memcpy(&v4, node->ai_addr, sizeof v4);
            addresses.emplace_back(&v4.sin_addr, sizeof v4.sin_addr);
        } else if (node->ai_family == AF_INET6) {
            sockaddr_in6 v6{};
            std::memcpy(&v6, node->ai_addr, sizeof v6);
            addresses.emplace_back(&v6.sin6_addr, sizeof v6.sin6_addr, v6.sin6_scope_id);
        }
    }
    if (list)
        freeaddrinfo(list);
    std::lock_guard<std::mutex> lock(lookup.mutex);
    lookup.status = status;
    lookup.systemError = systemError;
    lookup.addresses = std::move(addresses);
    lookup.done = true;
    lookup.finished.notify_all();
}

std::string reasonFor(const Lookup& lookup)
{
    switch (lookup.status) {
    case EAI_NONAME: return "no such host";
    case EAI_NODATA: return "the name has no address records";
    case EAI_AGAIN: return "temporary failure (the system's DNS servers did not answer)";
    case EAI_FAIL: return "the system's DNS servers failed";
    case EAI_SYSTEM: return std::string("system error: ") + std::strerror(lookup.systemError);
    default: return gai_strerror(lookup.status);
    }
}

}  // namespace

SystemResolver::SystemResolver(bool ipv6, std::chrono::milliseconds timeout) : _ipv6(ipv6), _timeout(timeout)
{
    if (_timeout.count() <= 0)
        throw std::invalid_argument("DNS resolver timeout must be positive");
}

std::vector<Poco::Net::IPAddress> SystemResolver::resolve(const std::string& host) const
{
    if (std::optional<Poco::Net::IPAddress> literal = parseIpLiteral(host))
        return {*literal};
    const std::string context = "cannot resolve '" + host + "' with the " + describe() + ": ";
    if (host.empty())
        throw ResolveError(context + "empty host name");

    auto lookup = std::make_shared<Lookup>();
    try {
        std::thread([lookup, host, ipv6 = _ipv6] { runLookup(*lookup, host, ipv6); }).detach();
    } catch (const std::system_error& e) {
        throw ResolveError(context + "cannot start the lookup thread: " + e.what());
    }
    std::unique_lock<std::mutex> lock(lookup->mutex);
    if (!lookup->finished.wait_for(lock, _timeout, [&] { return lookup->done; }))
        throw ResolveError(context + "timed out after " + std::to_string(_timeout.count()) + " ms without an answer");
    if (lookup->status != 0)
        throw ResolveError(context + reasonFor(*lookup));
    std::vector<Poco::Net::IPAddress> addresses = std::move(lookup->addresses);
    orderForConnecting(addresses);
    if (addresses.empty())
        throw ResolveError(context + "the name has no address records");
    return addresses;
}

std::string SystemResolver::describe() const
{
    return _ipv6 ? "system resolver" : "system resolver (IPv4 only)";
}

}  // namespace vicary::upstream
