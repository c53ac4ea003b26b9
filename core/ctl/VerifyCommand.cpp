#include <map>
#include <system_error>

#include "ctl/Commands.h"
#include "ctl/Output.h"

namespace vicary::ctl {

namespace {

enum class Problem { Corrupt, SizeMismatch, MissingFile, UnknownFile, StrayFile, UnsupportedRow };

const char* describe(Problem problem)
{
    switch (problem) {
    case Problem::Corrupt:
        return "content does not match its digest";
    case Problem::SizeMismatch:
        return "file size differs from the index";
    case Problem::MissingFile:
        return "index row without a file";
    case Problem::UnknownFile:
        return "file without an index row";
    case Problem::StrayFile:
        return "not a stored object's name or place";
    case Problem::UnsupportedRow:
        return "index row with a digest Vicary cannot store";
    }
    return "unknown";
}

const char* keyOf(Problem problem)
{
    switch (problem) {
    case Problem::Corrupt:
        return "corrupt";
    case Problem::SizeMismatch:
        return "size_mismatch";
    case Problem::MissingFile:
        return "missing_file";
    case Problem::UnknownFile:
        return "unknown_file";
    case Problem::StrayFile:
        return "stray_file";
    case Problem::UnsupportedRow:
        return "unsupported_row";
    }
    return "unknown";
}

struct Finding {
    Problem problem;
    std::string what;  ///< the digest, or the path of a stray file
    std::string action;  ///< "removed file and row", "dropped row", "left in place"
};

struct VerifyResult {
    std::uint64_t checked = 0;
    std::uint64_t bytes = 0;
    std::vector<Finding> findings;
    std::vector<std::string> errors;
};

// Removes a bad object, file first, then row (as purge does).
std::string removeObject(const CommandContext& context, const std::string& digest)
{
    context.files.remove(digest);
    context.index.removeObject(digest);
    return "removed file and row";
}

void checkRow(const CommandContext& context, const std::string& digest, std::uint64_t rowSize,
              std::map<std::string, StoredFiles::File>& files, VerifyResult& result)
{
    if (!context.files.pathFor(digest)) {
        context.index.removeObject(digest);
        result.findings.push_back({Problem::UnsupportedRow, digest, "dropped row"});
        return;
    }
    auto file = files.find(digest);
    if (file == files.end()) {
        // The listing came first: a file committed since then is fine when it is there now.
        const auto size = context.files.sizeOf(digest);
        if (!size) {
            // Removed meanwhile together with its row (eviction): nothing to report.
            if (context.index.findObject(digest)) {
                context.index.removeObject(digest);
                result.findings.push_back({Problem::MissingFile, digest, "dropped row"});
            }
            return;
        }
        file = files.emplace(digest, StoredFiles::File{digest, *context.files.pathFor(digest), *size}).first;
    }
    const std::uint64_t fileSize = file->second.size;
    files.erase(file);
    ++result.checked;
    result.bytes += fileSize;
    if (fileSize != rowSize) {
        result.findings.push_back({Problem::SizeMismatch, digest, removeObject(context, digest)});
    } else if (!context.files.verify(digest)) {
        if (!context.files.sizeOf(digest)) {
            return;  // evicted while we looked
        }
        result.findings.push_back({Problem::Corrupt, digest, removeObject(context, digest)});
    }
}

VerifyResult verify(const CommandContext& context)
{
    VerifyResult result;
    // Files first, then rows: the server commits a file before its row, so a file without a row in this order is
    // either a download committing right now (checked again below) or a real orphan.
    std::map<std::string, StoredFiles::File> files;
    std::vector<std::string> strays;
    context.files.forEach([&](const StoredFiles::File& file) {
        if (file.digest.empty()) {
            strays.push_back(file.path);
        } else {
            files.emplace(file.digest, file);
        }
    });
    for (const auto& [digest, size] : context.index.allObjects()) {
        try {
            checkRow(context, digest, size, files, result);
        } catch (const std::system_error& error) {
            result.errors.push_back(digest + ": " + error.what());
        }
    }
    for (const auto& [digest, file] : files) {
        if (!context.index.findObject(digest) && context.files.sizeOf(digest)) {
            result.findings.push_back({Problem::UnknownFile, digest, "left in place"});
        }
    }
    for (const std::string& path : strays) {
        result.findings.push_back({Problem::StrayFile, path, "left in place"});
    }
    return result;
}

}  // namespace

int runVerify(const CommandContext& context)
{
    const VerifyResult result = verify(context);
    for (const std::string& error : result.errors) {
        context.err << "vicaryctl: verify: " << error << '\n';
    }
    if (context.options.json) {
        auto root = jsonObject();
        root->set("checked", result.checked);
        root->set("bytes", result.bytes);
        root->set("problems", static_cast<std::uint64_t>(result.findings.size()));
        Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
        for (const Finding& finding : result.findings) {
            auto entry = jsonObject();
            entry->set(finding.problem == Problem::StrayFile ? "path" : "digest", finding.what);
            entry->set("problem", std::string(keyOf(finding.problem)));
            entry->set("action", finding.action);
            list->add(entry);
        }
        root->set("findings", list);
        root->set("errors", jsonStrings(result.errors));
        printJson(context.out, root);
    } else {
        for (const Finding& finding : result.findings) {
            context.out << "bad  " << finding.what << ": " << describe(finding.problem) << " (" << finding.action
                        << ")\n";
        }
        context.out << "verified " << result.checked << " objects (" << formatSize(result.bytes) << "): "
                    << (result.findings.empty() ? std::string("all good")
                                                    : std::to_string(result.findings.size()) +
                                                          (result.findings.size() == 1 ? " problem" : " problems"))
                    << '\n';
    }
    return result.findings.empty() && result.errors.empty() ? 0 : 1;
}

}  // namespace vicary::ctl
