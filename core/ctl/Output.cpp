#include "ctl/Output.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <Poco/JSONString.h>

namespace vicary::ctl {

namespace {

// UTC to the second, as ISO 8601 ("2024-05-01T12:00:00Z") or for people ("2024-05-01 12:00:00 UTC").
std::string formatUtc(index::TimePoint time, bool iso)
{
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[64];
    const std::size_t length = iso ? std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts)
                                   : std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
    return std::string(text, length);
}

}  // namespace

std::string formatSize(std::uint64_t bytes)
{
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        return std::to_string(bytes) + " B";
    }
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
        value /= 1024.0;
        ++unit;
    }
    if (value >= 1023.95 && unit + 1 < std::size(kUnits)) {  // would print as "1024.0"
        value /= 1024.0;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
    return text;
}

std::string formatTime(index::TimePoint time)
{
    if (time.time_since_epoch().count() == 0) {
        return "never";
    }
    return formatUtc(time, false);
}

std::string isoTime(index::TimePoint time) { return formatUtc(time, true); }

Poco::JSON::Object::Ptr jsonObject() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

void printJson(std::ostream& out, const Poco::JSON::Object::Ptr& value)
{
    value->stringify(out, 2);
    out << '\n';
}

Table::Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }

void Table::add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

void Table::print(std::ostream& out) const
{
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t column = 0; column < row.size(); ++column) {
            widths[column] = std::max(widths[column], row[column].size());
        }
    }
    for (const auto& row : rows_) {
        std::string line;
        for (std::size_t column = 0; column < row.size(); ++column) {
            line += row[column];
            if (column + 1 < row.size()) {
                line.append(widths[column] - row[column].size() + 2, ' ');
            }
        }
        out << line << '\n';
    }
}

Poco::JSON::Array::Ptr jsonStrings(const std::vector<std::string>& items)
{
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
    for (const std::string& item : items)
        array->add(item);
    return array;
}

}  // namespace vicary::ctl
