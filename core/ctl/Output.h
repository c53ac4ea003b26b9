// How vicaryctl prints: sizes and times for people, JSON for programs, aligned tables.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "index/CacheIndex.h"

namespace vicary::ctl {

/// A size for people, in powers of 1024 with one decimal: "512 B", "1.5 KiB", "1.2 GiB".
std::string formatSize(std::uint64_t bytes);

/// A time for people, in UTC to the second: "2024-05-01 12:00:00 UTC"; "never" for the epoch.
std::string formatTime(index::TimePoint time);

/// A time for programs: ISO 8601 UTC, "2024-05-01T12:00:00Z".
std::string isoTime(index::TimePoint time);

/// A JSON object that keeps its keys in insertion order, so that output reads like the human form.
Poco::JSON::Object::Ptr jsonObject();

/// A JSON array of the strings in `items`.
Poco::JSON::Array::Ptr jsonStrings(const std::vector<std::string>& items);

/// Writes `value` indented by two, and a newline.
void printJson(std::ostream& out, const Poco::JSON::Object::Ptr& value);

/// Rows of text printed in left-aligned columns two spaces apart; the first row is the header.
class Table {
public:
    explicit Table(std::vector<std::string> header);
    void add(std::vector<std::string> row);
    bool empty() const noexcept { return rows_.size() <= 1; }
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace vicary::ctl
