// The dockerhub plugin's one exported symbol.
#include <vicary/PluginFactory.h>
#include <vicary/abi.h>

#include "DockerHubPlugin.h"

namespace {

using Factory = vicary::PluginFactory<vicary::plugins::DockerHubPlugin>;

const vicary::PluginDescriptor kDescriptor{
    VICARY_DESCRIPTOR_HEADER, "dockerhub", "Docker Hub (docker.io)", nullptr, &Factory::create, &Factory::destroy};

const vicary::PluginDescriptor* entry() noexcept
{
    return &kDescriptor;
}

}  // namespace

VICARY_PLUGIN_ENTRY(entry)
