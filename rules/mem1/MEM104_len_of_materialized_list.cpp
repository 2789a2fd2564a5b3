// MEM104 len-of-materialized-list: `len([x for x in rows if x.ok])` builds a list only to count
// it; `sum(1 for x in rows if x.ok)` counts without keeping the items.

#include <array>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_text.h"
#include "analyzer/size_evidence.h"
#include "analyzer/walker.h"
#include "rules/common.h"
#include "rules/small_arguments_doc.h"

namespace heaplint {
namespace {

constexpr auto kDocumentationText = joinLiterals(R"md(## What it does
Checks for a list built only to be counted: the builtin `len` of a list comprehension
(`len([row for row in rows if row.ok])`), or of the builtin `list` of a generator expression or of
a call of `map`, `filter`, `zip` or `enumerate` (`len(list(filter(is_ok, rows)))`), when what is
walked grows with the data: the lines of a file, the rows of a reader or a query, the entries of a
directory, standard input, `range(n)` of one, or a `range` of 100,000 items or more that the
code writes (`range(10**6)`). The message names that evidence. With
`--preview` it also reports inputs that are data only because they are a public function's
parameter. Not reported: a list of the very items of data that is a whole list in memory
already (`len([name for name in os.listdir(path) if ...])`, `len(list(filter(ok, f.readlines())))`,
or over a name bound to a list comprehension): it costs a pointer an item, the items are kept
anyway.

## Why is this bad?
The list holds a reference to every item (8 bytes each, plus every item it keeps alive that would
otherwise be freed at once) only for `len` to read its size and drop it. `sum(1 for ...)` counts
the same items one at a time, so peak memory no longer grows with the input: counting the matching
lines of a 1 GB log keeps one line alive instead of all of them.

This is about memory, not speed: `sum(1 for ...)` is slower than `len([...])` on small inputs, and
on inputs the code makes small (a literal, a constant, an Enum, `range(10)`) the list costs a few
pointers; the rule is quiet there, and wherever the code does not show how large the input is (an
attribute, a function's result, a private function's parameter).

## Known problems
`len(set(...))`, `len({...})` (counting distinct items), `len(list(d))` and `len(list(d.keys()))`
are not reported: the first two are deliberate, the last two copy a container whose size `len`
gives directly (write `len(d)`), which is another matter. Comprehensions with `await` or
`async for` are skipped. Test files are skipped.

)md",
                                                 kSmallArgumentsDoc, R"md(

## Example
```python
def count_errors(path):
    with open(path) as log:
        return len([line for line in log if line.startswith("E")])
```

## Use instead
```python
def count_errors(path):
    with open(path) as log:
        return sum(1 for line in log if line.startswith("E"))
```

## Fix safety
The fix writes `sum(1 for ...)` with the same `for` and `if` clauses (`sum(1 for _ in
filter(...))` for `map`/`filter`/`zip`/`enumerate`). The conditions still run on every item, in
the same order; the element expression no longer runs. The fix is safe when the element is a
name or a constant (or a tuple of them) and the conditions call nothing, and unsafe otherwise:
`len([f(x) for x in xs])` would stop calling `f`, and `len([row[2] for row in rows])` would stop
raising `IndexError` on a short row (subscripts, attributes, operators and format specifications
can raise or run code); `map` and `filter` call their function. It is not offered where `sum` is not the
builtin, where the element binds a name (`len([(y := x) for x in xs])`), or where a comment inside
the comprehension would be lost.

## Options
None.

## References
- [Python docs: generator expressions](https://docs.python.org/3/reference/expressions.html#generator-expressions)
- Requested for Ruff as ruff#13050 and ruff#19419 (open).
)md");
constexpr std::string_view kDocumentation(kDocumentationText.data(), kDocumentationText.size() - 1);

// What `len` is given: the comprehension or generator that walks the data, or a `map`-like call.
struct Counted {
  TSNode comprehension{};  // a list comprehension or generator expression
  TSNode lazy_call{};      // map(...), filter(...), zip(...), enumerate(...)
};

TSNode onlyArgument(TSNode call) {
  const TSNode arguments = childByField(call, Field::Arguments);
  // `list(x for x in xs)`: the generator expression is the call's arguments.
  if (kindOf(arguments) == NodeKind::GeneratorExpression) return arguments;
  if (kindOf(arguments) != NodeKind::ArgumentList) return TSNode{};
  return onlyNamedChildSkippingExtras(arguments);
}

bool isAsynchronous(TSNode node) {
  return subtreeContains(node, NodeKind::Await) || subtreeContains(node, NodeKind::AsyncKeyword);
}

class LenOfMaterializedList final : public RuleChecker {
 public:
  void onNode(TSNode call, NodeKind /*kind*/, RuleContext& context) override {
    // Cheap shape test; whether these are the builtins is known after the walk.
    if (kindOf(childByField(call, Field::Function)) != NodeKind::Identifier) return;
    const TSNode argument = onlyArgument(call);
    const NodeKind kind = kindOf(argument);
    if (kind == NodeKind::ListComprehension) {
      candidates_.push_back(Candidate{call, argument, context.scope()});
    } else if (kind == NodeKind::Call &&
               kindOf(childByField(argument, Field::Function)) == NodeKind::Identifier) {
      const NodeKind inner = kindOf(onlyArgument(argument));
      if (inner == NodeKind::GeneratorExpression || inner == NodeKind::Call) {
        candidates_.push_back(Candidate{call, argument, context.scope()});
      }
    }
  }

