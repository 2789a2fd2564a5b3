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
#include <vector>

namespace heaplint {

// The dotted module name of a file: "pkg.sub.mod" for pkg/sub/mod.py when pkg/ and pkg/sub/ hold
// an __init__.py; "mod" for a file directly in an import root.
struct ModuleInfo {
  std::string name;
  bool is_package = false;  // an __init__.py: relative imports start from the module itself
  bool is_stub = false;     // a .pyi file: it declares a module's interface and runs nothing
  // A compiled module of the same name sits beside the source (`checker.cpython-311-x86_64-
  // linux-gnu.so` or `checker.pyd` next to `checker.py`, as mypyc and Cython build them): Python
  // imports that one, whose classes are native with a fixed layout. Set by whoever lists the
  // directory (the CLI's file discovery, the language server), not by moduleInfoForPath.
  bool compiled_beside = false;
};

// `roots` are absolute, normalised directories. A file is named from the package chain above it
// (its folder, while it holds an __init__.py, and so on up) when an import root is the folder
// that chain starts from or one of the chain's folders; otherwise it gets a name starting with
// `<`, which no import can produce, made of the chain's start folder (relative to the first root
// when below it) and the chain, so that files of one folder still reach each other by relative
// imports.
ModuleInfo moduleInfoForPath(const std::filesystem::path& path,
                             std::span<const std::filesystem::path> roots);

// moduleInfoForPath for the files of a list sorted by folder, `absolute` and normalised: the
// package chain above a folder (two file checks a level) is found once for all the files in it,
// not again for each (which was a quarter of what `check` did before parsing the first file of
// CPython, Django and SymPy).
class ModuleNamer {
 public:
  ModuleInfo forFile(const std::filesystem::path& absolute,
                     std::span<const std::filesystem::path> roots);

 private:
  bool named_ = false;
  std::string folder_;  // whose package chain `folder_name_` is, with roots_
  std::vector<std::filesystem::path> roots_;
  std::string folder_name_;
};

// Whether `file_name` is an extension module that Python would import for the module `stem`:
// `stem.so`, `stem.pyd`, or with a platform tag, `stem.cpython-311-x86_64-linux-gnu.so`,
// `stem.abi3.so`, `stem.cp311-win_amd64.pyd`.
bool isExtensionModuleFor(std::string_view file_name, std::string_view stem);

// Whether the directory of `source` holds an extension module for it (reads the directory: for
// callers that have not listed it already).
bool hasExtensionModuleBeside(const std::filesystem::path& source);

// Resolves the leading dots of a relative import against the importing module:
// ".models.Record" in pkg.views -> "pkg.models.Record". Absolute names are returned as they are;
// dots that climb past the top package leave the name unresolved (empty).
std::string absoluteName(std::string_view qualified, const ModuleInfo& module);

}  // namespace heaplint
