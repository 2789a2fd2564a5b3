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

// The name of the package chain that starts at `folder` (the folder while it holds an
// __init__.py, and so on up): the name of the folder's __init__.py, and of its files' before
// their own.
std::string folderModuleName(fs::path folder, std::span<const fs::path> roots) {
  const auto isRoot = [&](const fs::path& directory) {
    return std::find(roots.begin(), roots.end(), directory) != roots.end();
  };
  std::vector<std::string> parts;
  bool reached = isRoot(folder);
  while (!folder.empty() && folder != folder.parent_path() && isPackage(folder)) {
    parts.push_back(folder.filename().string());
    folder = folder.parent_path();
    reached = reached || isRoot(folder);
  }
  if (!reached) parts.push_back(unreachableHead(folder, roots));
  std::string name;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!name.empty()) name += '.';
    name += *it;
  }
  return name;
}

// The module of a file named `stem` in a folder whose package chain is `folder_name`.
ModuleInfo moduleInFolder(const fs::path& absolute, std::string_view folder_name) {
  ModuleInfo info;
  const std::string stem = absolute.stem().string();
  if (stem.empty()) return info;
  // `foo.pyi` and `foo.py` are the same module.
  info.is_stub = absolute.extension() == ".pyi";
  info.is_package = stem == "__init__";
  if (info.is_package || folder_name.empty()) {
    info.name = info.is_package ? std::string(folder_name) : stem;
  } else {
    info.name.reserve(folder_name.size() + 1 + stem.size());
    info.name.append(folder_name).append(".").append(stem);
  }
  return info;
}

}  // namespace

ModuleInfo moduleInfoForPath(const fs::path& path, std::span<const fs::path> roots) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error).lexically_normal();
  if (absolute.stem().empty()) return {};
  return moduleInFolder(absolute, folderModuleName(absolute.parent_path(), roots));
}

ModuleInfo ModuleNamer::forFile(const fs::path& absolute, std::span<const fs::path> roots) {
  const fs::path folder = absolute.parent_path();
  const bool same_roots =
      std::equal(roots.begin(), roots.end(), roots_.begin(), roots_.end(),
                 [](const fs::path& a, const fs::path& b) { return a.native() == b.native(); });
  if (!named_ || folder.native() != folder_ || !same_roots) {
    if (absolute.stem().empty()) return {};
    folder_ = folder.native();
    roots_.assign(roots.begin(), roots.end());
    folder_name_ = folderModuleName(folder, roots);
    named_ = true;
  }
  return moduleInFolder(absolute, folder_name_);
}

bool isExtensionModuleFor(std::string_view file_name, std::string_view stem) {
  if (stem.empty() || file_name.size() <= stem.size() + 1 || !file_name.starts_with(stem) ||
      file_name[stem.size()] != '.') {
    return false;
  }
  std::string_view rest = file_name.substr(stem.size() + 1);  // "cpython-311-...so", "pyd"
  for (const std::string_view extension : {std::string_view("so"), std::string_view("pyd")}) {
    if (rest == extension) return true;
    if (rest.size() > extension.size() + 1 && rest.ends_with(extension) &&
        rest[rest.size() - extension.size() - 1] == '.') {
      const std::string_view tag = rest.substr(0, rest.size() - extension.size() - 1);
      if (tag.find('.') == std::string_view::npos) return true;
    }
  }
  return false;
}

bool hasExtensionModuleBeside(const fs::path& source) {
  const std::string stem = source.stem().string();
  std::error_code error;
  fs::path directory = source.parent_path();
  if (directory.empty()) directory = ".";
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    if (isExtensionModuleFor(it->path().filename().string(), stem)) return true;
  }
  return false;
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
