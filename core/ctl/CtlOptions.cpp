#include "ctl/CtlOptions.h"

#include <BuildInfo.h>

#include "config/ValueError.h"
#include "config/ValueParsers.h"
#include "routing/Grammar.h"

namespace vicary::ctl {

namespace {

const char* const kCommands[] = {"stats", "ls", "purge", "verify"};

bool isCommand(const std::string& word)
{
    for (const char* command : kCommands) {
        if (word == command) {
            return true;
        }
    }
    return false;
}

// Walks the arguments, handing out option values given as "--name VALUE" or "--name=VALUE".
class ArgumentReader {
public:
    explicit ArgumentReader(const std::vector<std::string>& args) : args_(args) {}

    bool done() const { return index_ >= args_.size(); }

    // The next argument; for "--name=value" the name, with the value kept for value().
    std::string next()
    {
        std::string arg = args_[index_++];
        inlineValue_.reset();
        if (arg.rfind("--", 0) == 0) {
            const auto equals = arg.find('=');
            if (equals != std::string::npos) {
                inlineValue_ = arg.substr(equals + 1);
                arg.resize(equals);
            }
        }
        return arg;
    }

    std::string value(const std::string& option)
    {
        if (inlineValue_) {
            std::string value = *inlineValue_;
            inlineValue_.reset();
            if (value.empty()) {
                throw UsageError(option + " needs a value");
            }
            return value;
        }
        if (done() || args_[index_].empty() || args_[index_].rfind("--", 0) == 0) {
            throw UsageError(option + " needs a value");
        }
        return args_[index_++];
    }

