#include "config/EnvironmentOverrides.h"

#include "config/Base64Credentials.h"
#include "config/ConfigError.h"
#include "config/ConfigLocation.h"
#include "config/SectionKeys.h"
#include "config/ValueError.h"

namespace vicary::config {
namespace {

struct Override {
    const char* variable;
    const char* section;
    const char* key;
};

const Override kOverrides[] = {
    {"VICARY_PORT", "server", "port"},
    {"VICARY_SCHEME", "server", "scheme"},
    {"VICARY_STORE", "cache", "directory"},
    {"VICARY_RESOLVER", "upstream", "resolver"},
};

const char* const kDockerHubAuth = "VICARY_DOCKER_IO_B64_AUTH";
const char* const kDockerHubPlugin = "dockerhub";

/// The value of `variable` without surrounding whitespace; "" if it is unset or blank.
std::string valueOf(const std::map<std::string, std::string>& environment, const char* variable)
{
    const auto it = environment.find(variable);
    if (it == environment.end())
        return "";
    const auto first = it->second.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return "";
    return it->second.substr(first, it->second.find_last_not_of(" \t\r\n") - first + 1);
}

void applyDockerHubAuth(const std::string& base64, Settings& settings)
{
    Credentials credentials;
    try {
        credentials = decodeBase64Credentials(base64);
    } catch (const ValueError& error) {
        throw ConfigError(environmentLocation(kDockerHubAuth) + error.what());
    }
    bool used = false;
    for (auto& registry : settings.registries) {
        if (registry.plugin == kDockerHubPlugin) {
            registry.credentials = credentials;
            used = true;
        }
    }
    if (!used)
        throw ConfigError(environmentLocation(kDockerHubAuth) + "no [registry.<name>] section in " +
                          settings.configFile + " has plugin = dockerhub, so these credentials would not be used");
}

}  // namespace

void applyEnvironment(const std::map<std::string, std::string>& environment, Settings& settings,
                      const std::string& workingDirectory)
{
    for (const auto& entry : kOverrides) {
        const std::string value = valueOf(environment, entry.variable);
        if (value.empty())
            continue;
        try {
            findFixedKey(entry.section, entry.key)->apply(settings, value, workingDirectory);
        } catch (const ValueError& error) {
            throw ConfigError(environmentLocation(entry.variable) + error.what());
        }
    }
    if (const std::string base64 = valueOf(environment, kDockerHubAuth); !base64.empty())
        applyDockerHubAuth(base64, settings);
}

}  // namespace vicary::config
