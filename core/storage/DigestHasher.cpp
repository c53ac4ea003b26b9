#include "storage/DigestHasher.h"

#include <stdexcept>

namespace vicary::storage {

namespace {

// The OpenSSL name for a digest algorithm as written in OCI digests; nullptr when Vicary does not support it.
const char* openSslName(const std::string& algorithm) noexcept
{
    if (algorithm == "sha256") {
        return "SHA256";
    }
    if (algorithm == "sha512") {
        return "SHA512";
    }
    return nullptr;
}

// Validated before Poco sees it, so that an unsupported name is std::invalid_argument, not Poco::NotFoundException.
const std::string& checkedAlgorithm(const std::string& algorithm)
{
    DigestHasher::requireSupported(algorithm);
    return algorithm;
}

constexpr bool isLowerHex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

}  // namespace

std::size_t DigestHasher::hexLength(const std::string& algorithm) noexcept
{
    if (algorithm == "sha256") {
        return 64;
    }
    if (algorithm == "sha512") {
        return 128;
    }
    return 0;
}

void DigestHasher::requireSupported(const std::string& algorithm)
{
    if (openSslName(algorithm) == nullptr) {
        throw std::invalid_argument("unsupported digest algorithm '" + algorithm + "' (sha256 and sha512 are)");
    }
}

bool DigestHasher::isValidHex(const std::string& algorithm, const std::string& hex) noexcept
{
    const std::size_t length = hexLength(algorithm);
    if (length == 0 || hex.size() != length) {
        return false;
    }
    for (const char c : hex) {
        if (!isLowerHex(c)) {
            return false;
        }
    }
    return true;
}

DigestHasher::DigestHasher(const std::string& algorithm)
    : algorithm_(checkedAlgorithm(algorithm)), engine_(openSslName(algorithm))
{
}

void DigestHasher::update(const char* data, std::size_t size)
{
    if (size > 0) {
        engine_.update(data, size);
    }
}

std::string DigestHasher::finishHex()
{
    // Poco::DigestEngine::digestToHex writes lowercase hex.
    return Poco::DigestEngine::digestToHex(engine_.digest());
}

}  // namespace vicary::storage
