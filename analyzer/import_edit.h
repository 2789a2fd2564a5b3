// How a fix refers to a module of the standard library (`itertools`): through a name the code
// already binds to it where the fix goes, or by adding `import <module>` to the file, after the
// module docstring and the `from __future__` imports (which must stay first). Shared by the rules
// whose fixes call something the file may not import yet.
#pragma once

#include <tree_sitter/api.h>

#include <optional>
#include <string>
#include <string_view>

#include "analyzer/diagnostic.h"
#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;

struct ModuleReference {
  std::string name;           // what the fix writes: "itertools", or an alias ("it")
  std::optional<Edit> added;  // the `import itertools` line to insert, when none is in effect
};

// How code at `offset` in `scope` can name `module`. `module_node` is the module the walk started
// from (RuleContext::frame at the bottom of the stack). Nullopt when no fix should try: the name
// is bound to something else there, or by an import under `if`, `try` or in a function (which
// may not have run), a star import may bind it, or the top of the file is not in
// the tree walked (the language server walks one run of a large file at a time) or holds code
// before which an import cannot go.
std::optional<ModuleReference> referenceModule(const RuleContext& context, TSNode module_node,
                                               ScopeId scope, uint32_t offset,
                                               std::string_view module);

// Where `import x` lines go in the module: the start of the line after the module docstring and
// the `from __future__` imports, else the start of the first statement. Nullopt when the module
// node does not begin the file (text other than comments and blank lines comes before it).
std::optional<uint32_t> importInsertionOffset(std::string_view text, TSNode module_node);

}  // namespace heaplint
