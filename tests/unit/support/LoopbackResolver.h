// A DnsResolver that sends every name to 127.0.0.1: for tests whose only upstream is a fake on loopback.
#pragma once

#include "upstream/DnsResolver.h"

namespace vicary::test {

class LoopbackResolver final : public upstream::DnsResolver {
public:
    std::vector<Poco::Net::IPAddress> resolve(const std::string&) const override
    {
        return {Poco::Net::IPAddress("127.0.0.1")};
    }
    std::string describe() const override { return "loopback"; }
};

}  // namespace vicary::test
