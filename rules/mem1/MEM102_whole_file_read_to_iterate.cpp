// MEM102 whole-file-read-to-iterate: `for line in f.readlines():` reads the whole file into a list
// before the first iteration; iterating the file reads one line at a time.

#include <array>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/file_evidence.h"
#include "analyzer/walker.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for a file read whole only to be walked line by line: `F.readlines()` without a size hint
as the iterable of a `for` statement or of a comprehension's `for` clause (directly, or as the
first argument of `enumerate`), where `F` is a file the code opened: a call of `open`, `io.open`
or the `open()` method of a `pathlib.Path`, or a name bound once to one or by `with ... as F`.

With `--preview` it also reports, without a fix, `F.read().splitlines()`,
`F.read().split("\n")` (or `"\r\n"`) and `P.read_text().splitlines()` / `P.read_bytes()
.splitlines()` in the same positions, `P` a `pathlib.Path` (a `Path(...)` call, `base / "name"`
of one, or a name bound to one or annotated `Path`).

## Why is this bad?
`readlines()` builds a list of every line of the file, so memory grows with the file: a 2 GB log
needs more than 2 GB before the loop body runs once. A file object is its own iterator over lines,
reading a buffer at a time: `for line in F:` yields the same lines (newlines kept) with memory
independent of the file's size, and a loop that stops early reads no further.

## Known problems
A preview rule (on with `--preview`): blind review of its 11 findings on the development corpus
judged none worth changing: the files read were small by nature (`/proc/mounts`, allowlists,
`authorized_keys`), the loop built a list as large anyway, or the code was a build script. The
size of a file is not visible in the code; until the rule can tell, it stays in preview.

A receiver the code does not show to be a file (a parameter without a file annotation, an
attribute, `sys.stdin`, an object of a class of the project with its own `readlines()`) is not
reported, nor is `readlines(hint)`, which reads a bounded batch. `lines = F.readlines()` is not
reported either: the list may be kept, indexed or sliced. The `read().splitlines()` forms are in
preview because they are often a deliberate way to drop line endings on small files (configuration,
requirement lists) and their replacement is not a mechanical rewrite. Test files are skipped.

## Example
```python
def count_errors(path):
    with open(path) as log:
        return sum(1 for line in log.readlines() if line.startswith("E"))
```

## Use instead
```python
def count_errors(path):
    with open(path) as log:
        return sum(1 for line in log if line.startswith("E"))
```

