#include "config/ConfigLocation.h"

namespace vicary::config {

std::string fileLocation(const std::string& file, int line, const std::string& section, const std::string& key)
{
    std::string where = file;
    if (line > 0)
        where += ":" + std::to_string(line);
    where += ": ";
    if (!section.empty())
        where += "[" + section + "]" + (key.empty() ? ": " : " ");
    if (!key.empty())
        where += key + ": ";
    return where;
}

std::string environmentLocation(const std::string& variable)
{
    return "environment " + variable + ": ";
}

}  // namespace vicary::config
