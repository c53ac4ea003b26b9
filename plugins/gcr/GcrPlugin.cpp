#include "GcrPlugin.h"

#include <fstream>
#include <sstream>

namespace vicary::plugins {
namespace {

/// Reads a service account key file; returns false with `error` naming the key and file when it is unusable.
bool readJsonKey(const std::string& file, std::string& key, std::string& error)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        error = "json_key_file: cannot read '" + file + "'";
        return false;
    }
    std::ostringstream content;
    content << in.rdbuf();
    key = content.str();
    const auto first = key.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || key[first] != '{') {
        error = "json_key_file: '" + file + "' is not a JSON service account key";
        return false;
    }
    return true;
}

}  // namespace

GcrPlugin* GcrPlugin::make(const PluginConfig& config, HostServices& /*host*/, std::string& error)
{
    Credentials credentials = config.credentials;
    auto keyFile = config.extra.find("json_key_file");
    if (keyFile != config.extra.end() && !keyFile->second.empty()) {
        if (!credentials.empty()) {
            error = "json_key_file: give either json_key_file or username/password, not both";
            return nullptr;
        }
        credentials.username = "_json_key";
        if (!readJsonKey(keyFile->second, credentials.password, error))
            return nullptr;
    }
    return new GcrPlugin(config, std::move(credentials));
}

GcrPlugin::GcrPlugin(const PluginConfig& config, Credentials credentials)
    : hosts_{"gcr.io", "us.gcr.io", "eu.gcr.io", "asia.gcr.io"},
      upstream_(config.upstream),
      credentials_(std::move(credentials))
{
    hosts_.insert(hosts_.end(), config.aliases.begin(), config.aliases.end());
}

std::vector<std::string> GcrPlugin::hosts() const noexcept
{
    return hosts_;
}

std::string GcrPlugin::upstreamUrl(std::string_view host) const noexcept
{
    if (!upstream_.empty())
        return upstream_;
    return "https://" + std::string(host.empty() ? std::string_view("gcr.io") : host);
}

MappedName GcrPlugin::mapRepository(std::string_view clientName) const noexcept
{
    return {std::string(clientName), {}};
}

UpstreamAuth GcrPlugin::authFor(const AuthChallenge& /*challenge*/) const noexcept
{
    return credentials_.empty() ? UpstreamAuth{} : UpstreamAuth{UpstreamAuth::Kind::Basic, credentials_};
}

}  // namespace vicary::plugins
