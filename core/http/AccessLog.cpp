#include "http/AccessLog.h"

#include <cstdio>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/FileChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Timestamp.h>

namespace vicary::http {

AccessLog::AccessLog(const std::string& format, const std::string& file)
{
    configure(format, file);
}

void AccessLog::configure(const std::string& format, const std::string& file)
{
    const Format wanted = format == "json" ? Format::Json : format == "text" ? Format::Text : Format::Off;
    if (wanted == Format::Off) {
        format_ = Format::Off;
        return;
    }
    Poco::AutoPtr<Poco::Channel> sink;
    if (file.empty()) {
        sink = new Poco::ConsoleChannel;
    } else {
        std::FILE* probe = std::fopen(file.c_str(), "a");
        if (probe == nullptr)
            throw std::runtime_error("[log] access_file: cannot open " + file + " for appending");
        std::fclose(probe);
        sink = new Poco::FileChannel(file);
    }
    Poco::AutoPtr<Poco::FormattingChannel> channel(
        new Poco::FormattingChannel(new Poco::PatternFormatter("%t"), sink));
    logger_ = &Poco::Logger::get("access");
    logger_->setChannel(channel);
    logger_->setLevel(Poco::Message::PRIO_INFORMATION);
    format_ = wanted;
}

void AccessLog::record(const AccessEntry& entry)
{
    if (logger_ == nullptr)
        return;
    const std::string time =
        Poco::DateTimeFormatter::format(Poco::Timestamp(), "%Y-%m-%dT%H:%M:%S.%iZ");
    std::ostringstream line;
    if (format_.load() == Format::Json) {
        Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
        object.set("time", time);
        object.set("client", entry.client);
        object.set("method", entry.method);
        object.set("path", entry.target);
        object.set("registry", entry.registry);
        object.set("status", entry.status);
        object.set("bytes", entry.bytes);
        object.set("duration_ms", static_cast<std::uint64_t>(entry.seconds * 1000.0 + 0.5));
        object.set("cache", entry.cacheResult);
        object.set("upstream_ms", static_cast<std::uint64_t>(entry.upstreamSeconds * 1000.0 + 0.5));
        object.set("request_id", entry.requestId);
        Poco::JSON::Stringifier::condense(object, line);
    } else {
        line << time << ' ' << entry.client << ' ' << entry.method << ' ' << entry.target << " registry="
             << (entry.registry.empty() ? "-" : entry.registry) << " status=" << entry.status
             << " bytes=" << entry.bytes << " duration_ms=" << static_cast<std::uint64_t>(entry.seconds * 1000.0 + 0.5)
             << " cache=" << (entry.cacheResult.empty() ? "-" : entry.cacheResult)
             << " upstream_ms=" << static_cast<std::uint64_t>(entry.upstreamSeconds * 1000.0 + 0.5)
             << " id=" << entry.requestId;
    }
    logger_->information(line.str());
}

}  // namespace vicary::http
