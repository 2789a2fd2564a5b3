// Module names as Python gives them. The project rules join files by dotted names (a class
// `pkg.models.Point`, an import of `pkg.models`), so a file's name must be the one Python imports
// it by: its path below an import root (an entry of sys.path for the project's own code: the
// project root, `src/`, configured source roots), through packages (`__init__.py` folders).
//
// A file that no import root reaches through packages (`vendor/stubs/inspect.pyi` when `vendor/`
// is no package) is no module any import can name: it gets a name no import can spell, so that it
// never stands for a module of the standard library or of the project.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace heaplint {

// The dotted module name of a file: "pkg.sub.mod" for pkg/sub/mod.py when pkg/ and pkg/sub/ hold
// an __init__.py; "mod" for a file directly in an import root.
struct ModuleInfo {
  std::string name;
  bool is_package = false;  // an __init__.py: relative imports start from the module itself
  bool is_stub = false;     // a .pyi file: it declares a module's interface and runs nothing
};

// `roots` are absolute, normalised directories. A file is named from the package chain above it
// (its folder, while it holds an __init__.py, and so on up) when an import root is the folder
// that chain starts from or one of the chain's folders; otherwise it gets a name starting with
// `<`, which no import can produce, made of the chain's start folder (relative to the first root
// when below it) and the chain, so that files of one folder still reach each other by relative
// imports.
ModuleInfo moduleInfoForPath(const std::filesystem::path& path,
                             std::span<const std::filesystem::path> roots);

// Resolves the leading dots of a relative import against the importing module:
// ".models.Record" in pkg.views -> "pkg.models.Record". Absolute names are returned as they are;
// dots that climb past the top package leave the name unresolved (empty).
std::string absoluteName(std::string_view qualified, const ModuleInfo& module);

}  // namespace heaplint
