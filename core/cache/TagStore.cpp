#include "cache/TagStore.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/SHA1Engine.h>

namespace vicary::cache {
namespace {

namespace fs = std::filesystem;

/// Writes `content` to `path` through a temp file and rename, so a crash leaves the old file or the new one.
bool writeAtomically(const std::string& path, const std::string& content)
{
    const std::string temp = path + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << content;
        out.flush();
        if (!out)
            return false;
    }
    return std::rename(temp.c_str(), path.c_str()) == 0;
}

std::optional<std::string> readFile(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream content;
    content << in.rdbuf();
    return content.str();
}

std::string hashName(const std::string& text)
{
    Poco::SHA1Engine engine;  // a file name, not a security boundary
    engine.update(text);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace

TagStore::TagStore(const std::string& root) : root_(root)
{
    for (const char* dir : {"tags", "manifest-types"}) {
        std::error_code ec;
        fs::create_directories(fs::path(root_) / dir, ec);
        if (ec)
            throw std::runtime_error("cannot create " + (fs::path(root_) / dir).string() + ": " + ec.message());
    }
}

std::string TagStore::keyOf(const std::string& registry, const std::string& repository, const std::string& tag,
                            const std::string& accept)
{
    return registry + '\n' + repository + '\n' + tag + '\n' + accept;
}

std::string TagStore::tagPath(const std::string& key) const
{
    return (fs::path(root_) / "tags" / (hashName(key) + ".json")).string();
}

std::string TagStore::typePath(const std::string& digest) const
{
    return (fs::path(root_) / "manifest-types" / hashName(digest)).string();
}

std::optional<TagRecord> TagStore::find(const std::string& key)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = tags_.find(key);
    if (it != tags_.end())
        return it->second;
    auto content = readFile(tagPath(key));
    if (!content)
        return std::nullopt;
    try {
        Poco::JSON::Parser parser;
        auto object = parser.parse(*content).extract<Poco::JSON::Object::Ptr>();
        if (object->getValue<std::string>("key") != key)
            return std::nullopt;
        TagRecord record;
        record.digest = object->getValue<std::string>("digest");
        record.mediaType = object->getValue<std::string>("mediaType");
        record.size = object->getValue<std::uint64_t>("size");
        record.checkedAt = std::chrono::system_clock::time_point(std::chrono::seconds(object->getValue<long long>("checkedAt")));
        tags_[key] = record;
        return record;
    } catch (const Poco::Exception& e) {
        Poco::Logger::get("cache").warning("ignoring unreadable tag record " + tagPath(key) + ": " + e.displayText());
        return std::nullopt;
    }
}

void TagStore::put(const std::string& key, const TagRecord& record)
{
    Poco::JSON::Object object;
    object.set("key", key);
    object.set("digest", record.digest);
    object.set("mediaType", record.mediaType);
    object.set("size", record.size);
    object.set("checkedAt", static_cast<long long>(
                                std::chrono::duration_cast<std::chrono::seconds>(record.checkedAt.time_since_epoch()).count()));
    std::ostringstream out;
    object.stringify(out);
    std::lock_guard<std::mutex> lock(mutex_);
    tags_[key] = record;
    if (!writeAtomically(tagPath(key), out.str()))
        Poco::Logger::get("cache").warning("cannot write tag record " + tagPath(key) + "; kept in memory only");
}

void TagStore::erase(const std::string& key)
{
    std::lock_guard<std::mutex> lock(mutex_);
    tags_.erase(key);
    std::error_code ec;
    fs::remove(tagPath(key), ec);
}

std::optional<std::string> TagStore::mediaType(const std::string& digest)
{
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = types_.find(digest);
    if (it != types_.end())
        return it->second;
    auto content = readFile(typePath(digest));
    if (content)
        types_[digest] = *content;
    return content;
}

void TagStore::setMediaType(const std::string& digest, const std::string& mediaType)
{
    std::lock_guard<std::mutex> lock(mutex_);
    types_[digest] = mediaType;
    if (!writeAtomically(typePath(digest), mediaType))
        Poco::Logger::get("cache").warning("cannot write manifest type " + typePath(digest) + "; kept in memory only");
}

}  // namespace vicary::cache
