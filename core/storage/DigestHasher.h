// An incremental SHA-256 / SHA-512 hash through OpenSSL's EVP interface (which uses the CPU's SHA instructions).
#pragma once

#include <cstddef>
#include <string>

#include <Poco/Crypto/DigestEngine.h>

namespace vicary::storage {

/// Hashes bytes fed in pieces and gives the digest as lowercase hex. One user at a time; distinct instances may be
/// used concurrently.
class DigestHasher {
public:
    /// Length of the hex digest for a supported algorithm ("sha256": 64, "sha512": 128), 0 for any other. Thread-safe.
    static std::size_t hexLength(const std::string& algorithm) noexcept;

    /// Whether `hex` is a well-formed digest for `algorithm`: supported algorithm, exact length, lowercase hex only.
    /// Thread-safe.
    static bool isValidHex(const std::string& algorithm, const std::string& hex) noexcept;

    /// Throws std::invalid_argument naming `algorithm` unless it is "sha256" or "sha512". Thread-safe.
    static void requireSupported(const std::string& algorithm);

    /// Starts a hash with `algorithm` ("sha256" or "sha512"). Throws std::invalid_argument naming any other.
    explicit DigestHasher(const std::string& algorithm);
    DigestHasher(const DigestHasher&) = delete;
    DigestHasher& operator=(const DigestHasher&) = delete;

    /// Feeds `size` bytes.
    void update(const char* data, std::size_t size);

    /// The lowercase hex digest of everything fed so far; the hasher starts over afterwards.
    std::string finishHex();

    const std::string& algorithm() const noexcept { return algorithm_; }

private:
    std::string algorithm_;
    Poco::Crypto::DigestEngine engine_;
};

}  // namespace vicary::storage
