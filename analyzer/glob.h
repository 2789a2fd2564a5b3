// Glob patterns as .gitignore files write them: `*` and `?` stay within a path segment, `[...]`
// classes, backslash escapes, and `**` as a whole segment crosses directories.
#pragma once

#include <string_view>

namespace heaplint {

bool globMatch(std::string_view pattern, std::string_view path);

}  // namespace heaplint
