// MEM105 quadratic-sequence-concat: `sum(lists, [])` and `functools.reduce(operator.add, lists,
// [])` build a new list at every step, copying everything gathered so far.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_text.h"
#include "analyzer/import_edit.h"
#include "analyzer/size_evidence.h"
#include "analyzer/walker.h"
#include "rules/small_arguments_doc.h"

namespace heaplint {
namespace {

constexpr auto kDocumentationText = joinLiterals(R"md(## What it does
Checks for sequences flattened by repeated concatenation, when the code shows that there is one
sequence per item of data:
- the builtin `sum(x, start)` whose `start` (second positional or `start=`) is a list or a tuple:
  a literal (`[]`, `()`, `[first]`) or a call of the builtin `list()` or `tuple()`;
- `functools.reduce(f, x, start)` whose `f` is `operator.add`, `operator.concat` (or their
  `__add__`/`__concat__` spellings) or a `lambda a, b: a + b`, and whose `start` is such a list or
  tuple; `operator.iadd` counts only with a tuple start (see below);
- `functools.reduce(f, x)` without a start, with such an `f`, when `x` is a comprehension whose items
  are list or tuple literals or `list(...)`/`tuple(...)` calls (`[list(g) for g in groups]`).

One sequence per item of data: `x` is, following names bound once and through comprehensions,
`map()`, `enumerate()`, `zip()` and the like, the lines of a file (`open()`, `sys.stdin`), the rows
of `csv.reader()`, `cursor.fetchall()` or a query, the entries of a directory, JSON or pickle
loaded, regular-expression matches, or a `range` of 100,000 items or more that the code writes.
The message names that evidence: "`sum()` concatenates the lists of
`[line.split() for line in handle]` (the lines of the file opened by `open(path)`) one at a time".

Names are resolved as Python does: `from functools import reduce as fold` and `import operator as
op` are recognised, and a module's own `sum` or `reduce` is not the builtin.

## Why is this bad?
`list + list` and `tuple + tuple` build a new sequence holding both operands. Summing n lists
therefore copies the first list n times, the second n - 1 times, and so on: quadratic time, and
every step allocates a list as large as everything gathered so far while the previous one is still
alive. Flattening 10,000 lists of 10 items copies about 500 million references instead of 100,000.
`itertools.chain.from_iterable` walks each list once and `list()` builds the result once.

Tuple starts (`sum(x, ())`, `reduce(operator.add, x, ())`) are reported only with `--preview`:
on the development corpus they mostly joined a handful of array shapes or dimension names, where
the copies cost nothing.

## Known problems
How many sequences there are decides whether the copies matter, and the code rarely shows it.
Over inputs that nothing sizes (a function's parameter, an attribute, a function's result), blind
review judged 1 of 38 findings on the development corpus real (and 2 of 25 on unseen code): most
joined a handful of lists that the domain keeps small (the fields of one form, the factors of one
number, the shapes of a tensor's factors). Those are reported only with `--preview`. The rule
therefore misses real cases such as a corpus reader joining one list per file of a parameter's
list of files. With the data evidence above it made no finding on the development corpus or on
the 14 check sets of unseen code; its fixtures hold what it reports.

Flattening a handful of sequences is harmless, so the rule is quiet, even in preview, when `x` is
small by construction (a literal, `sum([a, b], [])`, a constant bound to one, `range(3)`) or
configuration (`sys.argv`, `args.paths`, a parameter called `options` or `settings`).

)md",
                                                 kSmallArgumentsDoc, R"md(

`functools.reduce(operator.iadd, x, [])` is not reported: `+=` extends the start list in place,
which is linear (it is Ruff's own rewrite of `sum(x, [])`). With a tuple start `iadd` falls back to
`+` and is reported. `reduce(operator.add, x)` without a start is reported only when `x` visibly
yields sequences, because it is more often a sum of numbers. Starts that are not lists or tuples
(`sum(x, 0.0)`, `sum(x, Vector())`) are not this rule's business. Test files are skipped.

## Example
```python
import csv


def all_tags(path):
    with open(path, newline="") as handle:
        return sum([row[1:] for row in csv.reader(handle)], [])
```

## Use instead
```python
import csv
import itertools


def all_tags(path):
    with open(path, newline="") as handle:
        return list(itertools.chain.from_iterable(row[1:] for row in csv.reader(handle)))
```

## Fix safety
The fix replaces the call with `list(itertools.chain.from_iterable(x))` (`tuple(...)` for a tuple
start), adding `import itertools` after the module docstring and `from __future__` imports when
the file does not import it, or using the name the file already binds to it. It is offered for an
empty start only (and not when a comment sits anywhere in the call outside `x`, where it would
be lost), and is unsafe: `sum` and `reduce` raise `TypeError` when an item is not a list
(or not a tuple), where `chain` accepts any iterable item (a string would be split into
characters), and an empty `x` without a start makes `reduce` raise where `chain` returns `[]`. No
fix is offered for a non-empty start, a start-less `reduce`, where `itertools` names something
else at the call, where the `itertools` in effect there is imported under `if` or `try` or in a
function (which may not have run), or where `list` (`tuple`) is not the builtin.

## Options
None.

## References
- [Python docs: `itertools.chain.from_iterable`](https://docs.python.org/3/library/itertools.html#itertools.chain.from_iterable)
- [Python docs: `sum`](https://docs.python.org/3/library/functions.html#sum) ("to concatenate a
  series of iterables, consider using `itertools.chain()`")
- Ruff RUF017 (quadratic-list-summation) and refurb FURB179 (use-chain-from-iterable) overlap with
  this rule.
)md");
constexpr std::string_view kDocumentation(kDocumentationText.data(), kDocumentationText.size() - 1);

enum class StartKind : uint8_t { NotASequence, List, Tuple };

struct Start {
  StartKind kind = StartKind::NotASequence;
  bool empty = false;
};

// The arguments of a call, as far as this rule reads them: up to three positional ones and a
// `start=` keyword. Anything else (splats, other keywords, more arguments) disqualifies the call.
struct Arguments {
  std::array<TSNode, 3> positional{};
  uint32_t positional_count = 0;
  TSNode start_keyword{};  // the value of `start=`
  bool readable = true;
};

Arguments readArguments(const RuleContext& context, TSNode argument_list) {
  Arguments arguments;
  const uint32_t count = namedChildCount(argument_list);
  for (uint32_t i = 0; i < count && arguments.readable; ++i) {
    const TSNode argument = nthNamedChild(argument_list, i);
    switch (kindOf(argument)) {
      case NodeKind::Comment:
        break;
      case NodeKind::KeywordArgument:
        if (context.text(childByField(argument, Field::Name)) == "start" &&
            ts_node_is_null(arguments.start_keyword)) {
          arguments.start_keyword = childByField(argument, Field::Value);
        } else {
          arguments.readable = false;
        }
        break;
      case NodeKind::ListSplat:
      case NodeKind::DictionarySplat:
      case NodeKind::ParenthesizedListSplat:
        arguments.readable = false;
        break;
      default:
        if (arguments.positional_count == arguments.positional.size()) {
          arguments.readable = false;
        } else {
          arguments.positional[arguments.positional_count++] = argument;
        }
        break;
    }
  }
  return arguments;
}

bool hasNoItems(TSNode literal) {
  return ts_node_is_null(firstNamedChildSkippingExtras(literal));
}

// Whether `node` is a list or tuple by its syntax or by a call of the builtin `list`/`tuple`.
Start sequenceStart(const RuleContext& context, ScopeId scope, TSNode node) {
  node = unparenthesized(node);
  switch (kindOf(node)) {
    case NodeKind::List:
      return Start{StartKind::List, hasNoItems(node)};
    case NodeKind::ListComprehension:
      return Start{StartKind::List, false};
    case NodeKind::Tuple:
      return Start{StartKind::Tuple, hasNoItems(node)};
    case NodeKind::Call: {
      const std::string callee =
          context.semantic().qualifiedName(scope, childByField(node, Field::Function));
      const bool empty = hasNoItems(childByField(node, Field::Arguments));
      if (callee == "builtins.list") return Start{StartKind::List, empty};
      if (callee == "builtins.tuple") return Start{StartKind::Tuple, empty};
      return Start{};
    }
    default:
      return Start{};
  }
}

enum class Concatenation : uint8_t { None, Add, InPlaceAdd };

bool isLambdaAddingItsParameters(const RuleContext& context, TSNode lambda) {
  const TSNode parameters = childByField(lambda, Field::Parameters);
  if (namedChildCountSkippingExtras(parameters) != 2) return false;
  const TSNode first = nthNamedChildSkippingExtras(parameters, 0);
  const TSNode second = nthNamedChildSkippingExtras(parameters, 1);
  if (kindOf(first) != NodeKind::Identifier || kindOf(second) != NodeKind::Identifier) return false;
  const TSNode body = unparenthesized(childByField(lambda, Field::Body));
  if (kindOf(body) != NodeKind::BinaryOperator ||
      context.text(childByField(body, Field::Operator)) != "+") {
    return false;
  }
  const TSNode left = unparenthesized(childByField(body, Field::Left));
  const TSNode right = unparenthesized(childByField(body, Field::Right));
  return kindOf(left) == NodeKind::Identifier && kindOf(right) == NodeKind::Identifier &&
         context.text(left) == context.text(first) && context.text(right) == context.text(second);
}

Concatenation concatenationOf(const RuleContext& context, ScopeId scope, TSNode function) {
  function = unparenthesized(function);
  if (kindOf(function) == NodeKind::Lambda) {
    return isLambdaAddingItsParameters(context, function) ? Concatenation::Add
                                                          : Concatenation::None;
  }
  std::string name = context.semantic().qualifiedName(scope, function);
  if (name.starts_with("_operator.")) name.erase(0, 1);  // the C module `operator` re-exports
  if (name == "operator.add" || name == "operator.concat" || name == "operator.__add__" ||
      name == "operator.__concat__") {
    return Concatenation::Add;
  }
  if (name == "operator.iadd" || name == "operator.__iadd__" || name == "operator.iconcat" ||
      name == "operator.__iconcat__") {
    return Concatenation::InPlaceAdd;
  }
  return Concatenation::None;
}

// A comprehension whose every item is a list or tuple by its syntax: what a start-less
// `reduce(add, ...)` then concatenates.
StartKind comprehensionItems(const RuleContext& context, ScopeId scope, TSNode iterable) {
  iterable = unparenthesized(iterable);
  const NodeKind kind = kindOf(iterable);
  if (kind != NodeKind::ListComprehension && kind != NodeKind::GeneratorExpression) {
    return StartKind::NotASequence;
  }
  const TSNode element = unparenthesized(childByField(iterable, Field::Body));
  // The element is evaluated in the comprehension's own scope, but `list`/`tuple` resolve the
  // same there unless a comprehension variable shadows them, which sequenceStart's resolution
  // from the enclosing scope would miss only in code no one writes.
  return sequenceStart(context, scope, element).kind;
}

// Whether a `#` comment lies in the call outside `kept` (the iterable, which the fix keeps): in the
// callee, the start (`[  # note` then `]`), or between the arguments.
bool hasCommentOutside(TSNode call, TSNode kept) {
  bool found = false;
  visitSubtree(call, [&](TSNode node, TSFieldId /*field*/) {
    if (ts_node_eq(node, kept)) return Visit::SkipChildren;
    if (kindOf(node) == NodeKind::Comment && !isLineContinuation(node)) {
      found = true;
      return Visit::Stop;
    }
    return Visit::Descend;
  });
  return found;
}

std::string shortened(std::string_view text) {
  constexpr size_t kMaxShown = 40;
  const size_t newline = text.find('\n');
  if (newline == std::string_view::npos && text.size() <= kMaxShown) return std::string(text);
  return std::string(text.substr(0, std::min(newline, kMaxShown))) + "...";
}

class QuadraticSequenceConcat final : public RuleChecker {
 public:
  void onNode(TSNode call, NodeKind /*kind*/, RuleContext& context) override {
    if (ts_node_is_null(module_)) module_ = context.frame(context.depth() - 1).node;
    // Cheap shape test: two or three arguments. Which function is called is only known after
    // the walk (`from functools import reduce as fold`).
    const TSNode arguments = childByField(call, Field::Arguments);
    if (kindOf(arguments) != NodeKind::ArgumentList) return;
    // Comments among the arguments count only when there seem to be too many.
    const uint32_t count = namedChildCount(arguments);
    if (count < 2 || (count > 3 && namedChildCountSkippingExtras(arguments) > 3)) return;
    const NodeKind callee = kindOf(childByField(call, Field::Function));
    if (callee != NodeKind::Identifier && callee != NodeKind::Attribute) return;
    candidates_.push_back(Candidate{call, context.scope()});
  }

  void finish(RuleContext& context) override {
    for (const Candidate& candidate : candidates_)
      check(candidate, context);
  }

 private:
  struct Candidate {
    TSNode call;
    ScopeId scope;
  };

  void check(const Candidate& candidate, RuleContext& context) const {
    const TSNode function = childByField(candidate.call, Field::Function);
    // Resolve only what can be `sum` or `reduce`: a name, or an attribute called `reduce`.
    if (kindOf(function) == NodeKind::Attribute &&
        context.text(childByField(function, Field::AttributeName)) != "reduce") {
      return;
    }
    const std::string callee = context.semantic().qualifiedName(candidate.scope, function);
    const bool is_sum = callee == "builtins.sum";
    if (!is_sum && callee != "functools.reduce" && callee != "_functools.reduce") return;

    const Arguments arguments =
        readArguments(context, childByField(candidate.call, Field::Arguments));
    if (!arguments.readable) return;
    TSNode iterable{};
    TSNode start_node{};
    Concatenation concatenation = Concatenation::Add;
    if (is_sum) {
      const bool keyword = !ts_node_is_null(arguments.start_keyword);
      if (arguments.positional_count != (keyword ? 1U : 2U)) return;
      iterable = arguments.positional[0];
      start_node = keyword ? arguments.start_keyword : arguments.positional[1];
    } else {
      if (!ts_node_is_null(arguments.start_keyword) || arguments.positional_count < 2) return;
      concatenation = concatenationOf(context, candidate.scope, arguments.positional[0]);
      if (concatenation == Concatenation::None) return;
      iterable = arguments.positional[1];
      if (arguments.positional_count == 3) start_node = arguments.positional[2];
    }

    Start start;
    if (!ts_node_is_null(start_node)) {
      start = sequenceStart(context, candidate.scope, start_node);
    } else {
      start.kind = comprehensionItems(context, candidate.scope, iterable);
    }
    if (start.kind == StartKind::NotASequence) return;
    // `+=` extends a list in place: linear. Only a tuple falls back to `+`.
    if (concatenation == Concatenation::InPlaceAdd && start.kind != StartKind::Tuple) return;
    // Tuples concatenated this way are mostly a handful of shapes or dimension names: preview.
    if (start.kind == StartKind::Tuple && !context.options().settings->preview) return;
    // A handful of sequences: concatenating them costs nothing worth a comment. How many there
    // are decides the finding, so by default only data-sized inputs (lines of a file, rows of a
    // query) are reported; preview also takes what nothing sizes.
    const SizeEvidence size = iterableSize(context, candidate.scope, iterable);
    if (size.size == Size::Small || size.size == Size::Configuration) return;
    if (!context.options().settings->preview && (size.size != Size::Data || size.from_parameter)) {
      return;
    }

    const std::string_view sequence = start.kind == StartKind::List ? "list" : "tuple";
    const std::string shown_iterable = shortened(context.text(iterable));
    const std::string evidence = size.size == Size::Data ? " (" + size.reason + ")" : "";
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(candidate.call);
    diagnostic.end = ts_node_end_byte(candidate.call);
    diagnostic.message = "`" + shortened(context.text(function)) + "()` concatenates the " +
                         std::string(sequence) + "s of `" + shown_iterable + "`" + evidence +
                         " one at a time: every step copies everything gathered so far into a "
                         "new " +
                         std::string(sequence) + ", quadratic in time and memory";
    diagnostic.fix_title = "Use `" + std::string(sequence) +
                           "(itertools.chain.from_iterable(...))`, which copies each item once";
    // A comment outside the iterable would be lost with what the fix drops.
    if (start.empty && !ts_node_is_null(start_node) &&
        !hasCommentOutside(candidate.call, iterable)) {
      diagnostic.fix = fixFor(context, candidate, iterable, sequence);
    }
    context.report(std::move(diagnostic));
  }

  std::optional<Fix> fixFor(const RuleContext& context, const Candidate& candidate, TSNode iterable,
                            std::string_view sequence) const {
    const uint32_t call_start = ts_node_start_byte(candidate.call);
    // `list(...)` must call the builtin: a local `list` would be called instead.
    if (context.semantic().resolve(candidate.scope, sequence, call_start).kind !=
        Resolution::Kind::Builtin) {
      return std::nullopt;
    }
    const std::optional<ModuleReference> itertools =
        referenceModule(context, module_, candidate.scope, call_start, "itertools");
    if (!itertools) return std::nullopt;
    // A generator expression brings its own parentheses.
    const bool parenthesized = kindOf(iterable) == NodeKind::GeneratorExpression;
    std::string replacement = std::string(sequence) + "(" + itertools->name +
                              ".chain.from_iterable" + (parenthesized ? "" : "(") +
                              std::string(context.text(iterable)) + (parenthesized ? ")" : "))");
    Fix fix;
    fix.applicability = Applicability::Unsafe;
    if (itertools->added) {
      if (itertools->added->start == call_start) {
        // The call begins the first statement: one edit, so that the two do not touch.
        replacement.insert(0, itertools->added->replacement);
      } else {
        fix.edits.push_back(*itertools->added);
      }
    }
    fix.edits.push_back(Edit{call_start, static_cast<uint32_t>(ts_node_end_byte(candidate.call)),
                             std::move(replacement)});
    return fix;
  }

  TSNode module_{};
  std::vector<Candidate> candidates_;
};

constexpr std::array kSubscriptions = {NodeKind::Call};

// The builtin `sum` or `functools.reduce` is named somewhere: by itself, through its module, or
// in the import or assignment that gives it another name (`from functools import reduce as fold`).
bool mayFind(const CodeText& text) {
  return text.codeHasWord("sum") || text.codeHasWord("reduce");
}

}  // namespace

extern const RuleDefinition kQuadraticSequenceConcat{
    .code = "MEM105",
    .name = "quadratic-sequence-concat",
    .summary = "`sum(lists, [])` or `reduce(operator.add, lists)`: quadratic list concatenation",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Sometimes,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<QuadraticSequenceConcat>();
    },
    .ruff_code = "RUF017",
    .may_find = mayFind,
};

}  // namespace heaplint
