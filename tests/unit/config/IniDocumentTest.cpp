// Tests for core/config/IniDocument: what inih reads, with lines, and the mistakes it would otherwise swallow.
#include <cppunit/extensions/HelperMacros.h>

#include "config/IniDocument.h"

using namespace vicary::config;

namespace {

/// The IniSyntaxError of parsing `text`, as "line: message".
std::string errorOf(const std::string& text)
{
    try {
        IniDocument::parse(text);
    } catch (const IniSyntaxError& error) {
        return std::to_string(error.line()) + ": " + error.what();
    }
    CPPUNIT_FAIL("expected an IniSyntaxError for: " + text);
    return "";
}

bool startsWith(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

class IniDocumentTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(IniDocumentTest);
    CPPUNIT_TEST(sectionsKeysValuesAndLines);
    CPPUNIT_TEST(commentsAndBlankLinesAreSkipped);
    CPPUNIT_TEST(emptySectionsAreKept);
    CPPUNIT_TEST(crlfAndByteOrderMark);
    CPPUNIT_TEST(longLinesAreRefusedByNumber);
    CPPUNIT_TEST(lineOf199CharactersIsAccepted);
    CPPUNIT_TEST(duplicateKeys);
    CPPUNIT_TEST(duplicateSectionsEvenWhenEmpty);
    CPPUNIT_TEST(keyBeforeAnySection);
    CPPUNIT_TEST(lineWithoutEquals);
    CPPUNIT_TEST(colonSeparatorIsRefused);
    CPPUNIT_TEST(emptyKey);
    CPPUNIT_TEST(indentedLineAfterKeyIsAContinuation);
    CPPUNIT_TEST(indentedKeyRightAfterHeaderIsFine);
    CPPUNIT_TEST(brokenSectionHeaders);
    CPPUNIT_TEST_SUITE_END();

public:
    void sectionsKeysValuesAndLines()
    {
        const IniDocument doc = IniDocument::parse("[server]\nport = 5050\nbind=::\n\n[registry.quay]\nplugin = quay\n");
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, doc.sections().size());
        const IniSection& server = doc.sections()[0];
        CPPUNIT_ASSERT_EQUAL(std::string("server"), server.name);
        CPPUNIT_ASSERT_EQUAL(1, server.line);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, server.entries.size());
        CPPUNIT_ASSERT_EQUAL(std::string("5050"), server.find("port")->value);
        CPPUNIT_ASSERT_EQUAL(2, server.find("port")->line);
        CPPUNIT_ASSERT_EQUAL(std::string("::"), server.find("bind")->value);
        CPPUNIT_ASSERT(server.find("threads") == nullptr);
        CPPUNIT_ASSERT_EQUAL(std::string("registry.quay"), doc.sections()[1].name);
        CPPUNIT_ASSERT_EQUAL(5, doc.sections()[1].line);
        CPPUNIT_ASSERT_EQUAL(6, doc.sections()[1].find("plugin")->line);
    }

    void commentsAndBlankLinesAreSkipped()
    {
        const IniDocument doc = IniDocument::parse("# comment\n; comment\n[log] ; trailing\n\n  # indented comment\n"
                                                   "level = debug ; inline comment\nx = a;b\n");
        const IniSection& log = doc.sections().at(0);
        CPPUNIT_ASSERT_EQUAL(std::string("debug"), log.find("level")->value);
        CPPUNIT_ASSERT_EQUAL(6, log.find("level")->line);
        CPPUNIT_ASSERT_EQUAL(std::string("a;b"), log.find("x")->value);
    }

    void emptySectionsAreKept()
    {
        const IniDocument doc = IniDocument::parse("[registry.empty]\n[log]\nlevel = debug\n");
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, doc.sections().size());
        CPPUNIT_ASSERT(doc.sections()[0].entries.empty());
        CPPUNIT_ASSERT_EQUAL(2, doc.sections()[1].line);
    }

    void crlfAndByteOrderMark()
    {
        const IniDocument doc = IniDocument::parse("\xEF\xBB\xBF[server]\r\nport = 1\r\n");
        CPPUNIT_ASSERT_EQUAL(std::string("server"), doc.sections().at(0).name);
        CPPUNIT_ASSERT_EQUAL(std::string("1"), doc.sections()[0].find("port")->value);
    }

    void longLinesAreRefusedByNumber()
    {
        const std::string text = "[log]\n; " + std::string(198, 'x') + "\n";
        CPPUNIT_ASSERT_EQUAL(std::string("2: line is 200 characters long; the limit is 199"), errorOf(text));
    }

    void lineOf199CharactersIsAccepted()
    {
        const std::string value(199 - 6, 'v');  // "key = " + value is 199 characters
        const IniDocument doc = IniDocument::parse("[x]\nkey = " + value + "\r\nnxt = " + value + "\nlast = 1");
        CPPUNIT_ASSERT_EQUAL(value, doc.sections()[0].find("key")->value);
        CPPUNIT_ASSERT_EQUAL(value, doc.sections()[0].find("nxt")->value);
        CPPUNIT_ASSERT_EQUAL(3, doc.sections()[0].find("nxt")->line);
        CPPUNIT_ASSERT_EQUAL(4, doc.sections()[0].find("last")->line);
    }

    void duplicateKeys()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("4: [server] port: duplicate key; it is first set on line 2"),
                             errorOf("[server]\nport = 1\nbind = ::\nport = 2\n"));
    }

    void duplicateSectionsEvenWhenEmpty()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("3: [server]: duplicate section; it first appears on line 1"),
                             errorOf("[server]\n[log]\n[server]\nport = 1\n"));
    }

    void keyBeforeAnySection()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("2: key 'port' comes before any [section] header"),
                             errorOf("# top\nport = 1\n[server]\n"));
    }

    void lineWithoutEquals()
    {
        const std::string message = errorOf("[server]\nport 5050\n");
        CPPUNIT_ASSERT(startsWith(message, "2: [server] line is not 'key = value'"));
        CPPUNIT_ASSERT(message.find("5050") == std::string::npos);
    }

    void colonSeparatorIsRefused()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("2: [server] port: use '=' between key and value, not ':'"),
                             errorOf("[server]\nport: 5050\n"));
    }

    void emptyKey()
    {
        CPPUNIT_ASSERT(startsWith(errorOf("[server]\n = 5050\n"), "2: [server] line has no key"));
    }

    void indentedLineAfterKeyIsAContinuation()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("4: line 4 is indented and is read as a continuation of 'port'; remove the "
                                         "indentation"),
                             errorOf("[server]\nport = 5050\n\n  bind = ::\n"));
        CPPUNIT_ASSERT(startsWith(errorOf("[a]\nk = 1\n\t[b]\n"), "3: line 3 is indented"));
    }

    void indentedKeyRightAfterHeaderIsFine()
    {
        const IniDocument doc = IniDocument::parse("[server]\n  port = 1\n");
        CPPUNIT_ASSERT_EQUAL(std::string("1"), doc.sections()[0].find("port")->value);
    }

    void brokenSectionHeaders()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("1: section header has no closing ']'"), errorOf("[server\nport = 1\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("1: unexpected text after the section header '[server]'"),
                             errorOf("[server] port = 1\n"));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(IniDocumentTest, "config");
