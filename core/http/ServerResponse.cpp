#include "http/ServerResponse.h"

#include <Poco/Net/NetException.h>

#include "http/BodySender.h"

namespace vicary::http {
namespace {

/// Where the body of a bodiless answer goes: a stream without a buffer, so every write fails silently.
std::ostream& nowhere()
{
    thread_local std::ostream stream(nullptr);
    stream.clear(std::ios::badbit);
    return stream;
}

}  // namespace

ServerResponse::ServerResponse(Poco::Net::HTTPServerSession& session)
    : HTTPServerResponseImpl(session), session_(session)
{
}

std::ostream& ServerResponse::send()
{
    if (headSent_)
        return nowhere();
    const int status = getStatus();
    const bool bodiless = head_ || status < 200 || status == HTTP_NO_CONTENT || status == HTTP_NOT_MODIFIED;
    if (stream_ || (!bodiless && (getChunkedTransferEncoding() || !hasContentLength())))
        return HTTPServerResponseImpl::send();  // chunked or until-close bodies: POCO's way (no counting there)
    const std::string head = formatHead();
    if (bodiless) {
        // Nothing follows the head: send it as it is, without a stream (POCO's streams take a pooled buffer under a
        // process-wide lock). What a handler writes to the returned stream goes nowhere, as with POCO's.
        headSent_ = true;
        if (!sendAll(session_.socket(), head.data(), head.size()))
            throw Poco::Net::NetException("connection closed while sending a response head");
        return nowhere();
    }
    const auto length =
        static_cast<Poco::Net::HTTPFixedLengthStreamBuf::ContentLength>(head.size()) + getContentLength64();
    stream_ = std::make_unique<Poco::Net::HTTPFixedLengthOutputStream>(session_, length);
    stream_->write(head.data(), static_cast<std::streamsize>(head.size()));
    return *stream_;
}

std::string ServerResponse::formatHead() const
{
    std::string text;
    text.reserve(512);
    text.append(getVersion()).append(" ").append(std::to_string(static_cast<int>(getStatus())));
    text.append(" ").append(getReason()).append("\r\n");
    for (const auto& field : *this)
        text.append(field.first).append(": ").append(field.second).append("\r\n");
    text.append("\r\n");
    return text;
}

}  // namespace vicary::http
