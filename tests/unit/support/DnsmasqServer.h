// A real DNS server for tests: dnsmasq in the foreground on 127.0.0.1, answering only from its command line.
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include <Poco/Types.h>

namespace vicary::test {

/// Runs /usr/sbin/dnsmasq on 127.0.0.1 at an unused UDP/TCP port, with no resolv.conf, no /etc/hosts and no upstream,
/// for the lifetime of the object. Not copyable; one process per object.
class DnsmasqServer {
public:
    /// Starts dnsmasq with `records` appended to its options (e.g. "--host-record=a.test,127.0.0.7") and waits until
    /// it answers a real query (at most ~5 s). Tries a few ports if one is taken meanwhile. Throws std::runtime_error
    /// with dnsmasq's own output when it does not come up; no process is left behind then.
    explicit DnsmasqServer(const std::vector<std::string>& records);

    /// Stops dnsmasq: SIGTERM, waits up to 2 s, then SIGKILL; removes its temporary directory.
    ~DnsmasqServer();

    DnsmasqServer(const DnsmasqServer&) = delete;
    DnsmasqServer& operator=(const DnsmasqServer&) = delete;

    /// The port it answers on.
    Poco::UInt16 port() const { return _port; }

    /// "127.0.0.1:<port>", as VICARY_RESOLVER would list it.
    std::string address() const;

private:
    /// One attempt on `port`: true when dnsmasq answers; false (process reaped, output kept) when it exited.
    bool startOn(Poco::UInt16 port, const std::vector<std::string>& records);
    void stop() noexcept;
    std::string output() const;

    std::string _directory;  ///< temporary: pid file and dnsmasq's output
    pid_t _pid = -1;
    Poco::UInt16 _port = 0;
};

/// A UDP port on 127.0.0.1 that was free a moment ago: bound to port 0, read back and closed.
Poco::UInt16 unusedLoopbackUdpPort();

/// True if a DNS server at 127.0.0.1:`port` answers a query (any answer) within `wait`.
bool dnsServerAnswers(Poco::UInt16 port, int waitMs);

}  // namespace vicary::test
