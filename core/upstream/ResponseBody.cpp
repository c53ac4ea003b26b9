#include "upstream/ResponseBody.h"

#include <algorithm>
#include <cstring>

#include <Poco/Exception.h>
#include <Poco/Net/SSLException.h>

#include "upstream/UpstreamClient.h"

namespace vicary::upstream {

namespace {

constexpr std::size_t bufferSize = 64 * 1024;
constexpr std::size_t maxLineLength = 4096;

}  // namespace

ResponseBody::ResponseBody(UpstreamSession& session, Framing framing, std::uint64_t length, std::string context,
                           long readTimeoutMs)
    : session_(session),
      framing_(framing),
      length_(length),
      context_(std::move(context)),
      readTimeoutMs_(readTimeoutMs),
      buffer_(bufferSize)
{
    complete_ = framing_ == Framing::Empty || (framing_ == Framing::Length && length_ == 0);
}

ResponseBody::int_type ResponseBody::underflow()
{
    if (gptr() < egptr())
        return traits_type::to_int_type(*gptr());
    if (complete_)
        return traits_type::eof();
    if (failed_)
        fail("the body was read again after a failure");
    const std::size_t n = fill(buffer_.data(), buffer_.size());
    if (n == 0)
        return traits_type::eof();
    setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
    return traits_type::to_int_type(*gptr());
}

std::streamsize ResponseBody::xsgetn(char_type* s, std::streamsize count)
{
    std::streamsize done = 0;
    while (done < count) {
        const std::streamsize buffered = egptr() - gptr();
        if (buffered > 0) {
            const std::streamsize n = std::min(buffered, count - done);
            std::memcpy(s + done, gptr(), static_cast<std::size_t>(n));
            gbump(static_cast<int>(n));
            done += n;
            continue;
        }
        if (complete_)
            break;
        if (failed_)
            fail("the body was read again after a failure");
        const std::size_t n = fill(s + done, static_cast<std::size_t>(count - done));
        if (n == 0)
            break;
        done += static_cast<std::streamsize>(n);
    }
    return done;
}

bool ResponseBody::drain(std::uint64_t limit) noexcept
{
    try {
        setg(buffer_.data(), buffer_.data(), buffer_.data());
        const std::uint64_t start = received_;
        while (!complete_ && !failed_ && received_ - start <= limit)
            fill(buffer_.data(), buffer_.size());
        return complete_;
    } catch (...) {
        return false;
    }
}

std::size_t ResponseBody::fill(char* buffer, std::size_t size)
{
    switch (framing_) {
    case Framing::Empty:
        complete_ = true;
        return 0;
    case Framing::Length: {
        const std::uint64_t left = length_ - received_;
        if (left == 0) {
            complete_ = true;
            return 0;
        }
        const int n = readSome(buffer, static_cast<std::size_t>(std::min<std::uint64_t>(size, left)));
        if (n <= 0)
            fail("connection closed after " + std::to_string(received_) + " of " + std::to_string(length_) +
                 " body bytes");
        received_ += static_cast<std::uint64_t>(n);
        complete_ = received_ == length_;
        return static_cast<std::size_t>(n);
    }
    case Framing::Chunked:
        return readChunked(buffer, size);
    case Framing::UntilClose: {
        const int n = readSome(buffer, size);
        if (n <= 0) {
            complete_ = true;
            return 0;
        }
        received_ += static_cast<std::uint64_t>(n);
        return static_cast<std::size_t>(n);
    }
    }
    return 0;
}

std::size_t ResponseBody::readChunked(char* buffer, std::size_t size)
{
    if (chunkLeft_ == 0) {
        if (inChunk_) {
            if (!readLine().empty())
                fail("malformed chunked body: no line end after a chunk");
            inChunk_ = false;
        }
        const std::string line = readLine();
        const std::string sizeText = line.substr(0, line.find_first_of("; \t"));
        if (sizeText.empty() || sizeText.size() > 15 ||
            !std::all_of(sizeText.begin(), sizeText.end(), [](unsigned char c) { return std::isxdigit(c) != 0; }))
            fail("malformed chunked body: bad chunk size line");
        const std::uint64_t chunk = std::stoull(sizeText, nullptr, 16);
        if (chunk == 0) {
            while (!readLine().empty()) {
                // trailer fields are ignored
            }
            complete_ = true;
            return 0;
        }
        chunkLeft_ = chunk;
        inChunk_ = true;
    }
    const int n = readSome(buffer, static_cast<std::size_t>(std::min<std::uint64_t>(size, chunkLeft_)));
    if (n <= 0)
        fail("connection closed inside a chunk after " + std::to_string(received_) + " body bytes");
    chunkLeft_ -= static_cast<std::uint64_t>(n);
    received_ += static_cast<std::uint64_t>(n);
    return static_cast<std::size_t>(n);
}

std::string ResponseBody::readLine()
{
    std::string line;
    for (;;) {
        const int c = readByte();
        if (c == std::char_traits<char>::eof())
            fail("connection closed before the last chunk after " + std::to_string(received_) + " body bytes");
        if (c == '\n')
            break;
        if (line.size() >= maxLineLength)
            fail("malformed chunked body: line too long");
        line.push_back(static_cast<char>(c));
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

int ResponseBody::readSome(char* buffer, std::size_t size)
{
    try {
        return session_.readSome(buffer, static_cast<std::streamsize>(size));
    } catch (const Poco::TimeoutException&) {
        failed_ = true;
        throw UpstreamError(UpstreamError::Kind::Timeout, context_ + ": no data for " +
                                                              std::to_string(readTimeoutMs_) +
                                                              " ms while reading the body after " +
                                                              std::to_string(received_) + " bytes");
    } catch (const Poco::Net::SSLConnectionUnexpectedlyClosedException&) {
        if (framing_ == Framing::UntilClose)
            return 0;  // many servers end a close-delimited body without a TLS close_notify
        fail("connection closed after " + std::to_string(received_) + " body bytes");
    } catch (const Poco::Exception& e) {
        fail("connection failed after " + std::to_string(received_) + " body bytes: " + e.displayText());
    }
}

int ResponseBody::readByte()
{
    try {
        return session_.readByte();
    } catch (const Poco::TimeoutException&) {
        failed_ = true;
        throw UpstreamError(UpstreamError::Kind::Timeout, context_ + ": no data for " +
                                                              std::to_string(readTimeoutMs_) +
                                                              " ms while reading the body after " +
                                                              std::to_string(received_) + " bytes");
    } catch (const Poco::Exception& e) {
        fail("connection failed after " + std::to_string(received_) + " body bytes: " + e.displayText());
    }
}

void ResponseBody::fail(const std::string& reason)
{
    failed_ = true;
    throw UpstreamError(UpstreamError::Kind::Protocol, context_ + ": " + reason);
}

}  // namespace vicary::upstream
