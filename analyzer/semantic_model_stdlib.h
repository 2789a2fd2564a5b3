// The names `from <module> import *` binds for the public modules of the standard library: each
// module's `__all__`, else its names that do not start with `_`, as CPython 3.11 on Debian 12 has
// them (semantic_model_stdlib_table.inc, made by scripts/generate_python_tables.py). With them a
// star import of a known module binds exactly those names, and every other name still reaches the
// builtins, as Ruff and pylint resolve it.
//
// The table is sorted string data and integer offsets: no allocation or initialisation at
// start-up, a binary search per question.
#pragma once

#include <cstdint>
#include <string_view>

namespace heaplint {

struct StarModule {
  std::string_view name;  // "os.path"
  uint32_t first = 0;     // its first name in the table
  uint32_t count = 0;     // how many names it binds
};

// The standard library module `dotted` names, when heaplint knows what a star import of it binds;
// null otherwise (a module of the project or of a third party, a relative import).
const StarModule* knownStarModule(std::string_view dotted);

// Whether `from <module> import *` binds `name`.
bool starImportBinds(const StarModule& module, std::string_view name);

}  // namespace heaplint
