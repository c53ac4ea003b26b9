#include "main/VicaryServer.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <vector>
#include <iostream>
#include <system_error>

#include <Poco/Logger.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include "BuildInfo.h"
#include "auth/ClientAuth.h"
#include "cache/AccessRecorder.h"
#include "cache/BlobFetcher.h"
#include "cache/CacheCatalog.h"
#include "cache/CacheServices.h"
#include "cache/Coalescer.h"
#include "cache/Evictor.h"
#include "cache/ManifestCache.h"
#include "cache/ReadLeases.h"
#include "cache/Reconciler.h"
#include "cache/ResponseMemo.h"
#include "config/ConfigError.h"
#include "config/SettingsLoader.h"
#include "http/AccessLog.h"
#include "http/BaseRoutes.h"
#include "http/HttpFrontend.h"
#include "http/OperationsRoutes.h"
#include "http/RegistryRoute.h"
#include "http/RequestRouter.h"
#include "index/CacheIndex.h"
#include "main/Logging.h"
#include "metrics/ServerMetrics.h"
#include "main/ProgramPaths.h"
#include "plugin/PluginCatalog.h"
#include "plugin/PluginError.h"
#include "plugin/RegistrySet.h"
#include "storage/BlobStore.h"
#include "upstream/DnsResolver.h"
#include "upstream/RegistryClient.h"
#include "upstream/TokenCache.h"
#include "upstream/UpstreamClient.h"

