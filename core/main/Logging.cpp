#include "main/Logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>

namespace vicary {

void configureLogging(const std::string& level)
{
    Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
    Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel);  // std::clog, i.e. standard error
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, console));
    Poco::Logger::setChannel("", channel);  // the root and every logger that exists already
    Poco::Logger::setLevel("", Poco::Logger::parseLevel(level));
}

}  // namespace vicary
