#include "http/ResponseHeaders.h"

#include <Poco/Net/HTTPServerResponse.h>

namespace vicary::http {

void setApiHeaders(Poco::Net::HTTPServerResponse& response)
{
    response.set("Docker-Distribution-API-Version", "registry/2.0");
}

}  // namespace vicary::http
