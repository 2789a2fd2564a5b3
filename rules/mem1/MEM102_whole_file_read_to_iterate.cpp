// MEM102 whole-file-read-to-iterate: `for line in f.readlines():` reads the whole file into a list
// before the first iteration; iterating the file reads one line at a time.

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
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
The fix removes `.readlines()`. The lines and their order are the same, but the file is now read
while the loop runs instead of before it, so the fix is safe only when nothing else can see the
difference:
- the file is opened in the loop's own function (`with open(path) as f`, `f = open(path)`, or
  `open(path)` in the loop itself) and named nowhere else in it: a file bound outside, or given
  to other code, may be read by that code while the loop runs (`F.tell()` raises `OSError` during
  a `for` loop over `F`; `F.readline()`, `next(F)` or `F.seek()` interleave with the loop's own
  reading), and a second call of the function reads on from where a `return` left the first;
- the loop runs inside no other loop or comprehension of the function: after a `break`, the next
  run of the inner loop reads on from where it stopped instead of finding the file already read;
- a generator expression is the argument of `sum`, `any`, `all`, `min`, `max`, `sorted`, `list`,
  `tuple`, `set` or `frozenset`, which consume it at once (consumed later, it would read a file
  that may be closed by then);
- the loop calls nothing but builtins that compute values (`len`, `int`, `print` without
  `file=`, ...) and the methods of strings, containers and regular expressions, and neither
  yields nor awaits: any other code run while the file is open (`print(file=out)`, `json.dump`,
  a subprocess, a logging handler, a helper, another task) may append to the file, and the lazy
  loop would read what it wrote.

Otherwise the fix is unsafe. There is no fix when a comment lies inside the call (it would be
deleted with `.readlines()`). The preview forms have no fix: `splitlines()` splits on more
characters than file iteration does (`\x0c`, `\u2028`, ...) and drops the line endings, and
`split("\n")` yields a last empty string; write `for line in F:` with `line.rstrip("\n")`.

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

