#include "config/RegistrySectionReader.h"

#include <strings.h>

#include <cstring>
#include <functional>

#include "config/ConfigError.h"
#include "config/ConfigLocation.h"
#include "config/NetworkParsers.h"
#include "config/TextFile.h"
#include "config/ValueParsers.h"

namespace vicary::config {
namespace {

struct RegistryKey {
    const char* name;
    bool emptyAllowed;  ///< empty means "not set"
};

const RegistryKey kKeys[] = {
    {"plugin", false},  {"upstream", true}, {"aliases", true},     {"username", true},  {"password", true},
    {"password_file", true}, {"ca_file", true}, {"plain_http", false}, {"tag_ttl", false},
    {"allow_private_redirects", false}, {"allow_users", true},
};

const RegistryKey* findKey(const std::string& key, bool ignoreCase)
{
    for (const auto& known : kKeys) {
        const bool same = ignoreCase ? strcasecmp(known.name, key.c_str()) == 0 : key == known.name;
        if (same)
            return &known;
    }
    return nullptr;
}

/// The section being read, for messages.
class SectionReader {
public:
    SectionReader(const IniSection& section, const std::string& file) : section_(section), file_(file) {}

    [[noreturn]] void fail(int line, const std::string& key, const std::string& what) const
    {
        throw ConfigError(fileLocation(file_, line, section_.name, key) + what);
    }

    /// The entry for `key` if it has a non-empty value.
    const IniEntry* given(const char* key) const
    {
        const IniEntry* entry = section_.find(key);
        return entry != nullptr && !entry->value.empty() ? entry : nullptr;
    }

    /// Calls `parse` with the value of `key` if given, turning a ValueError into a ConfigError.
    void parse(const char* key, const std::function<void(const std::string&)>& parse) const
    {
        const IniEntry* entry = given(key);
        if (entry == nullptr)
            return;
        try {
            parse(entry->value);
        } catch (const ValueError& error) {
            fail(entry->line, key, error.what());
        }
    }

    /// Reads the file that `key` names (already resolved to `path`).
    std::string readFile(const char* key, const std::string& path) const
    {
        std::string contents;
        if (const int error = readTextFile(path, contents); error != 0)
            fail(given(key)->line, key, "cannot read '" + path + "': " + std::strerror(error));
        return contents;
    }

    int line(const char* key) const
    {
        const auto* entry = given(key);
        return entry != nullptr ? entry->line : section_.line;
    }

private:
    const IniSection& section_;
    const std::string& file_;
};

void readEntries(const IniSection& section, const SectionReader& reader, RegistrySettings& registry)
{
    for (const auto& entry : section.entries) {
        if (const RegistryKey* key = findKey(entry.key, false)) {
            if (entry.value.empty() && !key->emptyAllowed)
                reader.fail(entry.line, entry.key, "no value given");
            continue;
        }
        if (const RegistryKey* key = findKey(entry.key, true))
            reader.fail(entry.line, entry.key, std::string("keys are lowercase; did you mean '") + key->name + "'?");
        registry.extra[entry.key] = entry.value;
        registry.extraLines[entry.key] = entry.line;
    }
}

void readCredentials(const SectionReader& reader, const std::string& baseDirectory, RegistrySettings& registry)
{
    const IniEntry* username = reader.given("username");
    const IniEntry* password = reader.given("password");
    const IniEntry* passwordFile = reader.given("password_file");
    if (password != nullptr && passwordFile != nullptr) {
        const IniEntry* later = password->line > passwordFile->line ? password : passwordFile;
        reader.fail(later->line, later->key, "password and password_file are both set; keep one");
    }
    const IniEntry* secret = password != nullptr ? password : passwordFile;
    if (username != nullptr && secret == nullptr)
        reader.fail(username->line, "username", "'" + username->value + "' has no password; set password or "
                                                                         "password_file");
    if (username == nullptr && secret != nullptr)
        reader.fail(secret->line, secret->key, "given without a username; set username too");
    if (username == nullptr)
        return;
    registry.credentials.username = username->value;
    if (password != nullptr) {
        registry.credentials.password = password->value;
        return;
    }
    std::string path;
    reader.parse("password_file", [&](const std::string& v) { path = resolvePath(v, baseDirectory); });
    registry.credentials.password = withoutTrailingNewlines(reader.readFile("password_file", path));
    if (registry.credentials.password.empty())
        reader.fail(passwordFile->line, "password_file", "'" + path + "' is empty");
}

void checkPlainHttp(const SectionReader& reader, const RegistrySettings& registry)
{
    if (registry.upstream.empty())
        return;
    const std::string scheme = urlScheme(registry.upstream);
    if (scheme == "http" && !registry.plainHttp)
        reader.fail(reader.line("upstream"), "upstream",
                    "'" + registry.upstream + "' is plain HTTP; set plain_http = true to allow it");
    if (scheme == "https" && registry.plainHttp)
        reader.fail(reader.line("plain_http"), "plain_http",
                    "true contradicts the https:// upstream '" + registry.upstream +
                        "'; use an http:// upstream or remove plain_http");
}

}  // namespace

std::string registryKeyNames()
{
    std::string names;
    for (const auto& key : kKeys)
        names += (names.empty() ? "" : ", ") + std::string(key.name);
    return names;
}

RegistrySettings readRegistrySection(const IniSection& section, const std::string& file,
                                     const std::string& baseDirectory)
{
    const SectionReader reader(section, file);
    RegistrySettings registry;
    registry.name = section.name.substr(std::strlen(kRegistrySectionPrefix));
    if (!isValidName(registry.name))
        reader.fail(section.line, "",
                    "'" + registry.name + "' is not a registry name (lowercase letters, digits, '_' and '-', starting "
                                          "with a letter or digit, at most 63 characters)");
    readEntries(section, reader, registry);
    if (reader.given("plugin") == nullptr)
        reader.fail(section.line, "plugin", "missing; every registry needs plugin = <name of a plugin>");
    reader.parse("plugin", [&](const std::string& v) { registry.plugin = parseName(v); });
    reader.parse("upstream", [&](const std::string& v) { registry.upstream = parseBaseUrl(v); });
    reader.parse("aliases", [&](const std::string& v) { registry.aliases = parseHostList(v); });
    reader.parse("plain_http", [&](const std::string& v) { registry.plainHttp = parseBool(v); });
    reader.parse("allow_users", [&](const std::string& v) { registry.allowUsers = parseUserList(v); });
    reader.parse("allow_private_redirects",
                 [&](const std::string& v) { registry.allowPrivateRedirects = parseBool(v); });
    reader.parse("tag_ttl", [&](const std::string& v) { registry.tagTtl = parseDuration(v); });
    reader.parse("ca_file", [&](const std::string& v) { registry.caFile = resolvePath(v, baseDirectory); });
    checkPlainHttp(reader, registry);
    readCredentials(reader, baseDirectory, registry);
    if (!registry.caFile.empty()) {
        if (reader.readFile("ca_file", registry.caFile).empty())
            reader.fail(reader.line("ca_file"), "ca_file", "'" + registry.caFile + "' is empty");
    }
    return registry;
}

}  // namespace vicary::config
