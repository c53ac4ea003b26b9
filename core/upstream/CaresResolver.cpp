#include "upstream/CaresResolver.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <ares.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

namespace vicary::upstream {

namespace {

constexpr int triesPerServer = 2;

void initialiseLibraryOnce()
{
    static std::once_flag once;
    static int status = ARES_SUCCESS;
    std::call_once(once, [] { status = ares_library_init(ARES_LIB_INIT_ALL); });
    if (status != ARES_SUCCESS)
        throw ResolveError(std::string("cannot initialise c-ares: ") + ares_strerror(status));
}

struct ChannelDeleter {
    void operator()(ares_channel channel) const noexcept { ares_destroy(channel); }
};
using Channel = std::unique_ptr<std::remove_pointer_t<ares_channel>, ChannelDeleter>;

/// A channel that asks only `serversCsv`, by DNS only ("b": no /etc/hosts), for the name as given (no search list).
/// Returns the c-ares status; `channel` is set only on success.
int openChannel(const std::string& serversCsv, std::chrono::milliseconds perTry, Channel& channel)
{
    char lookups[] = "b";
    ares_options options{};
    options.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
    options.timeout = static_cast<int>(std::max<std::chrono::milliseconds::rep>(perTry.count(), 1));
    options.tries = triesPerServer;
    options.lookups = lookups;
    options.domains = nullptr;
    options.ndomains = 0;
    const int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS | ARES_OPT_DOMAINS;
    ares_channel raw = nullptr;
    int status = ares_init_options(&raw, &options, mask);
    if (status != ARES_SUCCESS)
        return status;
    Channel opened(raw);
    status = ares_set_servers_ports_csv(opened.get(), serversCsv.c_str());
    if (status == ARES_SUCCESS)
        channel = std::move(opened);
    return status;
}

/// What the callback hands back to resolve(); lives on resolve()'s stack, outliving the channel.
struct Answer {
    bool done = false;
    int status = ARES_SUCCESS;
    std::vector<Poco::Net::IPAddress> addresses;
};

void collectAddresses(const ares_addrinfo* result, std::vector<Poco::Net::IPAddress>& addresses)
{
    for (const ares_addrinfo_node* node = result ? result->nodes : nullptr; node; node = node->ai_next) {
        if (node->ai_family == AF_INET && node->ai_addrlen >= sizeof(sockaddr_in)) {
            sockaddr_in v4{};
            std::memcpy(&v4, node->ai_addr, sizeof v4);
            addresses.emplace_back(&v4.sin_addr, sizeof v4.sin_addr);
        } else if (node->ai_family == AF_INET6 && node->ai_addrlen >= sizeof(sockaddr_in6)) {
            sockaddr_in6 v6{};
            std::memcpy(&v6, node->ai_addr, sizeof v6);
            addresses.emplace_back(&v6.sin6_addr, sizeof v6.sin6_addr, v6.sin6_scope_id);
        }
    }
}

void onAnswer(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) noexcept
{
    Answer& answer = *static_cast<Answer*>(arg);
    answer.done = true;
    answer.status = status;
    try {
        if (status == ARES_SUCCESS)
            collectAddresses(result, answer.addresses);
    } catch (...) {
        answer.status = ARES_ENOMEM;
    }
    if (result)
        ares_freeaddrinfo(result);
}

/// Lets c-ares send, receive and retry until `answer` is done or `deadline` passes.
void driveUntil(ares_channel channel, const Answer& answer, std::chrono::steady_clock::time_point deadline)
{
    using namespace std::chrono;
    while (!answer.done) {
        const auto left = duration_cast<microseconds>(deadline - steady_clock::now());
        if (left.count() <= 0)
            return;
        ares_socket_t sockets[ARES_GETSOCK_MAXNUM];
        const int bits = ares_getsock(channel, sockets, ARES_GETSOCK_MAXNUM);
        pollfd fds[ARES_GETSOCK_MAXNUM];
        nfds_t count = 0;
        for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
            const short events = static_cast<short>((ARES_GETSOCK_READABLE(bits, i) ? POLLIN : 0) |
                                                    (ARES_GETSOCK_WRITABLE(bits, i) ? POLLOUT : 0));
            if (events)
                fds[count++] = pollfd{sockets[i], events, 0};
        }
        timeval most{static_cast<time_t>(left.count() / 1000000), static_cast<suseconds_t>(left.count() % 1000000)};
        timeval buffer{};
        const timeval* wait = ares_timeout(channel, &most, &buffer);
        const int waitMs = static_cast<int>(wait->tv_sec * 1000 + (wait->tv_usec + 999) / 1000);
        const int ready = poll(fds, count, waitMs);
        if (ready < 0 && errno != EINTR)
            return;
        if (ready <= 0) {
            ares_process_fd(channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts and retries
            continue;
        }
        for (nfds_t i = 0; i < count; ++i) {
            const short got = fds[i].revents;
            if (!got)
                continue;
            ares_process_fd(channel, (got & (POLLIN | POLLERR | POLLHUP)) ? fds[i].fd : ARES_SOCKET_BAD,
                            (got & POLLOUT) ? fds[i].fd : ARES_SOCKET_BAD);
        }
    }
}

std::string reasonFor(int status, bool ipv6, std::chrono::milliseconds timeout)
{
    switch (status) {
    case ARES_ENOTFOUND: return "no such host";
    case ARES_ENODATA: return ipv6 ? "the name has no A or AAAA records" : "the name has no A records";
    case ARES_ETIMEOUT: return "timed out after " + std::to_string(timeout.count()) + " ms without an answer";
    // c-ares 1.18 also reports a REFUSED answer from every server this way.
    case ARES_ECONNREFUSED: return "refused (no DNS server listening there, or it refused the query)";
    case ARES_EREFUSED: return "the server refused the query";
    case ARES_ESERVFAIL: return "the server failed (SERVFAIL)";
    case ARES_EBADNAME: return "not a valid host name";
    case ARES_EBADRESP:
    case ARES_EFORMERR: return "malformed DNS response";
    default: return ares_strerror(status);
    }
}

}  // namespace

CaresResolver::CaresResolver(std::vector<std::string> servers, bool ipv6, std::chrono::milliseconds timeout)
    : _servers(std::move(servers)), _ipv6(ipv6), _timeout(timeout)
{
    if (_servers.empty())
        throw std::invalid_argument("no DNS servers given");
    if (_timeout.count() <= 0)
        throw std::invalid_argument("DNS resolver timeout must be positive");
    for (const std::string& server : _servers)
        _serversCsv += (_serversCsv.empty() ? "" : ",") + server;
    initialiseLibraryOnce();
    Channel probe;
    const int status = openChannel(_serversCsv, _timeout, probe);
    if (status == ARES_EBADSTR)
        throw std::invalid_argument("invalid DNS server list '" + _serversCsv + "'");
    if (status != ARES_SUCCESS)
        throw ResolveError("cannot set up a DNS channel for " + _serversCsv + ": " + ares_strerror(status));
}

std::vector<Poco::Net::IPAddress> CaresResolver::resolve(const std::string& host) const
{
    if (std::optional<Poco::Net::IPAddress> literal = parseIpLiteral(host))
        return {*literal};
    const std::string context = "cannot resolve '" + host + "' with " + describe() + ": ";
    if (host.empty())
        throw ResolveError(context + "empty host name");

    const auto deadline = std::chrono::steady_clock::now() + _timeout;
    // Two tries per server, the second twice as long: 3 first-try waits per server fill the timeout.
    const auto perTry = _timeout / (3 * static_cast<std::chrono::milliseconds::rep>(_servers.size()));
    Answer answer;  // declared before the channel: ares_destroy calls back into it
    Channel channel;
    const int status = openChannel(_serversCsv, perTry, channel);
    if (status != ARES_SUCCESS)
        throw ResolveError(context + "cannot set up a DNS channel: " + ares_strerror(status));

    ares_addrinfo_hints hints{};
    hints.ai_family = _ipv6 ? AF_UNSPEC : AF_INET;
    hints.ai_flags = ARES_AI_NOSORT;  // ordered below; sorting would open sockets to probe routes
    ares_getaddrinfo(channel.get(), host.c_str(), nullptr, &hints, onAnswer, &answer);
    driveUntil(channel.get(), answer, deadline);
    if (!answer.done) {
        channel.reset();  // cancels the query; the callback sees ARES_EDESTRUCTION
        throw ResolveError(context + reasonFor(ARES_ETIMEOUT, _ipv6, _timeout));
    }
    if (answer.status != ARES_SUCCESS)
        throw ResolveError(context + reasonFor(answer.status, _ipv6, _timeout));
    orderForConnecting(answer.addresses);
    if (answer.addresses.empty())
        throw ResolveError(context + reasonFor(ARES_ENODATA, _ipv6, _timeout));
    return std::move(answer.addresses);
}

std::string CaresResolver::describe() const
{
    std::string text = "DNS servers ";
    for (std::size_t i = 0; i < _servers.size(); ++i)
        text += (i ? ", " : "") + _servers[i];
    return _ipv6 ? text : text + " (IPv4 only)";
}

}  // namespace vicary::upstream
