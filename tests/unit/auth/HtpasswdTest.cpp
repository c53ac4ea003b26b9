// htpasswd files: what is accepted, what stops start-up (naming file and line), and bcrypt checks via crypt(3).
#include "auth/Htpasswd.h"

#include <crypt.h>

#include <memory>
#include <stdexcept>
#include <string>

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

namespace vicary::auth {
namespace {

/// A bcrypt hash of `password` at the cheapest cost, made with libxcrypt (as htpasswd -B would).
std::string bcrypt(const std::string& password, const char* prefix = "$2y$")
{
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn(prefix, 4, nullptr, 0, setting, sizeof setting) == nullptr)
        throw std::runtime_error("crypt_gensalt_rn failed");
    auto data = std::make_unique<crypt_data>();
    const char* hash = crypt_r(password.c_str(), setting, data.get());
    if (hash == nullptr || hash[0] == '*')
        throw std::runtime_error("crypt_r failed");
    return hash;
}

std::string parseError(const std::string& text)
{
    try {
        Htpasswd::parse(text, "/etc/vicary/htpasswd");
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    CPPUNIT_FAIL("expected an error for: " + text);
    return "";
}

}  // namespace

class HtpasswdTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HtpasswdTest);
    CPPUNIT_TEST(rightPasswordsPassWrongOnesFail);
    CPPUNIT_TEST(everyBcryptPrefixIsAccepted);
    CPPUNIT_TEST(badFilesNameFileAndLine);
    CPPUNIT_TEST(commentsBlankLinesAndCrlfAreFine);
    CPPUNIT_TEST_SUITE_END();

public:
    void rightPasswordsPassWrongOnesFail()
    {
        const Htpasswd users =
            Htpasswd::parse("alice:" + bcrypt("wonder land") + "\nbob:" + bcrypt("b0b") + "\n", "users");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), users.size());
        CPPUNIT_ASSERT(users.verify("alice", "wonder land"));
        CPPUNIT_ASSERT(users.verify("bob", "b0b"));
        CPPUNIT_ASSERT(!users.verify("alice", "b0b"));
        CPPUNIT_ASSERT(!users.verify("alice", "wonder lan"));
        CPPUNIT_ASSERT(!users.verify("alice", ""));
        CPPUNIT_ASSERT(!users.verify("Alice", "wonder land"));
        CPPUNIT_ASSERT(!users.verify("carol", "wonder land"));
        CPPUNIT_ASSERT(!users.verify("alice", std::string("wonder land\0x", 13)));
        CPPUNIT_ASSERT(users.hasUser("bob"));
        CPPUNIT_ASSERT(!users.hasUser("carol"));
    }

    void everyBcryptPrefixIsAccepted()
    {
        for (const char* prefix : {"$2a$", "$2b$", "$2y$"}) {
            const Htpasswd users = Htpasswd::parse(std::string("u:") + bcrypt("pw", prefix), "users");
            CPPUNIT_ASSERT_MESSAGE(prefix, users.verify("u", "pw"));
        }
    }

    void badFilesNameFileAndLine()
    {
        const std::string good = "alice:" + bcrypt("x") + "\n";
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/vicary/htpasswd:2: user 'bob' has a hash that is not bcrypt; create it "
                                         "with htpasswd -B"),
                             parseError(good + "bob:$apr1$abcdefgh$0123456789abcdefghijkl\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/vicary/htpasswd:1: user 'sha' has a hash that is not bcrypt; create it "
                                         "with htpasswd -B"),
                             parseError("sha:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/vicary/htpasswd:2: not 'user:hash'"), parseError(good + "just-a-name\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/vicary/htpasswd:1: not 'user:hash'"), parseError(":" + bcrypt("x")));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/vicary/htpasswd:2: user 'alice' is listed twice"), parseError(good + good));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/vicary/htpasswd: names no user; add one with htpasswd -B "
                                         "/etc/vicary/htpasswd <user>"),
                             parseError("# nobody yet\n\n"));
        try {
            Htpasswd::load("/nonexistent/htpasswd");
            CPPUNIT_FAIL("a missing file loaded");
        } catch (const std::runtime_error& e) {
            CPPUNIT_ASSERT_EQUAL(std::string("/nonexistent/htpasswd: cannot read the htpasswd file"),
                                 std::string(e.what()));
        }
    }

    void commentsBlankLinesAndCrlfAreFine()
    {
        const Htpasswd users = Htpasswd::parse("# team\r\n\r\nalice:" + bcrypt("pw") + "\r\n", "users");
        CPPUNIT_ASSERT(users.verify("alice", "pw"));
    }
};

}  // namespace vicary::auth

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(vicary::auth::HtpasswdTest, "auth");
