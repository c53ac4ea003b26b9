// The generic plugin's one exported symbol.
#include <vicary/PluginFactory.h>
#include <vicary/abi.h>

#include "GenericPlugin.h"

namespace {

using Factory = vicary::PluginFactory<vicary::plugins::GenericPlugin>;

const vicary::PluginDescriptor kDescriptor{
    VICARY_DESCRIPTOR_HEADER, "generic", "Any OCI registry declared in config", nullptr, &Factory::create,
    &Factory::destroy};

const vicary::PluginDescriptor* entry() noexcept
{
    return &kDescriptor;
}

}  // namespace

VICARY_PLUGIN_ENTRY(entry)
