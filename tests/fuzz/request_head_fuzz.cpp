// Request heads (http/RequestHead.h) as a client sends them: any bytes. The scanner must find the same end whether
// the bytes come at once or one at a time; a parsed head keeps the documented shape and, written out again, parses
// to the same head; a refused one says why with 400, 414 or 431.
#include <cstdint>
#include <string>
#include <string_view>

#include "FuzzTarget.h"
#include "http/RequestHead.h"

namespace {

using vicary::http::HeadError;
using vicary::http::HeadLimits;
using vicary::http::HeadScanner;
using vicary::http::RequestHead;

bool isTokenChar(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view text)
{
    if (text.empty())
        return false;
    for (const char c : text)
        if (!isTokenChar(c))
            return false;
    return true;
}

bool within(std::string_view part, std::string_view text)
{
    return part.data() >= text.data() && part.data() + part.size() <= text.data() + text.size();
}

/// The head written out in the canonical form: single spaces, CRLF, "name: value".
std::string written(const RequestHead& head)
{
    std::string out;
    out.append(head.method).append(" ").append(head.target).append(" ").append(head.version).append("\r\n");
    for (const auto& field : head.fields)
        out.append(field.name).append(": ").append(field.value).append("\r\n");
    return out + "\r\n";
}

void checkShape(const RequestHead& head, std::string_view text)
{
    VICARY_FUZZ_CHECK(isToken(head.method) && head.method.size() <= HeadLimits::kMethod);
    VICARY_FUZZ_CHECK(!head.target.empty() && head.target.size() <= HeadLimits::kTarget);
    for (const char c : head.target)
        VICARY_FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7f);
    VICARY_FUZZ_CHECK(head.version.size() == 8 && head.version.substr(0, 5) == "HTTP/");
    VICARY_FUZZ_CHECK(head.fields.size() <= HeadLimits::kFields);
    VICARY_FUZZ_CHECK(within(head.method, text) && within(head.target, text) && within(head.version, text));
    for (const auto& field : head.fields) {
        VICARY_FUZZ_CHECK(isToken(field.name) && field.name.size() <= HeadLimits::kName);
        VICARY_FUZZ_CHECK(field.value.size() <= HeadLimits::kValue);
        VICARY_FUZZ_CHECK(within(field.name, text) && within(field.value, text));
        if (!field.value.empty()) {
            VICARY_FUZZ_CHECK(field.value.front() != ' ' && field.value.front() != '\t');
            VICARY_FUZZ_CHECK(field.value.back() != ' ' && field.value.back() != '\t');
        }
        for (const char c : field.value) {
            const auto u = static_cast<unsigned char>(c);
            VICARY_FUZZ_CHECK((u >= 0x20 || u == '\t') && u != 0x7f);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const std::string_view input = vicary::fuzz::textOf(data, size);

    HeadScanner whole;
    const HeadScanner::State state = whole.scan(input.data(), input.size());
    HeadScanner bytewise;
    HeadScanner::State stepped = HeadScanner::State::NeedMore;
    for (std::size_t given = 1; given <= input.size() && stepped == HeadScanner::State::NeedMore; ++given)
        stepped = bytewise.scan(input.data(), given);
    VICARY_FUZZ_CHECK(state == stepped);

    if (state == HeadScanner::State::Refused) {
        const HeadError& error = whole.error();
        VICARY_FUZZ_CHECK(error.status == 400 || error.status == 414 || error.status == 431);
        VICARY_FUZZ_CHECK(!error.message.empty() && error.status == bytewise.error().status);
        return 0;
    }
    if (state == HeadScanner::State::NeedMore)
        return 0;
    VICARY_FUZZ_CHECK(whole.begin() == bytewise.begin() && whole.end() == bytewise.end());
    VICARY_FUZZ_CHECK(whole.begin() < whole.end() && whole.end() <= input.size());
    VICARY_FUZZ_CHECK(input[whole.end() - 1] == '\n');

    const std::string_view text = input.substr(whole.begin(), whole.end() - whole.begin());
    RequestHead head;
    const HeadError error = parseRequestHead(text, head);
    if (error.status != 0) {
        VICARY_FUZZ_CHECK(error.status == 400 || error.status == 414 || error.status == 431);
        VICARY_FUZZ_CHECK(!error.message.empty());
        return 0;
    }
    VICARY_FUZZ_CHECK(error.message.empty());
    checkShape(head, text);

    const std::string again = written(head);
    HeadScanner rescanned;
    VICARY_FUZZ_CHECK(rescanned.scan(again.data(), again.size()) == HeadScanner::State::Complete);
    VICARY_FUZZ_CHECK(rescanned.begin() == 0 && rescanned.end() == again.size());
    RequestHead reparsed;
    VICARY_FUZZ_CHECK(parseRequestHead(again, reparsed).status == 0);
    VICARY_FUZZ_CHECK(reparsed.method == head.method && reparsed.target == head.target &&
                      reparsed.version == head.version && reparsed.fields.size() == head.fields.size());
    for (std::size_t i = 0; i < head.fields.size(); ++i)
        VICARY_FUZZ_CHECK(reparsed.fields[i].name == head.fields[i].name &&
                          reparsed.fields[i].value == head.fields[i].value);
    return 0;
}
