// Where the cache fetches something from: one registry's upstream, with how to reach it.
#pragma once

#include <string>

#include <vicary/RegistryPlugin.h>

#include "upstream/RegistryClient.h"

namespace vicary::cache {

/// The upstream of the registry a request was routed to.
struct UpstreamSource {
    std::string registry;   ///< registry name, for messages: "dockerhub"
    std::string base;       ///< upstream base URL without "/v2/"
    std::string name;       ///< repository name as the upstream knows it
    upstream::EndpointSettings endpoint;
    const RegistryPlugin* plugin = nullptr;  ///< the registry's plugin: answers auth challenges

    /// base + "/v2/" + name + "/" + path, e.g. path "blobs/sha256:...".
    std::string url(const std::string& path) const { return base + "/v2/" + name + "/" + path; }

    /// How RegistryClient reaches and authenticates to this upstream, for pulls of this repository.
    upstream::RegistryAccess access() const { return {registry, plugin, endpoint, "repository:" + name + ":pull"}; }
};

}  // namespace vicary::cache