  void finish(RuleContext& context) override {
    for (const Candidate& candidate : candidates_)
      check(candidate, context);
  }

 private:
  struct Candidate {
    TSNode call;      // len(...)
    TSNode argument;  // [...] or list(...)
    ScopeId scope;
  };

  static void check(const Candidate& candidate, RuleContext& context) {
    const SemanticModel& semantic = context.semantic();
    const TSNode function = childByField(candidate.call, Field::Function);
    if (!semantic.resolvesTo(candidate.scope, function, "builtins.len")) return;
    Counted counted;
    TSNode walked{};  // what the size evidence is asked about
    if (kindOf(candidate.argument) == NodeKind::ListComprehension) {
      counted.comprehension = candidate.argument;
    } else {
      if (!semantic.resolvesTo(candidate.scope, childByField(candidate.argument, Field::Function),
                               "builtins.list")) {
        return;
      }
      const TSNode inner = onlyArgument(candidate.argument);
      if (kindOf(inner) == NodeKind::GeneratorExpression) {
        counted.comprehension = inner;
      } else {
        walked = lazyIterable(context, candidate.scope, inner);
        if (ts_node_is_null(walked)) return;
        counted.lazy_call = inner;
      }
    }
    if (!ts_node_is_null(counted.comprehension)) {
      if (isAsynchronous(counted.comprehension)) return;
      walked = childByField(firstChildOfKind(counted.comprehension, NodeKind::ForInClause),
                            Field::Right);
    }
    SizeEvidence size = iterableSize(context, candidate.scope, walked);
    // `[i for i in range(10**6) if i % 100_000 == 0]`: every K-th of a written count.
    if (!ts_node_is_null(counted.comprehension)) {
      size = keptSize(context, counted.comprehension, size);
    } else if (context.semantic().resolvesTo(candidate.scope,
                                             childByField(counted.lazy_call, Field::Function),
                                             "builtins.filter")) {
      size = keptSize(context, counted.lazy_call, size);
    }
    if (size.size != Size::Data) return;
    if (size.from_parameter && !context.options().settings->preview) return;
    // `len([name for name in os.listdir(path) if ...])`: the directory's names are a list in
    // memory already, and a list of some of them costs a pointer a name.
    if (size.in_memory && keepsOnlyWalkedItems(context, candidate.scope, counted)) return;

    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(candidate.call);
    diagnostic.end = ts_node_end_byte(candidate.call);
    diagnostic.message = "`len()` of a list built from " + size.reason +
                         ": every item is kept in memory only to be counted";
    diagnostic.fix_title = "Count without the list: `sum(1 for ...)`";
    addFix(context, candidate, counted, diagnostic);
    context.report(std::move(diagnostic));
  }

  // Whether the counted list holds the walked items themselves: `[x for x in xs if ...]` (one
  // clause), or `filter(f, xs)`.
  static bool keepsOnlyWalkedItems(const RuleContext& context, ScopeId scope,
                                   const Counted& counted) {
    if (!ts_node_is_null(counted.lazy_call)) {
      return context.semantic().resolvesTo(scope, childByField(counted.lazy_call, Field::Function),
                                           "builtins.filter");
    }
    return keepsTheWalkedItems(context, counted.comprehension);
  }

