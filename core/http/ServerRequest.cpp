#include "http/ServerRequest.h"

#include <string>

namespace vicary::http {

ServerRequest::ServerRequest(ServerSession& session, const RequestHead& head, Poco::Net::HTTPServerResponse& response,
                             const Poco::Net::HTTPServerParams& params)
    : session_(session),
      response_(response),
      params_(params),
      client_(session.clientAddress()),
      server_(session.serverAddress())
{
    // Scratch strings keep their capacity between requests: a field costs the one copy the header list keeps
    // (POCO 1.11's NameValueCollection takes const std::string& only).
    thread_local std::string name;
    thread_local std::string value;
    name.assign(head.method);
    setMethod(name);
    name.assign(head.target);
    setURI(name);
    name.assign(head.version);
    setVersion(name);
    for (const RequestHead::Field& field : head.fields) {
        name.assign(field.name);
        value.assign(field.value);
        add(name, value);
    }
}

std::istream& ServerRequest::stream()
{
    thread_local std::istream nothing(nullptr);  // no buffer: every read fails at once
    nothing.clear(std::ios::eofbit | std::ios::badbit);
    return nothing;
}

bool ServerRequest::hasBody() const
{
    if (has("Transfer-Encoding"))
        return true;
    const std::string& length = get("Content-Length", "");
    return !length.empty() && length.find_first_not_of('0') != std::string::npos;
}

}  // namespace vicary::http
