// One line per request for operators: text or JSON lines, to standard error or a file.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace Poco {
class Logger;
}

namespace vicary::http {

/// What one access line says.
struct AccessEntry {
    std::string client;  ///< address:port
    std::string method;
    std::string target;  ///< path and query as requested
    std::string registry;
    int status = 0;
    std::uint64_t bytes = 0;  ///< body bytes sent
    double seconds = 0;       ///< time to answer, body included
    std::string cacheResult;
    std::string requestId;
    double upstreamSeconds = 0;  ///< time waited on the upstream
};

/// Writes access lines through the "access" logger, which gets a channel of its own. Thread-safe.
class AccessLog {
public:
    enum class Format { Off, Text, Json };

    /// `format` is "off", "text" or "json"; `file` empty means standard error. Throws std::runtime_error naming the
    /// file when it cannot be opened.
    AccessLog(const std::string& format, const std::string& file);

    bool enabled() const noexcept { return format_.load() != Format::Off; }
    void record(const AccessEntry& entry);
    /// Changes format and destination (a reload, or after the server's loggers were reconfigured).
    void configure(const std::string& format, const std::string& file);

private:
    std::atomic<Format> format_{Format::Off};
    Poco::Logger* logger_ = nullptr;
};

}  // namespace vicary::http