  // `map(f, rows)` and the like: the first iterable they walk (`zip(...)` itself, which yields as
  // many as its smallest), or null for other calls.
  static TSNode lazyIterable(const RuleContext& context, ScopeId scope, TSNode call) {
    const std::string callee =
        context.semantic().qualifiedName(scope, childByField(call, Field::Function));
    const TSNode arguments = childByField(call, Field::Arguments);
    if (kindOf(arguments) != NodeKind::ArgumentList) return TSNode{};
    uint32_t index = 0;
    if (callee == "builtins.map" || callee == "builtins.filter") {
      index = 1;
    } else if (callee == "builtins.zip") {
      return call;  // as many items as its smallest argument: the size evidence of zip decides
    } else if (callee != "builtins.zip" && callee != "builtins.enumerate") {
      return TSNode{};
    }
    const TSNode iterable = nthNamedChildSkippingExtras(arguments, index);
    const NodeKind kind = kindOf(iterable);
    if (kind == NodeKind::KeywordArgument || kind == NodeKind::ListSplat) {
      return TSNode{};
    }
    return iterable;
  }

  static void addFix(const RuleContext& context, const Candidate& candidate, const Counted& counted,
                     Diagnostic& diagnostic) {
    const uint32_t start = ts_node_start_byte(candidate.call);
    const Resolution sum = context.semantic().resolve(candidate.scope, "sum", start);
    if (sum.kind != Resolution::Kind::Builtin) return;
    // A comment anywhere in the call would be lost.
    if (subtreeContainsWrittenComment(candidate.call)) return;
    std::string replacement = "sum(1 ";
    bool calls = false;
    if (!ts_node_is_null(counted.lazy_call)) {
      const std::string callee = context.semantic().qualifiedName(
          candidate.scope, childByField(counted.lazy_call, Field::Function));
      calls = callee == "builtins.map" || callee == "builtins.filter" ||
              subtreeContains(childByField(counted.lazy_call, Field::Arguments), NodeKind::Call);
      replacement += "for _ in " + std::string(context.text(counted.lazy_call)) + ")";
    } else {
      const TSNode comprehension = counted.comprehension;
      const TSNode element = childByField(comprehension, Field::Body);
      if (subtreeContains(element, NodeKind::NamedExpression)) return;
      const TSNode first_clause = firstChildOfKind(comprehension, NodeKind::ForInClause);
      // The clauses end with the last one: a line continuation before `]` stays behind.
      TSNode last_clause = first_clause;
      for (uint32_t i = namedChildCount(comprehension); i-- > 0;) {
        const TSNode child = nthNamedChild(comprehension, i);
        if (kindOf(child) == NodeKind::ForInClause || kindOf(child) == NodeKind::IfClause) {
          last_clause = child;
          break;
        }
      }
      const uint32_t clauses_start = ts_node_start_byte(first_clause);
      const uint32_t clauses_end = ts_node_end_byte(last_clause);
      // The conditions and later clauses stay; the element goes. Only a name or a constant
      // cannot raise when evaluated (`row[2]`, `x.attr`, `1 / x`, `f"{x:d}"` can).
      calls = !isInertExpression(element);
      for (uint32_t i = 0; i < namedChildCount(comprehension) && !calls; ++i) {
        const TSNode clause = nthNamedChild(comprehension, i);
        if (kindOf(clause) == NodeKind::IfClause && subtreeContains(clause, NodeKind::Call)) {
          calls = true;
        }
      }
      std::string_view clauses =
          context.source().text().substr(clauses_start, clauses_end - clauses_start);
      while (!clauses.empty() && (clauses.back() == ' ' || clauses.back() == '\n' ||
                                  clauses.back() == '\r' || clauses.back() == '\t')) {
        clauses.remove_suffix(1);
      }
      replacement += std::string(clauses) + ")";
    }
    Fix fix;
    fix.applicability = calls ? Applicability::Unsafe : Applicability::Safe;
    fix.edits.push_back(
        Edit{start, static_cast<uint32_t>(ts_node_end_byte(candidate.call)), replacement});
    diagnostic.fix = std::move(fix);
  }

  std::vector<Candidate> candidates_;
};

constexpr std::array kSubscriptions = {NodeKind::Call};

// Before parsing: `len([` or `len(list(`, or either builtin imported under another name
// (`from builtins import len as count`): both callees are plain names that resolve to the
// builtins through their names and imports only (SemanticModel::qualifiedName).
bool mayFind(const CodeText& text) {
  if (text.codeHasCallOf("len", "[", "list")) return true;
  return text.codeHasWordBefore("as", [](std::string_view word) {
    return word == "len" || word == "list";
  }) && text.codeHasWord("len");
}

}  // namespace

extern const RuleDefinition kLenOfMaterializedList{
    .code = "MEM104",
    .name = "len-of-materialized-list",
    .summary = "`len([x for x in rows if ...])`: a list built only to be counted",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Sometimes,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<LenOfMaterializedList>();
    },
    .may_find = mayFind,
};

}  // namespace heaplint
