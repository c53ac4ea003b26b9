// The distribution-spec grammars: tables of valid and invalid names, tags, digests and references.
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <string>
#include <vector>

#include "routing/Grammar.h"

namespace vicary::routing {

namespace {

const std::string kHex64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string kHex128 = kHex64 + kHex64;

std::string repeated(char c, std::size_t n) { return std::string(n, c); }

}  // namespace

class GrammarTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GrammarTest);
    CPPUNIT_TEST(acceptsValidRepositoryNames);
    CPPUNIT_TEST(rejectsInvalidRepositoryNames);
    CPPUNIT_TEST(acceptsValidTags);
    CPPUNIT_TEST(rejectsInvalidTags);
    CPPUNIT_TEST(acceptsValidDigests);
    CPPUNIT_TEST(rejectsInvalidDigests);
    CPPUNIT_TEST(parsesDigestParts);
    CPPUNIT_TEST(supportsOnlySha256AndSha512);
    CPPUNIT_TEST(classifiesReferences);
    CPPUNIT_TEST(hugeInputsFailQuickly);
    CPPUNIT_TEST_SUITE_END();

public:
    void acceptsValidRepositoryNames()
    {
        const std::string component50 = repeated('a', 50);
        // 5 * 50 + 4 slashes + "a" = 255
        const std::string name255 =
            component50 + "/" + component50 + "/" + component50 + "/" + component50 + "/" + component50 + "a";
        CPPUNIT_ASSERT_EQUAL(std::size_t(255), name255.size());
        const std::vector<std::string> valid = {
            "a", "0", "library/ubuntu", "foo/bar/baz", "a.b", "a_b", "a__b", "a-b", "a--b", "a---------b",
            "a.b_c__d-e", "9ubuntu/0x-y.z", "x/y/z/w/v", "a1/b2", "my-org/my_repo.name__x",
            repeated('a', 255), name255,
        };
        for (const auto& name : valid) {
            CPPUNIT_ASSERT_MESSAGE("should accept '" + name + "'", isValidRepositoryName(name));
        }
    }

    void rejectsInvalidRepositoryNames()
    {
        const std::vector<std::string> invalid = {
            "", "/", "/a", "a/", "a//b", "A", "library/Ubuntu", "a..b", "a___b", "a._b", "a_.b", "a-.b", "a.-b",
            ".a", "a.", "_a", "a_", "-a", "a-", "a/.b", "a/b.", "a b", "a:b", "a@b", "a\\b", "a\tb",
            "caf\xc3\xa9", "\xff", std::string("a\0b", 3), "..", "a/../b", repeated('a', 256),
            repeated('a', 128) + "/" + repeated('b', 127),  // 256
        };
        for (const auto& name : invalid) {
            CPPUNIT_ASSERT_MESSAGE("should reject '" + name + "'", !isValidRepositoryName(name));
        }
    }

    void acceptsValidTags()
    {
        const std::vector<std::string> valid = {
            "latest", "v1.2.3", "_", "_hidden", "0", "A", "Release-Candidate_1.0", "1.0-rc.1", "a..b", "x--__..",
            repeated('a', 128), "_" + repeated('.', 127),
        };
        for (const auto& tag : valid) {
            CPPUNIT_ASSERT_MESSAGE("should accept '" + tag + "'", isValidTag(tag));
        }
    }

    void rejectsInvalidTags()
    {
        const std::vector<std::string> invalid = {
            "", ".", ".hidden", "-x", "a:b", "a/b", "a b", "a@b", "a+b", "t\xc3\xa4g", "\xe2\x9c\x93",
            std::string("a\0", 2), repeated('a', 129), "_" + repeated('.', 128),
        };
        for (const auto& tag : invalid) {
            CPPUNIT_ASSERT_MESSAGE("should reject '" + tag + "'", !isValidTag(tag));
        }
    }

    void acceptsValidDigests()
    {
        const std::vector<std::string> valid = {
            "sha256:" + kHex64, "sha512:" + kHex128, "sha256:" + repeated('0', 64),
            // unregistered algorithms follow the generic grammar
            "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "sha3-256:abc", "b3:A=_-z",
            "a.b_c+d-e:x", "md5:d41d8cd98f00b204e9800998ecf8427e",
        };
        for (const auto& digest : valid) {
            CPPUNIT_ASSERT_MESSAGE("should accept '" + digest + "'", isValidDigest(digest));
            CPPUNIT_ASSERT_MESSAGE("should parse '" + digest + "'", parseDigest(digest).has_value());
        }
    }

    void rejectsInvalidDigests()
    {
        std::string upper = kHex64;
        upper[0] = 'E';
        const std::vector<std::string> invalid = {
            "", ":", "sha256", "sha256:", ":" + kHex64, "sha256:" + kHex64.substr(0, 63), "sha256:" + kHex64 + "0",
            "sha256:" + upper, "SHA256:" + kHex64, "sha256:" + kHex128, "sha512:" + kHex64,
            "sha512:" + kHex128.substr(0, 127), "sha256:" + repeated('g', 64), "sha256:" + kHex64.substr(0, 62) + "\xc3\xa9",
            "sha256:" + kHex64 + ":", "sha256::" + kHex64, "sha256 :" + kHex64, "sha256: " + kHex64,
            "+sha:abc", "sha+:abc", "sh++a:abc", "sh._a:abc", "md5:abc/def", "md5:ab+c", "md5:ab.c", "md5:\xc3\xa9",
            "m\xc3\xa9:abc", std::string("md5:a\0b", 7),
        };
        for (const auto& digest : invalid) {
            CPPUNIT_ASSERT_MESSAGE("should reject '" + digest + "'", !isValidDigest(digest));
            CPPUNIT_ASSERT_MESSAGE("should not parse '" + digest + "'", !parseDigest(digest).has_value());
        }
    }

    void parsesDigestParts()
    {
        const std::optional<Digest> digest = parseDigest("sha256:" + kHex64);
        CPPUNIT_ASSERT(digest.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("sha256"), digest->algorithm);
        CPPUNIT_ASSERT_EQUAL(kHex64, digest->hex);
        CPPUNIT_ASSERT_EQUAL("sha256:" + kHex64, digest->text());

        const std::optional<Digest> other = parseDigest("sha3-256:AbC=");
        CPPUNIT_ASSERT(other.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("sha3-256"), other->algorithm);
        CPPUNIT_ASSERT_EQUAL(std::string("AbC="), other->hex);
        CPPUNIT_ASSERT_EQUAL(std::string("sha3-256:AbC="), other->text());
    }

    void supportsOnlySha256AndSha512()
    {
        CPPUNIT_ASSERT(isSupportedDigest(*parseDigest("sha256:" + kHex64)));
        CPPUNIT_ASSERT(isSupportedDigest(*parseDigest("sha512:" + kHex128)));
        CPPUNIT_ASSERT(!isSupportedDigest(*parseDigest("md5:d41d8cd98f00b204e9800998ecf8427e")));
        CPPUNIT_ASSERT(!isSupportedDigest(*parseDigest("sha3-256:" + kHex64)));
        // hand-built digests are checked as strictly as parsed ones
        CPPUNIT_ASSERT(!isSupportedDigest(Digest{"sha256", kHex64.substr(1)}));
        CPPUNIT_ASSERT(!isSupportedDigest(Digest{"sha256", "E" + kHex64.substr(1)}));
        CPPUNIT_ASSERT(!isSupportedDigest(Digest{"sha512", kHex64}));
        CPPUNIT_ASSERT(!isSupportedDigest(Digest{}));
    }

    void classifiesReferences()
    {
        CPPUNIT_ASSERT(classifyReference("latest") == ReferenceKind::Tag);
        CPPUNIT_ASSERT(classifyReference("_v1.0-rc") == ReferenceKind::Tag);
        CPPUNIT_ASSERT(classifyReference("sha256:" + kHex64) == ReferenceKind::Digest);
        CPPUNIT_ASSERT(classifyReference("sha512:" + kHex128) == ReferenceKind::Digest);
        CPPUNIT_ASSERT(classifyReference("md5:abc") == ReferenceKind::Digest);

        const std::vector<std::string> invalid = {
            "", ":", "latest:", "sha256:" + kHex64.substr(0, 63), "sha256:" + repeated('A', 64), ".latest",
            repeated('a', 129), "t\xc3\xa4g", "a/b",
        };
        for (const auto& reference : invalid) {
            CPPUNIT_ASSERT_MESSAGE("should reject '" + reference + "'", !classifyReference(reference).has_value());
        }
    }

    void hugeInputsFailQuickly()
    {
        const auto start = std::chrono::steady_clock::now();
        const std::vector<std::string> huge = {
            repeated('a', 100000),
            repeated('a', 100000) + "A",
            "a" + repeated('-', 100000),
            "a" + repeated('-', 99998) + "a",
            repeated('_', 100000),
            "sha256:" + repeated('a', 100000),
            repeated('a', 100000) + ":" + kHex64 + "!",
            "md5:" + repeated('a', 100000) + "!",
            repeated(':', 100000),
            repeated('/', 100000),
        };
        for (const auto& input : huge) {
            CPPUNIT_ASSERT(!isValidRepositoryName(input));
            CPPUNIT_ASSERT(!isValidTag(input));
            CPPUNIT_ASSERT(!isValidDigest(input));
            CPPUNIT_ASSERT(!classifyReference(input).has_value());
        }
        const auto elapsed = std::chrono::steady_clock::now() - start;
        CPPUNIT_ASSERT(elapsed < std::chrono::seconds(1));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(GrammarTest, "routing");

}  // namespace vicary::routing
