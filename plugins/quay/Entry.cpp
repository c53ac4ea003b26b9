// The quay plugin's one exported symbol.
#include <vicary/PluginFactory.h>
#include <vicary/abi.h>

#include "QuayPlugin.h"

namespace {

using Factory = vicary::PluginFactory<vicary::plugins::QuayPlugin>;

const vicary::PluginDescriptor kDescriptor{
    VICARY_DESCRIPTOR_HEADER, "quay", "Red Hat Quay (quay.io)", nullptr, &Factory::create, &Factory::destroy};

const vicary::PluginDescriptor* entry() noexcept
{
    return &kDescriptor;
}

}  // namespace

VICARY_PLUGIN_ENTRY(entry)
