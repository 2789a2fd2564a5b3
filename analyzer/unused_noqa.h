// HL100 (unused-noqa), as Ruff's RUF100: the codes of heaplint's in `# noqa: ...` and
// `# heaplint: noqa: ...` directives that silenced nothing, with a safe fix that removes them.
// The noqa machinery feeds it: NoqaDirectives records what each directive silenced in the file's
// own pass and in the project join, so this runs once a file's findings are final (at the end of
// every joinProject). Codes of other tools and blanket directives are left alone: they may be
// there for Ruff, flake8 or pylint.
#pragma once

#include "analyzer/analyze.h"

namespace heaplint {

// Adds the file's HL100 findings (when `unused_noqa` is enabled and reported for it). Returns
// whether it added any.
bool reportUnusedNoqa(FileAnalysis& file, RuleTable rules, size_t unused_noqa);

}  // namespace heaplint
