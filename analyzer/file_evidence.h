// Whether an expression is a file this code opened, or a filesystem path: what rules about reading
// files ask before they speak (`for line in f.readlines()` is only worth a word when `f` is a
// file). Answered after the walk, by following names to their single binding (`f = open(p)`,
// `with open(p) as f`, `p: Path`), to a bounded depth.
#pragma once

#include <tree_sitter/api.h>

#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;

// The call that opened the file `expression` is (`open(p)`, `io.open(p)`, `Path(p).open()`,
// `path.open("rb")` for a path as pathPathCall sees one), or a null node when the code does not
// show that it is one.
TSNode openedFileCall(const RuleContext& context, ScopeId scope, TSNode expression);

// The node that makes `expression` a `pathlib.Path`: a call of `pathlib.Path` (or `PosixPath`,
// `WindowsPath`), `path / "name"` of one, or a name bound once to one or annotated as one (the
// annotation is then returned). A null node when the code does not show it.
TSNode pathEvidence(const RuleContext& context, ScopeId scope, TSNode expression);

}  // namespace heaplint
