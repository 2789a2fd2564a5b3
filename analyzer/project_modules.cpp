#include "analyzer/project_modules.h"

#include <algorithm>
#include <system_error>
#include <vector>

namespace heaplint {
namespace fs = std::filesystem;

namespace {

bool isPackage(const fs::path& directory) {
  std::error_code error;
  return fs::exists(directory / "__init__.py", error) ||
         fs::exists(directory / "__init__.pyi", error);
}

// The `<...>` head of the name of a module no import root reaches: where its package chain
// starts, without dots (they separate a name's parts).
std::string unreachableHead(const fs::path& start, std::span<const fs::path> roots) {
  std::string where = start.generic_string();
  if (!roots.empty()) {
    const fs::path relative = start.lexically_relative(roots.front());
    if (!relative.empty() && *relative.begin() != "..") where = relative.generic_string();
  }
  std::replace(where.begin(), where.end(), '.', '_');
  return "<" + where + ">";
}

}  // namespace

ModuleInfo moduleInfoForPath(const fs::path& path, std::span<const fs::path> roots) {
  ModuleInfo info;
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error).lexically_normal();
  const std::string stem = absolute.stem().string();
  if (stem.empty()) return info;
  // `foo.pyi` and `foo.py` are the same module.
  info.is_stub = absolute.extension() == ".pyi";
  info.is_package = stem == "__init__";
  const auto isRoot = [&](const fs::path& directory) {
    return std::find(roots.begin(), roots.end(), directory) != roots.end();
  };
  std::vector<std::string> parts;
  if (!info.is_package) parts.push_back(stem);
  fs::path start = absolute.parent_path();
  bool reached = isRoot(start);
  while (!start.empty() && start != start.parent_path() && isPackage(start)) {
    parts.push_back(start.filename().string());
    start = start.parent_path();
    reached = reached || isRoot(start);
  }
  if (!reached) parts.push_back(unreachableHead(start, roots));
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!info.name.empty()) info.name += '.';
    info.name += *it;
  }
  return info;
}

std::string absoluteName(std::string_view qualified, const ModuleInfo& module) {
  size_t dots = 0;
  while (dots < qualified.size() && qualified[dots] == '.')
    ++dots;
  if (dots == 0) return std::string(qualified);
  // The package the import is relative to: the module itself for a package's __init__.
  std::string base = module.name;
  size_t climb = module.is_package ? dots - 1 : dots;
  while (climb > 0) {
    const size_t dot = base.rfind('.');
    if (dot == std::string::npos) {
      // Past the top package; the `<...>` head of an unreachable module is no package at all.
      if (base.empty() || base.front() == '<') return {};
      base.clear();
    } else {
      base.resize(dot);
    }
    --climb;
  }
  const std::string_view rest = qualified.substr(dots);
  if (base.empty()) return std::string(rest);
  if (rest.empty()) return base;
  return base + "." + std::string(rest);
}

}  // namespace heaplint