// Whether an identifier spelled `name` occurs in `within` other than as `except` or as the target
// of `name = ...` or `with ... as name`.
bool namedOtherThanBound(const RuleContext& context, TSNode within, std::string_view name,
                         TSNode except) {
  bool found = false;
  visitSubtree(within, [&](TSNode node, TSFieldId field) {
    if (kindOf(node) != NodeKind::Identifier || ts_node_eq(node, except) ||
        context.text(node) != name) {
      return Visit::Descend;
    }
    const NodeKind parent = kindOf(parentOf(node));
    const bool bound =
        (parent == NodeKind::Assignment && field == Syntax::instance().fieldId(Field::Left)) ||
        parent == NodeKind::AsPatternTarget;
    if (bound) return Visit::Descend;
    found = true;
    return Visit::Stop;
  });
  return found;
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
    // The loop, or the whole comprehension, for the fix's safety.
    TSNode loop_node = context.frame(up + 1).node;
    size_t loop_up = up + 1;
    if (loop == NodeKind::ForInClause) loop_node = context.frame(++loop_up).node;
    // A loop inside another of the same function may run again over a file a `break` left
    // half read: `readlines()` had read it all, so the next run found nothing; iterating the file
    // picks up where the break left off. A generator expression runs whenever it is consumed,
    // maybe after the file is closed: safe only as the argument of a builtin that consumes it
    // at once (its callee resolved in `check`).
    bool in_outer_loop = false;
    for (size_t i = loop_up + 1; i < context.depth(); ++i) {
      const NodeKind kind = context.frame(i).kind;
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::Lambda ||
          kind == NodeKind::ClassDefinition) {
        break;
      }
      in_outer_loop = in_outer_loop || kind == NodeKind::ForStatement ||
                      kind == NodeKind::WhileStatement || kind == NodeKind::ForInClause ||
                      kind == NodeKind::ListComprehension || kind == NodeKind::SetComprehension ||
                      kind == NodeKind::DictionaryComprehension ||
                      kind == NodeKind::GeneratorExpression;
    }
    TSNode consumer{};
    if (kindOf(loop_node) == NodeKind::GeneratorExpression && context.depth() > loop_up + 1) {
      const Frame& parent = context.frame(loop_up + 1);
      if (parent.kind == NodeKind::Call) consumer = parent.node;  // `sum(x for x in ...)`
      if (parent.kind == NodeKind::ArgumentList && context.depth() > loop_up + 2 &&
          ts_node_eq(onlyNamedChildSkippingExtras(parent.node), loop_node)) {
        consumer = context.frame(loop_up + 2).node;  // `sum((x for x in ...))`
      }
    }
    // Where a later use of the file would be affected: the rest of the function, or at module or
    // class level the top-level statement holding the loop.
    const TSNode body = context.enclosingFunction() != nullptr
                            ? context.enclosingFunction()->node
                            : context.frame(context.depth() - 2).node;
    candidates_.push_back(
        Candidate{call, wrapper, loop_node, body, consumer, context.scope(), form, in_outer_loop});
  }

  void finish(RuleContext& context) override {
    for (const Candidate& candidate : candidates_)
      check(candidate, context);
  }

 private:
  struct Candidate {
    TSNode call;
    TSNode wrapper;   // `enumerate(...)` around the call, or null
    TSNode loop;      // the for statement or the comprehension
    TSNode body;      // the function the loop runs in, or the top-level statement holding it
    TSNode consumer;  // the call whose argument the generator expression is, or null
    ScopeId scope;
    Form form;
    bool in_outer_loop;  // inside another loop of the same function
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
    fix.applicability = fixChangesBehaviour(candidate, receiver, context) ? Applicability::Unsafe
                                                                          : Applicability::Safe;
    fix.edits.push_back(Edit{ts_node_end_byte(receiver), ts_node_end_byte(candidate.call), ""});
    diagnostic.fix = std::move(fix);
    context.report(std::move(diagnostic));
  }

  // Whether reading the file lazily, as the fixed loop does, could change what the code does.
  static bool fixChangesBehaviour(const Candidate& candidate, TSNode receiver,
                                  RuleContext& context) {
    if (candidate.in_outer_loop) return true;
    const SemanticModel& semantic = context.semantic();
    if (kindOf(receiver) == NodeKind::Identifier) {
      // A file bound outside the loop's function outlives its call: a second call (a function
      // called twice, a lambda, a recursion) reads on where a `return` left the first. And other
      // functions may read it while the loop runs.
      const Resolution resolution =
          semantic.resolve(candidate.scope, context.text(receiver), ts_node_start_byte(receiver));
      const ScopeId function = enclosingFunctionScope(semantic, candidate.scope);
      if (resolution.kind != Resolution::Kind::Bound || function == kNoScope ||
          resolution.binding->scope != function) {
        return true;
      }
      // Iterating the file changes what other calls on it do (`tell()` raises during the loop),
      // and what a closure or a function given the file reads.
      if (namedOtherThanBound(context, candidate.body, context.text(receiver), receiver)) {
        return true;
      }
    }
    if (kindOf(candidate.loop) == NodeKind::GeneratorExpression) {
      static constexpr std::array<std::string_view, 10> kConsumers = {
          "builtins.sum",    "builtins.any",      "builtins.all",   "builtins.min",
          "builtins.max",    "builtins.list",     "builtins.tuple", "builtins.set",
          "builtins.sorted", "builtins.frozenset"};
      const std::string callee =
          ts_node_is_null(candidate.consumer)
              ? std::string()
              : semantic.qualifiedName(candidate.scope,
                                       childByField(candidate.consumer, Field::Function));
      if (std::find(kConsumers.begin(), kConsumers.end(), callee) == kConsumers.end()) return true;
    }
    // Any other code run while the file is open may write to it (`print(file=out)`, `json.dump`,
    // a subprocess, a logging handler, a helper), and the lazy loop would read what it wrote; a
    // `yield` or an `await` lets other code run. Safe only when the loop calls nothing but
    // builtins that compute values and the methods of strings and containers.
    bool may_write = false;
    visitSubtree(candidate.loop, [&](TSNode node, TSFieldId /*field*/) {
      if (ts_node_eq(node, candidate.call)) return Visit::SkipChildren;  // the file's own `open`
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::Yield || kind == NodeKind::Await || kind == NodeKind::Lambda) {
        may_write = true;
      } else if (kind == NodeKind::Call) {
        may_write = !callsOnlyValues(context, candidate.scope, node);
      }
      return may_write ? Visit::Stop : Visit::Descend;
    });
    return may_write;
  }

  // A call of a builtin that computes a value (`print` to standard output), or of a method of
  // strings, lists, dictionaries, sets or regular expressions.
  static bool callsOnlyValues(const RuleContext& context, ScopeId scope, TSNode call) {
    static constexpr std::array<std::string_view, 29> kBuiltins = {
        "abs",   "all",       "any",  "bool",  "chr",        "dict", "divmod",   "enumerate",
        "float", "frozenset", "hash", "int",   "isinstance", "len",  "list",     "map",
        "max",   "min",       "ord",  "print", "range",      "repr", "reversed", "round",
        "set",   "sorted",    "str",  "sum",   "tuple"};
    static constexpr std::array<std::string_view, 48> kMethods = {
        "add",        "append",       "capitalize",   "casefold",   "count",      "decode",
        "discard",    "encode",       "endswith",     "expandtabs", "extend",     "find",
        "format",     "fullmatch",    "get",          "group",      "groups",     "index",
        "insert",     "isalnum",      "isalpha",      "isdigit",    "isspace",    "items",
        "join",       "keys",         "ljust",        "lower",      "lstrip",     "match",
        "partition",  "removeprefix", "removesuffix", "replace",    "rfind",      "rjust",
        "rpartition", "rsplit",       "rstrip",       "search",     "setdefault", "split",
        "startswith", "strip",        "sub",          "update",     "upper",      "values"};
    const TSNode function = childByField(call, Field::Function);
    if (kindOf(function) == NodeKind::Attribute) {
      const std::string_view method = context.text(childByField(function, Field::AttributeName));
      return std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
    }
    if (kindOf(function) != NodeKind::Identifier) return false;
    const std::string_view name = context.text(function);
    if (std::find(kBuiltins.begin(), kBuiltins.end(), name) == kBuiltins.end() ||
        context.semantic().resolve(scope, name, ts_node_start_byte(function)).kind !=
            Resolution::Kind::Builtin) {
      return false;
    }
    if (name != "print") return true;
    // `print(..., file=out)` writes where `out` goes.
    bool to_file = false;
    const TSNode arguments = childByField(call, Field::Arguments);
    for (uint32_t i = 0, count = namedChildCount(arguments); i < count; ++i) {
      const TSNode argument = nthNamedChild(arguments, i);
      to_file = to_file || kindOf(argument) == NodeKind::DictionarySplat ||
                (kindOf(argument) == NodeKind::KeywordArgument &&
                 context.text(childByField(argument, Field::Name)) == "file");
    }
    return !to_file;
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
