// HL100 unused-noqa: a `# noqa: MEM101` whose code silences nothing, as Ruff's RUF100. The noqa
// machinery reports it (analyzer/unused_noqa.h) once a file's findings are final, so the rule has
// no checker of its own; this file holds its metadata and documentation.
#include <string_view>

#include "analyzer/rule.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for heaplint codes in `# noqa: ...` and `# heaplint: noqa: ...` comments that silence
nothing: the rule did not report anything there (unused), the rule is not enabled for the file
(non-enabled), or the code is repeated in the same comment (duplicated). Rule names count as
codes (`# noqa: list-comprehension-in-reducer`).

Codes of other tools (`# noqa: E501`, `# noqa: C419`) and blanket comments (`# noqa`,
`# heaplint: noqa`) are left alone: they may be there for Ruff, flake8 or pylint, which heaplint
cannot judge.

## Why is this bad?
A suppression that no longer matches a finding hides the next real one on that line: the code
changed, the finding went away, and the comment stays to silence whatever comes next. Removing
stale codes keeps every suppression a deliberate, current decision.

## Known problems
A file that does not parse is not checked: rules see only part of it, so a code could look unused.
A comment that names `HL100` itself (`# noqa: MEM101, HL100`) is kept as it is. Running with
`--select` of some rules and `HL100` reports the codes of the other rules as non-enabled, as Ruff
does.

## Example
```python
def total(xs):
    return sum(xs)  # noqa: MEM101
```

## Use instead
```python
def total(xs):
    return sum(xs)
```

## Fix safety
The fix is safe: it removes the unused codes and keeps the others (`# noqa: E501, MEM101` becomes
`# noqa: E501`), or removes the whole directive, with the reason written after its codes, when
none is left. Another comment after it on the line (`# noqa: MEM101  # type: ignore`) stays.

## Options
None. `--ignore-noqa` turns suppressions off, and with them this rule.

## References
- [Ruff: unused-noqa (RUF100)](https://docs.astral.sh/ruff/rules/unused-noqa/)
)md";

}  // namespace

extern const RuleDefinition kUnusedNoqa{
    .code = "HL100",
    .name = "unused-noqa",
    .summary = "`# noqa` code that silences nothing",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Always,
    .subscriptions = {},  // no checker: see analyzer/unused_noqa.h
};

}  // namespace heaplint
