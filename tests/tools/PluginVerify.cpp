// vicary-plugin-verify <plugin.so> <config.ini>
//
// The contract every registry plugin must keep, checked against the built .so through the real loader: it loads,
// creates an instance for each [registry.*] section of the sample config that uses it, checks what the instance says
// about itself, calls it from several threads at once, and destroys it. Exit 0 when every check holds.
#include <atomic>
#include <iostream>
#include <thread>
#include <vector>

#include <Poco/URI.h>

#include "config/SettingsLoader.h"
#include "plugin/PluginCatalog.h"
#include "plugin/PluginError.h"
#include "plugin/RegistrySet.h"

namespace {

int failures = 0;

void check(bool ok, const std::string& what)
{
    std::cout << (ok ? "ok   " : "FAIL ") << what << "\n";
    if (!ok)
        ++failures;
}

bool isHttpUrl(const std::string& text)
{
    try {
        Poco::URI uri(text);
        return (uri.getScheme() == "https" || uri.getScheme() == "http") && !uri.getHost().empty() &&
               text.back() != '/';
    } catch (const Poco::Exception&) {
        return false;
    }
}

bool isValidRepository(const std::string& name)
{
    if (name.empty() || name.size() > 255 || name.front() == '/' || name.back() == '/')
        return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

void verifyRegistry(const vicary::plugin::Registry& registry)
{
    const std::string who = "[registry." + registry.name() + "] ";
    check(!registry.hosts().empty(), who + "serves at least one host");
    check(isHttpUrl(registry.upstreamUrl({})), who + "default upstream '" + registry.upstreamUrl({}) + "' is a URL");
    for (const auto& host : registry.hosts())
        check(isHttpUrl(registry.upstreamUrl(host)), who + "upstream for " + host + " is a URL");
    for (const char* name : {"alpine", "library/alpine", "org/team/app"}) {
        vicary::MappedName mapped = registry.plugin().mapRepository(name);
        check(mapped.ok() ? isValidRepository(mapped.name) : !mapped.error.empty(),
              who + "maps '" + name + "' to a valid name or refuses it with a message");
    }
    const auto auth = registry.plugin().authFor({"Bearer", "https://auth.example.test/token", "svc", "repository:a:pull"});
    check(auth.kind == vicary::UpstreamAuth::Kind::Anonymous || !auth.credentials.username.empty(),
          who + "answers a challenge with credentials or anonymous");

    // Calls come from every worker thread at once; a plugin guards its own state.
    std::atomic<int> wrong{0};
    const std::string expected = registry.plugin().mapRepository("org/app").name;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                if (registry.plugin().mapRepository("org/app").name != expected || registry.hosts().empty())
                    ++wrong;
            }
        });
    }
    for (auto& thread : threads)
        thread.join();
    check(wrong == 0, who + "gives the same answers from 4 threads at once");
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::cerr << "usage: vicary-plugin-verify <plugin.so> <config.ini>\n";
        return 2;
    }
    try {
        vicary::plugin::PluginCatalog catalog;
        catalog.add(vicary::plugin::PluginLibrary::load(argv[1]));
        const std::string name = catalog.names().front();
        check(true, "loaded plugin '" + name + "' from " + std::string(argv[1]));

        vicary::config::Settings settings = vicary::config::loadSettings(argv[2], {});
        std::vector<vicary::config::RegistrySettings> mine;
        for (const auto& registry : settings.registries) {
            if (registry.plugin == name)
                mine.push_back(registry);
        }
        check(!mine.empty(), std::string(argv[2]) + " has a section for plugin " + name);
        settings.registries = mine;
        settings.routing.defaultRegistry.clear();
        {
            auto registries = vicary::plugin::RegistrySet::create(settings, catalog);
            for (const auto& registry : registries.all())
                verifyRegistry(*registry);
        }  // instances destroyed here, through the plugin's destroy function, library still loaded
        check(true, "destroyed every instance");
    } catch (const std::exception& e) {
        std::cout << "FAIL " << e.what() << "\n";
        return 1;
    }
    std::cout << (failures == 0 ? "plugin contract holds\n" : "plugin contract broken\n");
    return failures == 0 ? 0 : 1;
}
