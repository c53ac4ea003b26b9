#include <cstdio>

#include "ctl/Commands.h"
#include "ctl/Output.h"

namespace vicary::ctl {

namespace {

// hits / (hits + objects): every stored object was one miss, every serve from the cache after it one hit. Evicted
// and purged objects take their misses and hits with them, so this is an approximation over what is stored now.
double hitRatio(std::uint64_t hits, std::uint64_t objects)
{
    const std::uint64_t requests = hits + objects;
    return requests == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(requests);
}

std::string percent(double ratio)
{
    char text[16];
    std::snprintf(text, sizeof text, "%.1f %%", ratio * 100.0);
    return text;
}

}  // namespace

int runStats(const CommandContext& context)
{
    const index::IndexStats stats = context.index.stats();
    if (context.options.json) {
        auto root = jsonObject();
        root->set("cache", context.cacheDirectory);
        root->set("objects", stats.objects);
        root->set("bytes", stats.bytes);
        root->set("manifests", stats.manifests);
        root->set("tags", stats.tags);
        root->set("hits", stats.hits);
        root->set("hit_ratio", hitRatio(stats.hits, stats.objects));
        auto registries = jsonObject();
        for (const auto& [name, registry] : stats.registries) {
            auto entry = jsonObject();
            entry->set("objects", registry.objects);
            entry->set("bytes", registry.bytes);
            entry->set("hits", registry.hits);
            entry->set("hit_ratio", hitRatio(registry.hits, registry.objects));
            registries->set(name, entry);
        }
        root->set("registries", registries);
        printJson(context.out, root);
        return 0;
    }
    Table totals({"cache", context.cacheDirectory});
    totals.add({"objects", std::to_string(stats.objects) + " (" + formatSize(stats.bytes) + ")"});
    totals.add({"manifests", std::to_string(stats.manifests)});
    totals.add({"tags", std::to_string(stats.tags)});
    totals.add({"hits", std::to_string(stats.hits)});
    totals.add({"hit ratio", percent(hitRatio(stats.hits, stats.objects)) + " (hits / (hits + objects))"});
    totals.print(context.out);
    if (stats.registries.empty()) {
        return 0;
    }
    context.out << '\n';
    Table registries({"REGISTRY", "OBJECTS", "SIZE", "HITS", "HIT RATIO"});
    for (const auto& [name, registry] : stats.registries) {
        registries.add({name, std::to_string(registry.objects), formatSize(registry.bytes),
                        std::to_string(registry.hits), percent(hitRatio(registry.hits, registry.objects))});
    }
    registries.print(context.out);
    return 0;
}

}  // namespace vicary::ctl
