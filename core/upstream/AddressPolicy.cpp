#include "upstream/AddressPolicy.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace vicary::upstream {
namespace {

struct Range4 {
    std::uint32_t network;
    int prefix;
    const char* kind;
};

constexpr std::uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return (a << 24) | (b << 16) | (c << 8) | d;
}

// RFC 6890 special-purpose IPv4 ranges that are not reachable on the public internet.
constexpr std::array<Range4, 14> kSpecial4{{
    {ip4(0, 0, 0, 0), 8, "unspecified"},
    {ip4(10, 0, 0, 0), 8, "private"},
    {ip4(100, 64, 0, 0), 10, "shared (carrier-grade NAT)"},
    {ip4(127, 0, 0, 0), 8, "loopback"},
    {ip4(169, 254, 0, 0), 16, "link-local"},
    {ip4(172, 16, 0, 0), 12, "private"},
    {ip4(192, 0, 0, 0), 24, "reserved"},
    {ip4(192, 0, 2, 0), 24, "documentation/benchmarking"},
    {ip4(192, 168, 0, 0), 16, "private"},
    {ip4(198, 18, 0, 0), 15, "documentation/benchmarking"},
    {ip4(198, 51, 100, 0), 24, "documentation/benchmarking"},
    {ip4(203, 0, 113, 0), 24, "documentation/benchmarking"},
    {ip4(224, 0, 0, 0), 4, "multicast"},
    {ip4(240, 0, 0, 0), 4, "reserved"},
}};

std::optional<std::string> kindOf4(std::uint32_t address)
{
    for (const Range4& range : kSpecial4) {
        const std::uint32_t mask = range.prefix == 0 ? 0 : ~std::uint32_t(0) << (32 - range.prefix);
        if ((address & mask) == range.network)
            return std::string(range.kind);
    }
    return std::nullopt;
}

std::uint32_t fromBytes(const unsigned char* bytes)
{
    return (std::uint32_t(bytes[0]) << 24) | (std::uint32_t(bytes[1]) << 16) | (std::uint32_t(bytes[2]) << 8) |
           std::uint32_t(bytes[3]);
}

std::optional<std::string> kindOf6(const unsigned char* bytes)
{
    static const unsigned char zeros[16] = {};
    if (std::memcmp(bytes, zeros, 15) == 0 && (bytes[15] == 0 || bytes[15] == 1))
        return std::string(bytes[15] == 0 ? "unspecified" : "loopback");
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, mapped, 12) == 0)
        return kindOf4(fromBytes(bytes + 12));
    static const unsigned char nat64[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    if (std::memcmp(bytes, nat64, 12) == 0)
        return kindOf4(fromBytes(bytes + 12));
    if (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80)
        return std::string("link-local");
    if ((bytes[0] & 0xfe) == 0xfc)
        return std::string("private");  // unique local fc00::/7
    if (bytes[0] == 0xff)
        return std::string("multicast");
    if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d && bytes[3] == 0xb8)
        return std::string("documentation/benchmarking");
    if (std::memcmp(bytes, zeros, 12) == 0)
        return std::string("reserved");  // the deprecated IPv4-compatible ::a.b.c.d
    return std::nullopt;
}

}  // namespace

std::optional<std::string> nonPublicKind(const Poco::Net::IPAddress& address)
{
    const auto* bytes = static_cast<const unsigned char*>(address.addr());
    if (address.family() == Poco::Net::IPAddress::IPv4)
        return kindOf4(fromBytes(bytes));
    return kindOf6(bytes);
}

}  // namespace vicary::upstream