    void noValue(const std::string& option) const
    {
        if (inlineValue_) {
            throw UsageError(option + " takes no value");
        }
    }

private:
    const std::vector<std::string>& args_;
    std::size_t index_ = 0;
    std::optional<std::string> inlineValue_;
};

// An option seen on the command line that belongs to one command only, checked once the command is known.
struct CommandOption {
    std::string name;
    std::string command;
};

void checkPurge(const PurgeOptions& purge)
{
    if (purge.registry.empty() && purge.repository.empty() && purge.tag.empty() && purge.digest.empty() &&
        !purge.olderThan) {
        throw UsageError("purge needs at least one of --registry, --repository, --tag, --digest, --older-than");
    }
    if (!purge.repository.empty() && purge.registry.empty()) {
        throw UsageError("--repository " + purge.repository + " needs --registry");
    }
    if (!purge.tag.empty() && purge.repository.empty()) {
        throw UsageError("--tag " + purge.tag + " needs --repository (and --registry)");
    }
    if (!purge.repository.empty() && !routing::isValidRepositoryName(purge.repository)) {
        throw UsageError("--repository: '" + purge.repository + "' is not a repository name");
    }
    if (!purge.tag.empty() && !routing::isValidTag(purge.tag)) {
        throw UsageError("--tag: '" + purge.tag + "' is not a tag");
    }
    if (!purge.digest.empty()) {
        const auto digest = routing::parseDigest(purge.digest);
        if (!digest || !routing::isSupportedDigest(*digest)) {
            throw UsageError("--digest: '" + purge.digest + "' is not a sha256 or sha512 digest (sha256:<64 hex>)");
        }
    }
}

}  // namespace

CtlOptions parseOptions(const std::vector<std::string>& args)
{
    CtlOptions options;
    std::vector<CommandOption> commandOptions;
    std::vector<std::string> operands;
    bool configGiven = false;
    ArgumentReader reader(args);
    while (!reader.done()) {
        const std::string arg = reader.next();
        if (arg == "--help" || arg == "-h") {
            reader.noValue(arg);
            options.help = true;
        } else if (arg == "--version") {
            reader.noValue(arg);
            options.version = true;
        } else if (arg == "--cache") {
            options.cacheDirectory = reader.value(arg);
        } else if (arg == "--config") {
            options.configFile = reader.value(arg);
            configGiven = true;
        } else if (arg == "--json") {
            reader.noValue(arg);
            options.json = true;
        } else if (arg == "--tags") {
            reader.noValue(arg);
            options.tags = true;
            commandOptions.push_back({arg, "ls"});
        } else if (arg == "--registry") {
            options.purge.registry = reader.value(arg);
            commandOptions.push_back({arg, "purge"});
        } else if (arg == "--repository") {
            options.purge.repository = reader.value(arg);
            commandOptions.push_back({arg, "purge"});
        } else if (arg == "--tag") {
            options.purge.tag = reader.value(arg);
            commandOptions.push_back({arg, "purge"});
        } else if (arg == "--digest") {
            options.purge.digest = reader.value(arg);
            commandOptions.push_back({arg, "purge"});
        } else if (arg == "--older-than") {
            const std::string value = reader.value(arg);
            try {
                options.purge.olderThan = config::parseDuration(value);
            } catch (const config::ValueError& error) {
                throw UsageError("--older-than: " + std::string(error.what()));
            }
            commandOptions.push_back({arg, "purge"});
        } else if (arg == "--dry-run") {
            reader.noValue(arg);
            options.purge.dryRun = true;
            commandOptions.push_back({arg, "purge"});
        } else if (arg.size() > 1 && arg[0] == '-') {
            throw UsageError("unknown option " + arg);
        } else {
            operands.push_back(arg);
        }
    }
    if (options.help || options.version) {
        return options;
    }
    if (!options.cacheDirectory.empty() && configGiven) {
        throw UsageError("give --cache or --config, not both");
    }
    if (options.cacheDirectory.empty() && !configGiven) {
        options.configFile = build::kDefaultConfigFile;
    }
    if (operands.empty()) {
        throw UsageError("no command given (stats, ls, purge or verify)");
    }
    options.command = operands.front();
    if (!isCommand(options.command)) {
        throw UsageError("unknown command '" + options.command + "' (stats, ls, purge or verify)");
    }
    const std::size_t maxOperands = options.command == "ls" ? 2 : 1;
    if (operands.size() > maxOperands) {
        throw UsageError(options.command + ": unexpected argument '" + operands[maxOperands] + "'");
    }
    if (operands.size() == 2) {
        options.registry = operands[1];
    }
    for (const CommandOption& option : commandOptions) {
        if (option.command != options.command) {
            throw UsageError(option.name + " is an option of " + option.command + ", not of " + options.command);
        }
    }
    if (options.command == "purge") {
        checkPurge(options.purge);
    }
    return options;
}

std::string usageText()
{
    return std::string("Usage: vicaryctl [--cache DIR | --config FILE] [--json] <command> [options]\n"
                       "\n"
                       "Inspects and maintains a Vicary cache directory; safe while the server runs.\n"
                       "\n"
                       "Where the cache is:\n"
                       "  --cache DIR        the cache directory itself (the one holding index.db and blobs/)\n"
                       "  --config FILE      the [cache] directory of this config file (default: ") +
           build::kDefaultConfigFile +
           ")\n"
           "                     VICARY_STORE overrides it, as for the server\n"
           "  --json             machine-readable output (sizes in bytes, times in ISO 8601 UTC)\n"
           "  --help, --version\n"
           "\n"
           "Commands:\n"
           "  stats              objects, bytes, manifests, tags and hits, in total and per registry, and the\n"
           "                     hit ratio, approximated as hits / (hits + objects): every object stored was one\n"
           "                     miss (one upstream fetch), every later serve from the cache one hit\n"
           "  ls [REGISTRY]      repositories with their objects, size and last access\n"
           "    --tags           also the tags: registry, repository, tag, digest, when last checked upstream\n"
           "  purge              removes the selected objects (file first, then index row) and prints what it\n"
           "                     removed; all selectors given must match, at least one is needed:\n"
           "    --registry R     objects fetched for registry R\n"
           "    --repository P   objects fetched for repository P (needs --registry)\n"
           "    --tag T          the tag T (needs --repository) and its manifest when no other tag uses it\n"
           "    --digest D       the object D (sha256:<hex> or sha512:<hex>)\n"
           "    --older-than T   objects not accessed for T: a number with unit s, m, h or d (12h, 7d)\n"
           "    --dry-run        only print what would be removed\n"
           "  verify             re-hashes every stored object; removes corrupt ones (file and row) and index\n"
           "                     rows whose file is missing; reports files the index does not know\n"
           "\n"
           "Exit status: 0 success; 1 a runtime error, or verify found something wrong; 2 a usage error.\n";
}

}  // namespace vicary::ctl
