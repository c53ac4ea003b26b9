#include "routing/RequestTarget.h"

#include <vector>

#include <Poco/String.h>

#include "plugin/RegistrySet.h"

namespace vicary::routing {
namespace {

using http::OciCode;

std::vector<std::string> splitPath(const std::string& path)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::size_t end = slash == std::string::npos ? path.size() : slash;
        parts.push_back(path.substr(start, end - start));
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return parts;
}

std::string joinPath(const std::vector<std::string>& parts, std::size_t from, std::size_t to)
{
    std::string text;
    for (std::size_t i = from; i < to; ++i)
        text += (i == from ? "" : "/") + parts[i];
    return text;
}

/// Docker's rule for telling a registry host from a Hub namespace in an image reference.
bool looksLikeHost(const std::string& component)
{
    return component.find('.') != std::string::npos || component.find(':') != std::string::npos ||
           component == "localhost";
}

bool fail(RouteError& error, int status, OciCode code, std::string message)
{
    error = {status, code, std::move(message)};
    return false;
}

}  // namespace

bool routeRequest(const plugin::RegistrySet& registries, const std::string& path, const std::string& ns,
                  RequestTarget& target, RouteError& error)
{
    // /v2/<name...>/<endpoint>/<reference>: the endpoint is found from the end, since names have several components.
    const std::vector<std::string> parts = splitPath(path);
    if (parts.size() < 5 || !parts[0].empty() || parts[1] != "v2")
        return fail(error, 404, OciCode::NameUnknown, "no such endpoint: " + path);
    const std::size_t n = parts.size();
    std::size_t nameEnd = 0;
    if (parts[n - 2] == "manifests") {
        target.endpoint = Endpoint::Manifest;
        nameEnd = n - 2;
    } else if (parts[n - 2] == "blobs") {
        target.endpoint = Endpoint::Blob;
        nameEnd = n - 2;
    } else if (parts[n - 2] == "tags" && parts[n - 1] == "list") {
        target.endpoint = Endpoint::TagsList;
        nameEnd = n - 2;
    } else if (parts[n - 2] == "referrers") {
        target.endpoint = Endpoint::Referrers;
        nameEnd = n - 2;
    } else {
        return fail(error, 404, OciCode::NameUnknown, "no such endpoint: " + path);
    }
    if (nameEnd < 3)
        return fail(error, 404, OciCode::NameUnknown, "no repository name in " + path);

    // Which registry: a host prefix, then ?ns=, then the default.
    std::size_t nameStart = 2;
    if (nameEnd - nameStart >= 2 && looksLikeHost(parts[2])) {
        target.host = Poco::toLower(parts[2]);
        target.registry = registries.byHost(target.host);
        if (target.registry == nullptr)
            return fail(error, 404, OciCode::NameUnknown,
                        "registry " + target.host + " is not configured on this mirror");
        nameStart = 3;
    } else if (!ns.empty()) {
        target.host = Poco::toLower(ns);
        target.registry = registries.byHost(target.host);
        if (target.registry == nullptr)
            return fail(error, 404, OciCode::NameUnknown, "registry " + ns + " (ns) is not configured on this mirror");
        target.ns = ns;
    } else {
        target.registry = registries.defaultRegistry();
        if (target.registry == nullptr)
            return fail(error, 404, OciCode::NameUnknown,
                        "no registry host in the name and no default registry configured");
    }

    target.clientName = joinPath(parts, nameStart, nameEnd);
    if (!isValidRepositoryName(target.clientName))
        return fail(error, 400, OciCode::NameInvalid, "invalid repository name '" + target.clientName + "'");

    target.reference = target.endpoint == Endpoint::TagsList ? "" : parts[n - 1];
    if (target.endpoint == Endpoint::Manifest) {
        auto kind = classifyReference(target.reference);
        if (!kind)
            return fail(error, 400,
                        target.reference.find(':') != std::string::npos ? OciCode::DigestInvalid : OciCode::TagInvalid,
                        "invalid manifest reference '" + target.reference + "'");
        if (*kind == ReferenceKind::Digest)
            target.digest = parseDigest(target.reference);
    } else if (target.endpoint == Endpoint::Blob || target.endpoint == Endpoint::Referrers) {
        target.digest = parseDigest(target.reference);
        if (!target.digest)
            return fail(error, 400, OciCode::DigestInvalid, "invalid digest '" + target.reference + "'");
    }
    if (target.digest && !isSupportedDigest(*target.digest))
        return fail(error, 400, OciCode::DigestInvalid,
                    "unsupported digest algorithm '" + target.digest->algorithm + "' (sha256 and sha512 are)");

    MappedName mapped = target.registry->plugin().mapRepository(target.clientName);
    if (!mapped.ok())
        return fail(error, 404, OciCode::NameUnknown, "registry " + target.registry->name() + ": " + mapped.error);
    target.upstreamName = mapped.name;
    target.upstreamBase = target.registry->upstreamUrl(target.host);
    return true;
}

}  // namespace vicary::routing
