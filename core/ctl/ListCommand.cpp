#include "ctl/Commands.h"
#include "ctl/Output.h"

namespace vicary::ctl {

namespace {

void printJsonList(const CommandContext& context, const std::vector<index::CacheIndex::RepositoryRow>& repositories,
                   const std::vector<index::TagRow>& tags)
{
    auto root = jsonObject();
    Poco::JSON::Array::Ptr repositoryList = new Poco::JSON::Array;
    for (const auto& row : repositories) {
        auto entry = jsonObject();
        entry->set("registry", row.registry);
        entry->set("repository", row.repository);
        entry->set("objects", row.objects);
        entry->set("bytes", row.bytes);
        entry->set("last_access", isoTime(row.lastAccess));
        repositoryList->add(entry);
    }
    root->set("repositories", repositoryList);
    if (context.options.tags) {
        Poco::JSON::Array::Ptr tagList = new Poco::JSON::Array;
        for (const auto& tag : tags) {
            auto entry = jsonObject();
            entry->set("registry", tag.registry);
            entry->set("repository", tag.repository);
            entry->set("tag", tag.tag);
            entry->set("digest", tag.digest);
            entry->set("media_type", tag.mediaType);
            entry->set("accept", tag.accept);
            entry->set("checked_at", isoTime(tag.checkedAt));
            tagList->add(entry);
        }
        root->set("tags", tagList);
    }
    printJson(context.out, root);
}

}  // namespace

int runList(const CommandContext& context)
{
    const auto repositories = context.index.listRepositories(context.options.registry);
    std::vector<index::TagRow> tags;
    if (context.options.tags) {
        tags = context.index.listTags(context.options.registry);
    }
    if (context.options.json) {
        printJsonList(context, repositories, tags);
        return 0;
    }
    Table repositoryTable({"REGISTRY", "REPOSITORY", "OBJECTS", "SIZE", "LAST ACCESS"});
    for (const auto& row : repositories) {
        repositoryTable.add({row.registry, row.repository, std::to_string(row.objects), formatSize(row.bytes),
                             formatTime(row.lastAccess)});
    }
    if (repositoryTable.empty()) {
        context.out << (context.options.registry.empty() ? "no repositories cached\n"
                                                         : "no repositories cached for " + context.options.registry +
                                                               "\n");
    } else {
        repositoryTable.print(context.out);
    }
    if (!context.options.tags) {
        return 0;
    }
    context.out << '\n';
    Table tagTable({"REGISTRY", "REPOSITORY", "TAG", "DIGEST", "CHECKED AT"});
    for (const auto& tag : tags) {
        tagTable.add({tag.registry, tag.repository, tag.tag, tag.digest, formatTime(tag.checkedAt)});
    }
    if (tagTable.empty()) {
        context.out << "no tags cached\n";
    } else {
        tagTable.print(context.out);
    }
    return 0;
}

}  // namespace vicary::ctl
