// The gcr plugin's one exported symbol.
#include <vicary/PluginFactory.h>
#include <vicary/abi.h>

#include "GcrPlugin.h"

namespace {

using Factory = vicary::PluginFactory<vicary::plugins::GcrPlugin>;

const char* const kExtraKeys[] = {"json_key_file", nullptr};

const vicary::PluginDescriptor kDescriptor{VICARY_DESCRIPTOR_HEADER,
                                           "gcr",
                                           "Google Container Registry and Artifact Registry (gcr.io, *-docker.pkg.dev)",
                                           kExtraKeys,
                                           &Factory::create,
                                           &Factory::destroy};

const vicary::PluginDescriptor* entry() noexcept
{
    return &kDescriptor;
}

}  // namespace

VICARY_PLUGIN_ENTRY(entry)
