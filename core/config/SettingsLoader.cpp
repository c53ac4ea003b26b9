#include "config/SettingsLoader.h"

#include <cstdio>

#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "config/ConfigLocation.h"
#include "config/EnvironmentOverrides.h"
#include "config/IniDocument.h"
#include "config/RegistrySectionReader.h"
#include "config/SectionKeys.h"
#include "config/TextFile.h"
#include "config/ValueParsers.h"

namespace vicary::config {
namespace {

bool isRegistrySection(const std::string& name)
{
    return name.compare(0, std::strlen(kRegistrySectionPrefix), kRegistrySectionPrefix) == 0;
}

IniDocument readDocument(const std::string& file)
{
    std::string text;
    if (const int error = readTextFile(file, text); error != 0)
        throw ConfigError(file + ": cannot read config file: " + std::strerror(error));
    try {
        return IniDocument::parse(text);
    } catch (const IniSyntaxError& error) {
        throw ConfigError(fileLocation(file, error.line(), "", "") + error.what());
    }
}

void readFixedSection(const IniSection& section, const std::string& file, const std::string& baseDirectory,
                      Settings& settings)
{
    for (const auto& entry : section.entries) {
        const std::string where = fileLocation(file, entry.line, section.name, entry.key);
        const KeySpec* spec = findFixedKey(section.name, entry.key);
        if (spec == nullptr)
            throw ConfigError(where + "unknown key; [" + section.name + "] accepts " + fixedKeyNames(section.name));
        if (entry.value.empty() && !spec->emptyAllowed)
            throw ConfigError(where + "no value given");
        try {
            spec->apply(settings, entry.value, baseDirectory);
        } catch (const ValueError& error) {
            throw ConfigError(where + error.what());
        }
    }
}

void readSections(const IniDocument& document, const std::string& file, Settings& settings)
{
    const std::string baseDirectory = std::filesystem::path(file).parent_path().string();
    for (const auto& section : document.sections()) {
        if (fixedSectionKeys(section.name) != nullptr)
            readFixedSection(section, file, baseDirectory, settings);
        else if (isRegistrySection(section.name))
            settings.registries.push_back(readRegistrySection(section, file, baseDirectory));
        else
            throw ConfigError(fileLocation(file, section.line, section.name, "") + "unknown section; known sections: " +
                              fixedSectionNames() + ", [registry.<name>]");
    }
}

/// [routing] default must name a registry (or be empty).
void checkDefaultRegistry(const IniDocument& document, const Settings& settings)
{
    const std::string& wanted = settings.routing.defaultRegistry;
    if (wanted.empty())
        return;
    std::string names;
    for (const auto& registry : settings.registries) {
        if (registry.name == wanted)
            return;
        names += (names.empty() ? "" : ", ") + registry.name;
    }
    int line = 0;
    for (const auto& section : document.sections()) {
        if (const IniEntry* entry = section.name == "routing" ? section.find("default") : nullptr)
            line = entry->line;
    }
    std::string problem = "'" + wanted + "'" + (line == 0 ? " (the built-in default)" : "") +
                          " is not a registry; " +
                          (names.empty() ? "there is no [registry.<name>] section" : "the registries are " + names) +
                          "; set default to one of them or leave it empty";
    throw ConfigError(fileLocation(settings.configFile, line, "routing", "default") + problem);
}

/// tls_certificate and tls_key come together, and both files can be read.
void checkTls(const Settings& settings)
{
    const auto& server = settings.server;
    if (server.tlsCertificate.empty() && server.tlsKey.empty())
        return;
    const char* missing = server.tlsCertificate.empty() ? "tls_certificate" : server.tlsKey.empty() ? "tls_key" : nullptr;
    if (missing != nullptr)
        throw ConfigError(fileLocation(settings.configFile, 0, "server", missing) +
                          "required when the other of tls_certificate and tls_key is set");
    for (const auto& [key, path] : {std::pair<const char*, std::string>{"tls_certificate", server.tlsCertificate},
                                    std::pair<const char*, std::string>{"tls_key", server.tlsKey}}) {
        std::FILE* file = std::fopen(path.c_str(), "r");
        if (file == nullptr)
            throw ConfigError(fileLocation(settings.configFile, 0, "server", key) + "cannot read " + path);
        std::fclose(file);
    }
}

/// [auth] htpasswd can be read; allow_users needs [auth] on.
void checkAuth(const Settings& settings)
{
    if (settings.auth.enabled()) {
        std::FILE* file = std::fopen(settings.auth.htpasswd.c_str(), "r");
        if (file == nullptr)
            throw ConfigError(fileLocation(settings.configFile, 0, "auth", "htpasswd") + "cannot read " +
                              settings.auth.htpasswd);
        std::fclose(file);
        return;
    }
    for (const auto& registry : settings.registries) {
        if (!registry.allowUsers.empty())
            throw ConfigError(fileLocation(settings.configFile, 0, "registry." + registry.name, "allow_users") +
                              "needs client authentication: set [auth] htpasswd");
    }
}

}  // namespace

Environment processEnvironment()
{
    Environment environment;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string text = *entry;
        const auto equals = text.find('=');
        if (text.compare(0, 7, "VICARY_") == 0 && equals != std::string::npos)
            environment[text.substr(0, equals)] = text.substr(equals + 1);
    }
    return environment;
}

Settings loadSettings(const std::string& file, const Environment& env)
{
    if (file.empty())
        throw ConfigError("no config file given");
    std::string workingDirectory;
    try {
        workingDirectory = std::filesystem::current_path().string();
    } catch (const std::filesystem::filesystem_error& error) {
        throw ConfigError(file + ": cannot determine the current directory: " + error.code().message());
    }
    Settings settings;
    settings.configFile = resolvePath(file, workingDirectory);
    const IniDocument document = readDocument(settings.configFile);
    readSections(document, settings.configFile, settings);
    checkDefaultRegistry(document, settings);
    checkTls(settings);
    checkAuth(settings);
    applyEnvironment(env, settings, workingDirectory);
    return settings;
}

}  // namespace vicary::config