## Fix safety
The fix removes `.readlines()`, and is unsafe. The lines and their order are the same, but the
file is now read while the loop runs instead of before it, and code that runs in between can see
the difference: other calls on the file (`F.tell()` raises `OSError` during a `for` loop over
`F`; `F.readline()`, `next(F)` or `F.seek()`, in the loop, in a closure or in a function given
the file, interleave with the loop's reading); code that writes to the file while the loop runs
(`print(file=out)`, `json.dump`, a subprocess, a logging handler, a helper, another task while
the loop awaits), whose lines the lazy loop then reads too; a second run of the loop (an outer
loop, a second call, a comprehension around it) after a `break` or `return`, which reads on from
where the first stopped instead of finding the file already read; and a generator expression
consumed after the file is closed. Review these before applying it. There is no fix when a comment
lies inside the call (it would be deleted with `.readlines()`). The preview forms have no fix:
`splitlines()` splits on more characters than file iteration does (`\x0c`, `\u2028`, ...) and drops
the line endings, and `split("\n")` yields a last empty string; write `for line in F:` with
`line.rstrip("\n")`.

## Options
None.

## References
- [Python docs: reading lines from a file](https://docs.python.org/3/tutorial/inputoutput.html#methods-of-file-objects)
- [Python docs: `io.IOBase.readlines`](https://docs.python.org/3/library/io.html#io.IOBase.readlines)
- Ruff FURB129 (readlines-in-for) overlaps with this rule for `readlines()`.
)md";

enum class Form : uint8_t {
  Readlines,       // F.readlines()
  ReadSplitlines,  // F.read().splitlines(), F.read().split("\n")
  PathSplitlines,  // P.read_text().splitlines(), P.read_bytes().splitlines()
};

bool hasNoArguments(TSNode call) {
  const TSNode arguments = childByField(call, Field::Arguments);
  return kindOf(arguments) == NodeKind::ArgumentList &&
         ts_node_is_null(firstNamedChildSkippingExtras(arguments));
}

// `x.method(...)`: the method's name, or empty.
std::string_view methodName(const RuleContext& context, TSNode call) {
  const TSNode function = childByField(call, Field::Function);
  if (kindOf(function) != NodeKind::Attribute) return {};
  return context.text(childByField(function, Field::AttributeName));
}

TSNode receiverOf(TSNode call) {
  return childByField(childByField(call, Field::Function), Field::Object);
}

// `"\n"` or `"\r\n"`, as the only argument.
bool splitsOnNewlines(const RuleContext& context, TSNode call) {
  const TSNode arguments = childByField(call, Field::Arguments);
  const std::string_view separator = context.text(onlyNamedChildSkippingExtras(arguments));
  return separator == R"("\n")" || separator == R"('\n')" || separator == R"("\r\n")" ||
         separator == R"('\r\n')";
}

// The call that opened a file, as messages show it (not by line: findings of one run of a large
// document are kept while edits above move its lines).
std::string openedBy(const RuleContext& context, TSNode call) {
  constexpr size_t kMaxShown = 40;
  std::string_view text = context.text(call);
  if (text.size() > kMaxShown || text.find('\n') != std::string_view::npos) {
    text = context.text(childByField(call, Field::Function));
    return "`" + std::string(text.substr(0, kMaxShown)) + "(...)`";
  }
  return "`" + std::string(text) + "`";
}

class WholeFileReadToIterate final : public RuleChecker {
 public:
  void onNode(TSNode call, NodeKind /*kind*/, RuleContext& context) override {
    const std::string_view method = methodName(context, call);
    if (method != "readlines" && method != "splitlines" && method != "split") return;
    // The iterable of a `for` or of a comprehension's clause, maybe inside `enumerate(...)`.
    size_t up = 0;
    TSNode wrapper{};
    if (context.depth() > 3 && context.frame(1).kind == NodeKind::ArgumentList &&
        context.frame(2).kind == NodeKind::Call &&
        ts_node_eq(nthNamedChild(context.frame(1).node, 0), call)) {
      wrapper = context.frame(2).node;
      up = 2;
    }
    if (context.depth() <= up + 1 || context.frame(up).field != Field::Right) return;
    const NodeKind loop = context.frame(up + 1).kind;
    if (loop != NodeKind::ForStatement && loop != NodeKind::ForInClause) return;
    Form form = Form::Readlines;
    if (method == "readlines") {
      if (!hasNoArguments(call)) return;
    } else {
      if (method == "splitlines" ? !hasNoArguments(call) : !splitsOnNewlines(context, call)) {
        return;
      }
      const TSNode read = receiverOf(call);
      if (kindOf(read) != NodeKind::Call) return;
      const std::string_view reader = methodName(context, read);
      if (reader == "read" && hasNoArguments(read)) {
        form = Form::ReadSplitlines;
      } else if ((reader == "read_text" || reader == "read_bytes") && method == "splitlines") {
        form = Form::PathSplitlines;
      } else {
        return;
      }
      if (!context.options().settings->preview) return;
    }
    candidates_.push_back(Candidate{call, wrapper, context.scope(), form});
  }

  void finish(RuleContext& context) override {
    for (const Candidate& candidate : candidates_)
      check(candidate, context);
  }

 private:
  struct Candidate {
    TSNode call;
    TSNode wrapper;  // `enumerate(...)` around the call, or null
    ScopeId scope;
    Form form;
  };

  static void check(const Candidate& candidate, RuleContext& context) {
    if (!ts_node_is_null(candidate.wrapper) &&
        !context.semantic().resolvesTo(candidate.scope,
                                       childByField(candidate.wrapper, Field::Function),
                                       "builtins.enumerate")) {
      return;
    }
    const TSNode receiver = receiverOf(candidate.call);
    if (candidate.form == Form::Readlines) {
      reportReadlines(candidate, receiver, context);
      return;
    }
    const TSNode source = receiverOf(receiver);  // F of F.read(), P of P.read_text()
    const TSNode evidence = candidate.form == Form::ReadSplitlines
                                ? openedFileCall(context, candidate.scope, source)
                                : pathEvidence(context, candidate.scope, source);
    if (ts_node_is_null(evidence)) return;
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(candidate.call);
    diagnostic.end = ts_node_end_byte(candidate.call);
    const std::string what = candidate.form == Form::ReadSplitlines
                                 ? "the file opened by " + openedBy(context, evidence)
                                 : "the file at `" + std::string(context.text(source)) + "`";
    diagnostic.message = "`" + firstLineShown(context.text(candidate.call)) +
                         "` reads the whole of " + what +
                         " and then builds a list of all its lines, only for the loop to walk "
                         "them once";
    diagnostic.fix_title = "Iterate the open file (`for line in f:`) and strip the line ending";
    context.report(std::move(diagnostic));
  }

  static void reportReadlines(const Candidate& candidate, TSNode receiver, RuleContext& context) {
    const TSNode opened = openedFileCall(context, candidate.scope, receiver);
    if (ts_node_is_null(opened)) return;
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(candidate.call);
    diagnostic.end = ts_node_end_byte(candidate.call);
    diagnostic.message = "`" + firstLineShown(context.text(candidate.call)) +
                         "` reads every line of the file opened by " + openedBy(context, opened) +
                         " into a list before the loop starts; the file itself yields them one "
                         "at a time";
    diagnostic.fix_title = "Iterate the file: remove `.readlines()`";
    // The fix deletes `.readlines(...)`: a comment there would go with it (the receiver's own
    // comments withhold it too, which costs nothing worth the code to tell them apart).
    if (subtreeContainsWrittenComment(candidate.call)) {
      context.report(std::move(diagnostic));
      return;
    }
    Fix fix;
    fix.applicability = Applicability::Unsafe;  // the file is read later: see "Fix safety"
    fix.edits.push_back(Edit{ts_node_end_byte(receiver), ts_node_end_byte(candidate.call), ""});
    diagnostic.fix = std::move(fix);
    context.report(std::move(diagnostic));
  }

  std::vector<Candidate> candidates_;
};

constexpr std::array kSubscriptions = {NodeKind::Call};

}  // namespace

extern const RuleDefinition kWholeFileReadToIterate{
    .code = "MEM102",
    .name = "whole-file-read-to-iterate",
    .summary = "`for line in f.readlines()`: the whole file read into a list only to be walked",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Sometimes,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<WholeFileReadToIterate>();
    },
    .preview = true,
    .ruff_code = "FURB129",
};

}  // namespace heaplint