namespace vicary {
namespace {

/// Creates the cache directory if needed and checks that we can write there. Throws ConfigError naming the key.
void prepareCacheDirectory(const config::Settings& settings)
{
    namespace fs = std::filesystem;
    const std::string& dir = settings.cache.directory;
    const std::string where = settings.configFile + ": [cache] directory (or VICARY_STORE): " + dir + ": ";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw config::ConfigError(where + "cannot create: " + ec.message());
    const fs::path probe = fs::path(dir) / ".vicary-write-test";
    {
        std::FILE* file = std::fopen(probe.c_str(), "w");
        if (file == nullptr)
            throw config::ConfigError(where + "not writable: " + std::error_code(errno, std::generic_category()).message());
        std::fclose(file);
    }
    fs::remove(probe, ec);
}

/// The client authentication [auth] asks for, or nullptr when it is off. Throws std::runtime_error naming the
/// htpasswd file (and line) when it cannot be used.
std::shared_ptr<auth::ClientAuth> clientAuthFor(const config::AuthSettings& settings)
{
    if (!settings.enabled())
        return nullptr;
    return std::make_shared<auth::ClientAuth>(auth::Htpasswd::load(settings.htpasswd), settings);
}

void logClientAuth(Poco::Logger& log, const config::AuthSettings& settings)
{
    if (settings.enabled())
        log.information("client authentication on: users from " + settings.htpasswd + "; " +
                        std::to_string(settings.maxFailures) + " failures lock a client address out for " +
                        std::to_string(settings.lockout.count()) + " s");
    else
        log.information("client authentication off: anyone who reaches this port can pull through it ([auth] "
                        "htpasswd turns it on)");
}

void logRegistries(Poco::Logger& log, const plugin::RegistrySet& registries)
{
    for (const auto& registry : registries.all()) {
        std::string hosts;
        for (const auto& host : registry->hosts())
            hosts += (hosts.empty() ? "" : " ") + host;
        log.information("registry %s: plugin %s, upstream %s, hosts %s%s", registry->name(), registry->pluginName(),
                        registry->upstreamUrl({}), hosts,
                        std::string(registry.get() == registries.defaultRegistry() ? " (default)" : ""));
    }
}

/// The resolver for upstream host names; a lookup may take the connect timeout at most.
std::unique_ptr<upstream::DnsResolver> makeResolver(const config::UpstreamSettings& settings)
{
    return upstream::makeDnsResolver(settings.resolverServers, settings.resolverIpv6,
                                     std::chrono::duration_cast<std::chrono::milliseconds>(settings.connectTimeout));
}

/// Settings a running server cannot change: a reload that changes them says so and keeps the old values.
std::vector<std::string> restartOnlyChanges(const config::Settings& a, const config::Settings& b)
{
    std::vector<std::string> changed;
    auto note = [&](bool differs, const char* what) {
        if (differs)
            changed.emplace_back(what);
    };
    note(a.server.bind != b.server.bind || a.server.port != b.server.port, "[server] bind/port");
    note(a.server.threads != b.server.threads || a.server.queue != b.server.queue, "[server] threads/queue");
    note(a.server.keepAlive != b.server.keepAlive || a.server.keepAliveTimeout != b.server.keepAliveTimeout ||
             a.server.maxKeepAliveRequests != b.server.maxKeepAliveRequests || a.server.timeout != b.server.timeout ||
             a.server.headerTimeout != b.server.headerTimeout,
         "[server] keep-alive/timeouts");
    note(a.server.maxUriLength != b.server.maxUriLength || a.server.maxHeaders != b.server.maxHeaders ||
             a.server.maxHeaderBytes != b.server.maxHeaderBytes,
         "[server] request limits");
    note(a.server.congestionControl != b.server.congestionControl, "[server] congestion_control");
    note(a.cache.directory != b.cache.directory, "[cache] directory");
    note(a.plugins.directory != b.plugins.directory, "[plugins] directory");
    note(a.upstream.resolverServers != b.upstream.resolverServers || a.upstream.resolverIpv6 != b.upstream.resolverIpv6 ||
             a.upstream.connectTimeout != b.upstream.connectTimeout || a.upstream.readTimeout != b.upstream.readTimeout,
         "[upstream] resolver/timeouts");
    return changed;
}

}  // namespace

void VicaryServer::defineOptions(Poco::Util::OptionSet& options)
{
    ServerApplication::defineOptions(options);
    options.addOption(Poco::Util::Option("config", "c", "read the configuration from FILE (default " +
                                                             std::string(build::kDefaultConfigFile) + ")")
                          .required(false)
                          .repeatable(false)
                          .argument("FILE"));
    options.addOption(Poco::Util::Option("check", "t", "check the configuration and plugins, then exit")
                          .required(false)
                          .repeatable(false));
    options.addOption(Poco::Util::Option("resolve", "r",
                                         "resolve HOST the way vicary resolves upstream names ([upstream] resolver, "
                                         "VICARY_RESOLVER), print its addresses and exit")
                          .required(false)
                          .repeatable(false)
                          .argument("HOST"));
    options.addOption(Poco::Util::Option("version", "v", "print the version and exit").required(false).repeatable(false));
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit").required(false).repeatable(false));
}

void VicaryServer::handleOption(const std::string& name, const std::string& value)
{
    ServerApplication::handleOption(name, value);
    if (name == "config") {
        configFile_ = value;
    } else if (name == "check") {
        checkOnly_ = true;
    } else if (name == "resolve") {
        resolveHost_ = value;
    } else if (name == "version") {
        versionRequested_ = true;
        stopOptionsProcessing();
    } else if (name == "help") {
        helpRequested_ = true;
        stopOptionsProcessing();
    }
}

void VicaryServer::printHelp() const
{
    Poco::Util::HelpFormatter help(options());
    help.setCommand(commandName());
    help.setUsage("[--config FILE] [--check | --resolve HOST]");
    help.setHeader("Vicary: a pull-through cache for container registries. Runs in the foreground; SIGHUP reloads "
                   "the configuration, SIGTERM or SIGINT "
                   "stop it. The environment variables VICARY_PORT, VICARY_SCHEME, VICARY_STORE, VICARY_RESOLVER and "
                   "VICARY_DOCKER_IO_B64_AUTH override the file.");
    help.setFooter("Configuration reference: docs/CONFIGURATION.md");
    help.format(std::cout);
}

int VicaryServer::main(const std::vector<std::string>& args)
{
    if (helpRequested_) {
        printHelp();
        return EXIT_OK;
    }
    if (versionRequested_) {
        std::cout << "vicary " << build::kVersion << " (plugin ABI " << kAbiMajor << "." << kAbiMinor << ", "
                  << VICARY_BUILD_SIGNATURE << ")\n";
        return EXIT_OK;
    }
    if (!args.empty()) {
        std::cerr << "vicary: unexpected argument '" << args.front() << "'; see --help\n";
        return EXIT_USAGE;
    }
    configureLogging("information");
    try {
        return serve();
    } catch (const config::ConfigError& e) {
        Poco::Logger::get("vicary").fatal(e.what());
    } catch (const plugin::PluginError& e) {
        Poco::Logger::get("vicary").fatal(e.what());
    } catch (const std::exception& e) {
        // Not the configuration's fault: the port is taken, the system is out of something.
        Poco::Logger::get("vicary").fatal(e.what());
        return EXIT_OSERR;
    }
    return EXIT_CONFIG;
}

int VicaryServer::resolve(const config::UpstreamSettings& upstream, const std::string& host) const
{
    const auto resolver = makeResolver(upstream);
    try {
        for (const auto& address : resolver->resolve(host))
            std::cout << address.toString() << "\n";
    } catch (const upstream::ResolveError& e) {
        std::cerr << "vicary: " << e.what() << "\n";
        return EXIT_UNAVAILABLE;
    }
    return EXIT_OK;
}

int VicaryServer::serve()
{
    Poco::Logger& log = Poco::Logger::get("vicary");
    const std::string file = configFile_.empty() ? build::kDefaultConfigFile : configFile_;
    const config::Settings settings = config::loadSettings(file, config::processEnvironment());
    configureLogging(settings.log.level);
    if (!resolveHost_.empty())
        return resolve(settings.upstream, resolveHost_);

    const std::string pluginDir =
        settings.plugins.directory.empty() ? defaultPluginDirectory() : settings.plugins.directory;
    const plugin::PluginCatalog catalog = plugin::PluginCatalog::loadDirectory(pluginDir);
    log.information("loaded %z plugins from %s", catalog.size(), pluginDir);
    auto registries = std::make_shared<const plugin::RegistrySet>(plugin::RegistrySet::create(settings, catalog));
    logRegistries(log, *registries);
    std::shared_ptr<upstream::DnsResolver> resolver = makeResolver(settings.upstream);
    log.information("upstream names resolve through %s", resolver->describe());
    prepareCacheDirectory(settings);

    if (checkOnly_) {
        std::cout << file << ": configuration OK, " << catalog.size() << " plugins, " << registries->all().size()
                  << " registries\n";
        return EXIT_OK;
    }

    // The cache, bottom up: store and index (reconciled after a crash), upstream access, manifests, downloads.
    std::shared_ptr<const upstream::DnsResolver> sharedResolver = resolver;
    storage::BlobStore blobs(settings.cache.directory);
    index::CacheIndex cacheIndex(settings.cache.directory + "/index.db");
    const auto repaired = cache::reconcile(cacheIndex, blobs);
    log.information("cache index %s: %z objects; repaired: %z rows dropped, %z files adopted, %z files removed",
                    cacheIndex.path(), repaired.kept + repaired.adopted, repaired.droppedRows, repaired.adopted,
                    repaired.removedFiles);
    cache::CacheCatalog contents(cacheIndex);
    cache::ReadLeases leases;
    cache::AccessRecorder accesses(cacheIndex, std::chrono::seconds(2));
    cache::Evictor evictor(cacheIndex, blobs, leases,
                           cache::EvictionSettings{settings.cache.maxSize, settings.cache.minFree, 0.9,
                                                   std::chrono::seconds(30)});
    evictor.runOnce();  // a cap lowered since the last run takes effect now
    evictor.start();
    upstream::ClientSettings clientSettings;
    clientSettings.connectTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings.upstream.connectTimeout);
    clientSettings.readTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings.upstream.readTimeout);
    upstream::UpstreamClient http(sharedResolver, clientSettings);
    upstream::TokenCache tokens;
    upstream::RegistryClient client(http, tokens);
    metrics::Registry metricsRegistry;
    metrics::ServerMetrics serverMetrics(metricsRegistry);
    client.setMetrics(&serverMetrics);
    cache::ManifestCache manifests(client, blobs, contents);
    cache::BlobFetcher fetcher(client, blobs, contents, &evictor, cache::FetchSettings{});
    cache::Coalescer downloads(fetcher);
    cache::ResponseMemo memo(std::chrono::seconds(30), 4096);
    cache::CacheServices services{blobs,
                                  downloads,
                                  manifests,
                                  memo,
                                  client,
                                  leases,
                                  accesses,
                                  settings.cache.tagTtl.count(),
                                  settings.cache.negativeTtl.count(),
                                  std::chrono::duration_cast<std::chrono::milliseconds>(settings.upstream.readTimeout)};

    http::RegistryRoute* registryRoute = nullptr;  // owned by the router below; read by the collector and reload
    http::RequestRouter* table = nullptr;          // the router, once made; read by the collector
    http::HttpFrontend* listening = nullptr;       // the frontend, once listening; read by the collector
    // Values that live elsewhere are read when /metrics is scraped.
    metricsRegistry.addCollector([&] {
        serverMetrics.downloadsInFlight.with({}).set(static_cast<std::int64_t>(downloads.inFlight()));
        serverMetrics.downloadClients.with({}).set(static_cast<std::int64_t>(downloads.waitingClients()));
        try {
            const auto totals = cacheIndex.stats();
            serverMetrics.cacheBytes.with({}).set(static_cast<std::int64_t>(totals.bytes));
            serverMetrics.cacheObjects.with({}).set(static_cast<std::int64_t>(totals.objects));
        } catch (const std::exception& e) {
            Poco::Logger::get("metrics").warning(std::string("cache totals unavailable: ") + e.what());
        }
        serverMetrics.evictions.with({}).mirror(evictor.evictedObjects());
        serverMetrics.evictedBytes.with({}).mirror(evictor.evictedBytes());
        serverMetrics.diskFull.with({}).mirror(fetcher.diskFullEvents());
        if (listening != nullptr)
            serverMetrics.headerTimeouts.with({}).mirror(listening->headerTimeouts());
        if (table != nullptr) {
            serverMetrics.authFailures.with({"failed"}).mirror(table->authFailures());
            serverMetrics.authFailures.with({"locked_out"}).mirror(table->authLockedOut());
        }
        for (const auto& registry : registryRoute->registries()->all()) {
            if (auto limit = client.rateLimit(registry->name()))
                serverMetrics.rateLimitRemaining.with({registry->name()}).set(limit->remaining);
        }
    });
    const std::string cacheDirectory = settings.cache.directory;
    auto readiness = [&cacheIndex, cacheDirectory, &catalog]() -> std::string {
        if (::access(cacheDirectory.c_str(), W_OK) != 0)
            return "cache directory " + cacheDirectory + " is not writable";
        try {
            cacheIndex.schemaVersion();
        } catch (const std::exception& e) {
            return std::string("cache index unavailable: ") + e.what();
        }
        return catalog.size() == 0 ? "no plugins loaded" : "";
    };

    http::AccessLog accessLog(settings.log.access, settings.log.accessFile);

    table = new http::RequestRouter;
    Poco::Net::HTTPRequestHandlerFactory::Ptr router(table);
    table->setLimits({settings.server.maxUriLength, settings.server.maxHeaders, settings.server.maxHeaderBytes});
    table->setAuth(clientAuthFor(settings.auth));
    logClientAuth(log, settings.auth);
    table->add(std::make_unique<http::ApiVersionRoute>());
    table->add(std::make_unique<http::HealthRoute>());
    table->add(std::make_unique<http::ReadinessRoute>(readiness));
    if (!settings.server.metricsPath.empty())
        table->add(std::make_unique<http::MetricsRoute>(metricsRegistry, settings.server.metricsPath));
    auto registryRouteOwner = std::make_unique<http::RegistryRoute>(registries, services, &serverMetrics, &accessLog);
    registryRoute = registryRouteOwner.get();
    table->add(std::move(registryRouteOwner));
    http::HttpFrontend frontend(settings.server, router);
    listening = &frontend;
    frontend.start();
    log.information("vicary %s listening on %s, cache in %s", std::string(build::kVersion), frontend.address(),
                    settings.cache.directory);

    // SIGHUP reloads the config; SIGTERM, SIGINT and SIGQUIT stop. They are blocked in every thread (main.cpp).
    std::vector<std::shared_ptr<const plugin::RegistrySet>> retired;  // requests may still use a replaced set
    config::Settings current = settings;
    auto reload = [&] {
        config::Settings next;
        try {
            next = config::loadSettings(file, config::processEnvironment());
            auto nextRegistries = std::make_shared<const plugin::RegistrySet>(plugin::RegistrySet::create(next, catalog));
            auto nextAuth = clientAuthFor(next.auth);
            for (const auto& change : restartOnlyChanges(current, next))
                log.warning("reload: " + change + " changed; that takes a restart, the old value stays in force");
            configureLogging(next.log.level);
            accessLog.configure(next.log.access, next.log.accessFile);
            services.tagTtlSeconds = next.cache.tagTtl.count();
            services.negativeTtlSeconds = next.cache.negativeTtl.count();
            evictor.setLimits(next.cache.maxSize, next.cache.minFree);
            retired.push_back(registryRoute->registries());
            registryRoute->setRegistries(nextRegistries);
            table->setAuth(nextAuth);
            logClientAuth(log, next.auth);
            tokens.clear();  // credentials may have changed
            logRegistries(log, *nextRegistries);
            current = next;
            log.information("reloaded " + file);
        } catch (const std::exception& e) {
            log.error(std::string("reload refused, the running configuration stays: ") + e.what());
        }
    };
    sigset_t signals;
    sigemptyset(&signals);
    for (int signal : {SIGINT, SIGTERM, SIGQUIT, SIGHUP})
        sigaddset(&signals, signal);
    for (;;) {
        int signal = 0;
        if (sigwait(&signals, &signal) != 0)
            continue;
        if (signal != SIGHUP)
            break;
        log.information("SIGHUP: reloading " + file);
        reload();
    }
    log.information("stopping: no new connections, finishing requests in progress");
    frontend.stop(std::chrono::duration_cast<std::chrono::milliseconds>(settings.server.shutdownTimeout),
                  &table->active());
    std::size_t stuck = 0;
    if (downloads.drain(std::chrono::seconds(1)) > 0) {
        // Nobody is listening any more: downloads still running are given up, their temp files removed.
        downloads.cancelAll();
        stuck = downloads.drain(std::chrono::seconds(10));
    }
    evictor.stop();
    accesses.stop();
    if (stuck > 0) {
        // A download blocked in an upstream read cannot be interrupted, and its thread uses the objects this
        // function is about to destroy: leave without destroying them. The index is crash-safe and the next start
        // removes the temp files.
        log.warning(std::to_string(stuck) + " downloads did not stop in time; exiting without waiting for them");
        std::cout.flush();
        std::cerr.flush();
        std::_Exit(EXIT_OK);
    }
    log.information("stopped");
    return EXIT_OK;
}

}  // namespace vicary
