// Headers every answer of the registry API carries.
#pragma once

namespace Poco::Net {
class HTTPServerResponse;
}

namespace vicary::http {

/// Sets "Docker-Distribution-API-Version: registry/2.0", which clients use to recognise a registry.
void setApiHeaders(Poco::Net::HTTPServerResponse& response);

}  // namespace vicary::http
