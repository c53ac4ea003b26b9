#include "support/DnsmasqServer.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/Net/DatagramSocket.h>
#include <Poco/Net/SocketAddress.h>

extern char** environ;

namespace vicary::test {

namespace {

constexpr const char* dnsmasqPath = "/usr/sbin/dnsmasq";
constexpr int portAttempts = 5;
constexpr auto readyWithin = std::chrono::seconds(5);
constexpr auto stopWithin = std::chrono::seconds(2);

/// A recursion-desired A query for "probe.invalid" with `id`.
std::string probeQuery(Poco::UInt16 id)
{
    std::string packet;
    packet += static_cast<char>(id >> 8);
    packet += static_cast<char>(id & 0xff);
    packet += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);  // RD; 1 question
    packet += std::string("\x05probe\x07invalid\x00", 15);
    packet += std::string("\x00\x01\x00\x01", 4);  // type A, class IN
    return packet;
}

/// Waits for `pid` up to `within`; true once it has been reaped.
bool reapWithin(pid_t pid, std::chrono::milliseconds within)
{
    const auto deadline = std::chrono::steady_clock::now() + within;
    do {
        const pid_t done = waitpid(pid, nullptr, WNOHANG);
        if (done == pid || (done < 0 && errno == ECHILD))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    return false;
}

}  // namespace

Poco::UInt16 unusedLoopbackUdpPort()
{
    Poco::Net::DatagramSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), false);
    const Poco::UInt16 port = socket.address().port();
    socket.close();
    return port;
}

bool dnsServerAnswers(Poco::UInt16 port, int waitMs)
{
    try {
        Poco::Net::DatagramSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), false);
        const Poco::UInt16 id = 0x5a17;
        const std::string query = probeQuery(id);
        socket.sendTo(query.data(), static_cast<int>(query.size()), Poco::Net::SocketAddress("127.0.0.1", port));
        if (!socket.poll(Poco::Timespan(Poco::Timespan::TimeDiff(waitMs) * 1000), Poco::Net::Socket::SELECT_READ))
            return false;
        unsigned char reply[512];
        Poco::Net::SocketAddress from;
        const int got = socket.receiveFrom(reply, sizeof reply, from);
        return got >= 12 && reply[0] == (id >> 8) && reply[1] == (id & 0xff);
    } catch (const Poco::Exception&) {
        return false;  // e.g. ICMP port unreachable surfacing as "connection refused"
    }
}

DnsmasqServer::DnsmasqServer(const std::vector<std::string>& records)
{
    char pattern[] = "/tmp/vicary-dnsmasq-XXXXXX";
    if (!mkdtemp(pattern))
        throw std::runtime_error("cannot create a temporary directory for dnsmasq");
    _directory = pattern;
    try {
        for (int attempt = 0; attempt < portAttempts; ++attempt)
            if (startOn(unusedLoopbackUdpPort(), records))
                return;
        throw std::runtime_error("dnsmasq did not start after " + std::to_string(portAttempts) +
                                 " ports; its last output: " + output());
    } catch (...) {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(_directory, ignored);
        throw;
    }
}

DnsmasqServer::~DnsmasqServer()
{
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(_directory, ignored);
}

std::string DnsmasqServer::address() const
{
    return "127.0.0.1:" + std::to_string(_port);
}

bool DnsmasqServer::startOn(Poco::UInt16 port, const std::vector<std::string>& records)
{
    std::vector<std::string> args = {dnsmasqPath, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                                     "--no-hosts", "--no-poll", "--listen-address=127.0.0.1", "--bind-interfaces",
                                     "--port=" + std::to_string(port), "--pid-file=" + _directory + "/dnsmasq.pid",
                                     "--log-facility=-"};
    if (geteuid() == 0)
        args.push_back("--user=root");  // the default "nobody" cannot always be switched to in a container
    args.insert(args.end(), records.begin(), records.end());
    std::vector<char*> argv;
    for (std::string& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);

    const std::string outputPath = _directory + "/output.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, outputPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    const int error = posix_spawn(&pid, dnsmasqPath, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0)
        throw std::runtime_error(std::string("cannot start ") + dnsmasqPath + ": " + std::strerror(error));
    _pid = pid;
    _port = port;

    const auto deadline = std::chrono::steady_clock::now() + readyWithin;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(_pid, nullptr, WNOHANG) == _pid) {
            _pid = -1;  // exited: most likely the port was taken meanwhile
            return false;
        }
        if (dnsServerAnswers(_port, 100))
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("dnsmasq on port " + std::to_string(_port) + " did not answer within 5 s; its output: " +
                             output());
}

void DnsmasqServer::stop() noexcept
{
    if (_pid <= 0)
        return;
    kill(_pid, SIGTERM);
    if (!reapWithin(_pid, stopWithin)) {
        kill(_pid, SIGKILL);
        reapWithin(_pid, stopWithin);
    }
    _pid = -1;
}

std::string DnsmasqServer::output() const
{
    std::ifstream in(_directory + "/output.log");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace vicary::test
