// MEM101 list-comprehension-in-reducer: `sum([x * x for x in xs])` builds a list only to consume it
// once; a generator expression feeds the reducer one item at a time.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/code_text.h"
#include "analyzer/key_evidence.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/size_evidence.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"
#include "rules/common.h"
#include "rules/small_arguments_doc.h"

namespace heaplint {
namespace {

constexpr auto kDocumentationText = joinLiterals(R"md(## What it does
Checks for a list comprehension passed as the iterable to a reducer that consumes it exactly once:
`sum`, `any`, `all`, `min`, `max`, `math.fsum` and `math.prod`, keyword arguments included
(`max([...], key=..., default=...)`), and for a set comprehension passed to `any`, `all`, `min`
or `max`, when the comprehension walks something that grows with the data: the lines of a file,
the rows of a reader, a query or `cursor.fetchall()`, the entries of a directory, standard input,
or a `range` of 100,000 items or more that the code writes (`range(1_000_000)`, `range(10**6)`);
with `--preview`, also a parameter of a public function and `range(n)` of one (most such
functions are called with a handful of items). The message names that evidence.

The list comprehension may also be bound to a name first, when that name is a function's local,
bound once by a plain statement (`squares = [x * x for x in range(10**6)]`) and mentioned nowhere
else but in the call of `sum`, `min`, `max`, `math.fsum` or `math.prod`, and no loop runs the
call more often than the binding. The evidence must then be a count the code writes
(`range(1_000_000)`), in preview too: a list the code names is often a handful of items made
readable (the files of a folder, a parameter's few items). The finding is at the comprehension.

## Why is this bad?
The comprehension builds the whole list in memory (8 bytes per item for the list itself, plus every
item it keeps alive) only for the reducer to walk it once and throw it away. A generator expression
hands the reducer one item at a time, so peak memory no longer grows with the input: summing the
squares of ten million numbers needs about 80 MB more with the list than with the generator.

This is about memory, not speed. For small inputs the list comprehension is often a little faster,
because a generator pays for suspending and resuming a frame per item. That is why the rule only
speaks where the input grows with the data. For `any` and `all` the generator can also be much
faster, since it stops at the first item that decides the result instead of computing every item
first.

## Known problems
The rule needs evidence of size, so it stays quiet where the code does not show it: over an
attribute of `self`, the result of a function of the project, a loop variable (one row of the
data), a parameter of a private (`_helper`) or nested function or of a lambda. It is quiet, by
design, over inputs the code makes small: a literal, a constant bound to one (`AXES = ("x",
"y")`), an Enum, a class attribute, `range(10)`, `rows[:3]`, `zip` with a literal; over
configuration (`sys.argv`, a parameter called `argv`, `options`, `opts`, `config`, `conf` or
`settings`, `args.paths` of a parameter `args`); over a list already in memory that the
comprehension only filters (`sum([s for s in sizes if s])` with `sizes` a list comprehension or
`os.listdir()`: a pointer an item, not the items); in test files and in `assert` statements
(pytest shows the values of a list when the assert fails, so the list is the better choice
there); and `any` or `all` over standard input, where reading all of it may be the point (a
git hook whose writer would get a broken pipe if it stopped early). `any` and `all` of a list
comprehension whose element is a call of a function named for an action are left alone too: the
list runs the action for every item (`all([check_row(r) for r in rows])` logs every bad row,
`any([send(a) for a in fh])` notifies everyone), which a generator would stop at the first item
that decides. The names are `send`, `notify`, `publish`, `emit`, `write`, `save`, `delete`,
`update`, `log`, `print`, `run`, `execute`, `process`, `submit`, `deliver`, `dispatch`,
`upload`, `commit` and `handle`, alone or as the first word of a longer name (`send_mail`,
`self.publish_event`), and `check_...` and `validate_...` (a bare `check` is as often a
predicate). The function must be defined in the same file (by `def`: not imported, not a
parameter), or be a method called on a receiver that is no module; `check_...` and
`validate_...` count only for a function defined in the file. A module's or an imported function
is taken for an action only when it is one of the library's: `print`, `sys.stdout.write` and
`sys.stderr.write`, the `logging` functions, `subprocess.run`, `call`, `check_call` and `Popen`,
`os.system`, `os.kill` and the `os` and `shutil` functions that change files (`os.remove`,
`shutil.copy`, ...), by any import name; never for its name alone (`math.log(x)`,
`check_password_hash(h, pw)`). A logger's `debug`, `info`, `warning`, `warn`, `error`,
`exception` and `critical` count on `logging.getLogger(...)` and on a receiver named for a
logger: `log` or `logger`, or a name ending in `_log` or `_logger`, in any case and without
leading underscores (`LOG`, `self._log`, `audit_logger`, an imported `logger`; not `catalog` nor
`blogger`). A predicate
(`pattern.match(line)`, `line.startswith("#")`, `isinstance(x, str)`, `is_valid(row)`) stays
reported, and so do `sum`, `min` and `max`, which run every item anyway.

A set comprehension whose items can take only a few values is left alone too: a comparison or a
`not`, a yes-or-no call (`line.startswith("#")`, `isinstance(x, str)`), a literal, a module's
constant, or a choice between such values (`a if c else
b`, `a and b`). `any({line.startswith("#") for line in fh})` walks the whole file, but the set
holds at most two items: that costs time, not memory.

)md",
                                                 kSmallArgumentsDoc, R"md(

Only calls that resolve to the builtins (or to `math.fsum` and `math.prod` through imports) are
checked: a reducer reached through an attribute of an unknown object (`np.sum`, `ledger.sum`) or a
shadowed name is left alone. `str.join` and `sorted` are not reducers here: both build a list
from their argument anyway. `sum({...})` of a set comprehension is a different computation
(duplicates are dropped) and is not flagged. `sum([...], [])` (a list start) is quadratic
concatenation, MEM105's business. Comprehensions containing `await` or `async for` are skipped: a
generator of them would be an asynchronous generator, which these functions cannot consume.

A list bound to a name is followed only inside a function: a module-level name may be imported
elsewhere. It is left alone when the function reads it twice, rebinds it, binds it in the same
statement as another name (`a = b = [...]`), annotates it (`rows: list[int] = [...]`), or calls
`locals()`, `vars()`, `eval()` or `exec()`. A named list given to `any` or `all` is left alone:
`ok = [step(x) for x in xs]; return all(ok)` runs every step on purpose before deciding.

## Example
```python
import csv

def report(orders_path, log_path):
    with open(orders_path) as orders:
        total = sum([float(row[2]) for row in csv.reader(orders)])
    with open(log_path) as log_lines:
        has_errors = any([line.startswith("E") for line in log_lines])
    return total, has_errors
```

## Use instead
```python
import csv

def report(orders_path, log_path):
    with open(orders_path) as orders:
        total = sum(float(row[2]) for row in csv.reader(orders))
    with open(log_path) as log_lines:
        has_errors = any(line.startswith("E") for line in log_lines)
    return total, has_errors
```

## Fix safety
The fix removes the brackets (or, when the call has other arguments, turns them into parentheses, as
a generator expression must then be parenthesized). It is safe for `sum`, `math.fsum` and
`math.prod`: every item is still computed, in the same order. It is unsafe for `any` and `all`,
which stop early with a generator, so side effects of the items after the deciding one no longer
happen. When the items call something and the call has other arguments that are not names or
constants (`sum([f(x) for x in xs], start())`), or a `key=`, the fix is unsafe too: a generator
runs those before or between the items instead of after them. If the reduction itself raises
partway (adding a `str` to a number), the items after the bad one are no longer computed.
It is also unsafe for set comprehensions passed to `min` and `max`: without the set, items
need not be hashable and ties under `key=` may resolve to a different (equal) item. For a list
bound to a name first, the fix turns its brackets into parentheses; it is offered only when the
reducer's call is in the very next statement, and is unsafe: the generator then runs when the
reducer walks it, so code of that statement that runs first and changes what it reads, or an
exception it raises, behaves differently (further away, a `with` block may even have closed the
file it reads). No fix is offered inside an f-string's self-documenting field
(`{expression=}`), which prints the expression's text. Fixes are never offered in a file with
syntax errors, and a fix whose result would not parse is dropped.

## Options
None.

## References
- [Python docs: generator expressions](https://docs.python.org/3/reference/expressions.html#generator-expressions)
- [PEP 289: Generator Expressions](https://peps.python.org/pep-0289/)
- Ruff C419 (unnecessary-comprehension-in-call) and pylint R1728/R1729 overlap with this rule.
)md");
constexpr std::string_view kDocumentation(kDocumentationText.data(), kDocumentationText.size() - 1);

enum class Arity : uint8_t {
  OnlyIterable,          // any, all, math.fsum: exactly one argument
  IterableAndStart,      // sum: iterable, optional start (positional or keyword)
  IterableKeywordStart,  // math.prod: iterable, keyword-only start
  MinMax,                // min, max: one positional iterable, key= and default= keywords
};

struct Reducer {
  std::string_view qualified_name;
  Arity arity;
  bool accepts_set_comprehension;
  bool short_circuits;
};

constexpr std::array kReducers = {
    Reducer{"builtins.sum", Arity::IterableAndStart, false, false},
    Reducer{"builtins.any", Arity::OnlyIterable, true, true},
    Reducer{"builtins.all", Arity::OnlyIterable, true, true},
    Reducer{"builtins.min", Arity::MinMax, true, false},
    Reducer{"builtins.max", Arity::MinMax, true, false},
    Reducer{"math.fsum", Arity::OnlyIterable, false, false},
    Reducer{"math.prod", Arity::IterableKeywordStart, false, false},
};

// Names of functions called for what they do (MEM101 leaves `any` and `all` of a list of their
// results alone).
constexpr auto kActingVerbs = std::to_array<std::string_view>({
    "send",    "notify",   "publish", "emit",   "write",   "save",    "delete",
    "update",  "log",      "print",   "run",    "execute", "process", "submit",
    "deliver", "dispatch", "upload",  "commit", "handle",
});
// Verbs that name a predicate as often as an action when alone (`all([check(x) ...])`): only as
// the first word of a longer name (`check_row`, `validate_order`).
constexpr auto kActingPrefixes = std::to_array<std::string_view>({"check", "validate"});
// The methods of a `logging.Logger` that write a record (`log` is among kActingVerbs).
constexpr auto kLoggingMethods = std::to_array<std::string_view>(
    {"debug", "info", "warning", "warn", "error", "exception", "critical"});

struct CallShape {
  TSNode iterable{};  // the first positional argument
  TSNode trailing_comma{};
  uint32_t positional = 0;
  uint32_t keywords = 0;
  bool has_splat = false;
  bool keywords_allowed = true;
};

CallShape describeArguments(const RuleContext& context, TSNode arguments, const Reducer& reducer) {
  CallShape shape;
  const uint32_t count = childCount(arguments);
  bool previous_was_iterable = false;
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = nthChild(arguments, i);
    const NodeKind kind = kindOf(child);
    if (kind == NodeKind::Comment || kind == NodeKind::LeftParen || kind == NodeKind::RightParen) {
      continue;
    }
    if (kind == NodeKind::Comma) {
      if (previous_was_iterable) shape.trailing_comma = child;
      previous_was_iterable = false;
      continue;
    }
    previous_was_iterable = false;
    shape.trailing_comma = TSNode{};
    switch (kind) {
      case NodeKind::ListSplat:
      case NodeKind::DictionarySplat:
      case NodeKind::ParenthesizedListSplat:
        shape.has_splat = true;
        break;
      case NodeKind::KeywordArgument: {
        ++shape.keywords;
        const std::string_view name = context.text(childByField(child, Field::Name));
        const bool allowed =
            (reducer.arity == Arity::IterableAndStart && name == "start") ||
            (reducer.arity == Arity::IterableKeywordStart && name == "start") ||
            (reducer.arity == Arity::MinMax && (name == "key" || name == "default"));
        shape.keywords_allowed = shape.keywords_allowed && allowed;
        break;
      }
      default:
        if (shape.positional == 0) {
          shape.iterable = child;
          previous_was_iterable = true;
        }
        ++shape.positional;
        break;
    }
  }
  return shape;
}

bool arityMatches(const CallShape& shape, Arity arity) {
  if (shape.has_splat || !shape.keywords_allowed || shape.positional == 0) return false;
  switch (arity) {
    case Arity::OnlyIterable:
      return shape.positional == 1 && shape.keywords == 0;
    case Arity::IterableAndStart:
      return shape.positional + shape.keywords <= 2;
    case Arity::IterableKeywordStart:
      return shape.positional == 1 && shape.keywords <= 1;
    case Arity::MinMax:
      return shape.positional == 1;
  }
  return false;
}

// A generator made of this comprehension would be asynchronous if anything in it awaits or
// iterates asynchronously, nested comprehensions included.
bool isAsynchronous(TSNode comprehension) {
  return subtreeContains(comprehension, NodeKind::Await) ||
         subtreeContains(comprehension, NodeKind::AsyncKeyword);
}

// `sum(rows, [])`, `sum(rows, start=())`: concatenation, which MEM105 reports.
bool startsWithSequence(const RuleContext& context, ScopeId scope, TSNode arguments) {
  const uint32_t count = namedChildCount(arguments);
  uint32_t positional = 0;
  for (uint32_t i = 0; i < count; ++i) {
    TSNode argument = nthNamedChild(arguments, i);
    const NodeKind kind = kindOf(argument);
    if (kind == NodeKind::Comment) continue;
    if (kind == NodeKind::KeywordArgument) {
      if (context.text(childByField(argument, Field::Name)) != "start") continue;
      argument = childByField(argument, Field::Value);
    } else if (positional++ != 1) {
      continue;
    }
    const NodeKind start = kindOf(argument);
    if (start == NodeKind::List || start == NodeKind::Tuple ||
        start == NodeKind::ListComprehension) {
      return true;
    }
    if (start == NodeKind::Call) {
      const std::string callee =
          context.semantic().qualifiedName(scope, childByField(argument, Field::Function));
      if (callee == "builtins.list" || callee == "builtins.tuple") return true;
    }
  }
  return false;
}

class ListComprehensionInReducer final : public RuleChecker {
 public:
  void onNode(TSNode call, NodeKind /*kind*/, RuleContext& context) override {
    // Cheap shape test first; which function is called is only known after the walk (aliases
    // such as `from math import fsum as f` mean the callee's text proves nothing).
    const TSNode arguments = childByField(call, Field::Arguments);
    if (kindOf(arguments) != NodeKind::ArgumentList) return;
    TSNode first = nthNamedChild(arguments, 0);
    for (uint32_t i = 1; kindOf(first) == NodeKind::Comment; ++i) {
      first = nthNamedChild(arguments, i);
    }
    const NodeKind first_kind = kindOf(first);
    if (first_kind != NodeKind::ListComprehension && first_kind != NodeKind::SetComprehension &&
        first_kind != NodeKind::Identifier) {
      return;
    }
    // `assert all([...])`: pytest's assertion rewriting shows the list's values when it fails,
    // which a generator would hide; the list is the better choice there.
    for (size_t up = 1; up < context.depth(); ++up) {
      const NodeKind kind = context.frame(up).kind;
      if (kind == NodeKind::AssertStatement) return;
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::Lambda) break;
    }
    // A name is followed to a list comprehension bound in a function (see boundList).
    if (first_kind == NodeKind::Identifier && context.enclosingFunction() == nullptr) return;
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

  // How often each name is mentioned in a function (nested functions and f-string fields
  // included), counted once per function however many calls ask.
  struct Mentions {
    std::unordered_map<std::string_view, uint32_t> counts;
    bool reflective = false;  // `locals()`, `vars()`, `eval()` or `exec()`: any name may be read
  };

  // What a named iterable may stand for: `squares` in `squares = [x * x for x in range(10**6)];
  // total = sum(squares)`, a function's local bound once to a list comprehension by a plain
  // statement of the same block as the statement that holds the call, before it: the list is
  // made each time the call runs, and consumed there. A null node otherwise. Whether the name is
  // mentioned anywhere else is asked last (mentionedOnlyThere), as it costs a walk.
  static TSNode boundList(const RuleContext& context, const Candidate& candidate, TSNode name,
                          const Binding** bound) {
    const SemanticModel& semantic = context.semantic();
    const Resolution resolution =
        semantic.resolve(candidate.scope, context.text(name), ts_node_start_byte(name));
    if (resolution.kind != Resolution::Kind::Bound || resolution.binding->through_global ||
        resolution.binding->prelude || resolution.binding->scope != candidate.scope ||
        semantic.scope(candidate.scope).kind != ScopeKind::Function) {
      return TSNode{};
    }
    const TSNode value = singleAssignedValue(context, *resolution.binding);
    if (kindOf(value) != NodeKind::ListComprehension) return TSNode{};
    // `a = b = [...]` keeps the list in `a` too; `rows: list[int] = [...]` promises a list.
    const TSNode assignment = parentOf(value);
    const TSNode statement = parentOf(assignment);
    if (kindOf(statement) != NodeKind::ExpressionStatement ||
        !ts_node_is_null(childByField(assignment, Field::TypeAnnotation))) {
      return TSNode{};
    }
    // The statement holding the call, among the binding's siblings, is a simple one (an
    // expression, an assignment, a `return`): not an `if`, a `try`, a `with` or a loop, where
    // the list could be made once and consumed again, or not at all.
    const TSNode block = parentOf(statement);
    TSNode holder = candidate.call;
    while (!ts_node_is_null(holder) && !ts_node_eq(parentOf(holder), block)) {
      holder = parentOf(holder);
    }
    const NodeKind holder_kind = kindOf(holder);
    if ((holder_kind != NodeKind::ExpressionStatement &&
         holder_kind != NodeKind::ReturnStatement) ||
        ts_node_start_byte(holder) < ts_node_end_byte(statement)) {
      return TSNode{};
    }
    *bound = resolution.binding;
    return value;
  }

  // Whether the function mentions the name only at its binding and at the call: not read
  // elsewhere (nested functions and f-string fields included), not rebound or deleted, and not
  // reachable through `locals()`, `vars()`, `eval()` or `exec()`.
  bool mentionedOnlyThere(const RuleContext& context, TSNode function, std::string_view name) {
    const auto [entry, fresh] = mentions_.try_emplace(ts_node_start_byte(function));
    Mentions& mentions = entry->second;
    if (fresh) {
      visitSubtree(function, [&](TSNode node, TSFieldId /*field*/) {
        if (kindOf(node) != NodeKind::Identifier) return Visit::Descend;
        const std::string_view text = context.text(node);
        ++mentions.counts[text];
        mentions.reflective = mentions.reflective || text == "locals" || text == "vars" ||
                              text == "eval" || text == "exec";
        return Visit::SkipChildren;
      });
    }
    const auto found = mentions.counts.find(name);
    return !mentions.reflective && found != mentions.counts.end() && found->second == 2;
  }

  // Whether the items of a set comprehension can take only a few values: a comparison or a
  // `not`, a yes-or-no call (`line.startswith("#")`, `isinstance(x, str)`), a literal, a
  // module's constant, or a choice between such values (`a if c else b`, `a or b`). Asked in the
  // comprehension's own scope, where its targets are bound. Not every key that key_evidence.h
  // calls closed: an item of a small literal (`for s in [line.strip()]`), a lambda or a
  // remainder (`float(x) % 360`) is one per item here.
  static bool hasFewValues(const RuleContext& context, ScopeId scope, TSNode comprehension) {
    const SemanticModel& semantic = context.semantic();
    // Scopes are numbered in the order the walk met them: the comprehension's comes after the
    // scope around the call.
    for (ScopeId id = scope + 1; id < semantic.scopeCount(); ++id) {
      if (ts_node_eq(semantic.scope(id).node, comprehension)) {
        return fewValues(context, id, childByField(comprehension, Field::Body), 0);
      }
    }
    return false;
  }
  static bool fewValues(const RuleContext& context, ScopeId scope, TSNode element, int depth) {
    element = unparenthesized(element);
    if (depth > 8) return false;
    if (isPlainLiteral(element)) return true;
    switch (kindOf(element)) {
      case NodeKind::ComparisonOperator:
      case NodeKind::NotOperator:
        return true;
      case NodeKind::BooleanOperator:
        return fewValues(context, scope, childByField(element, Field::Left), depth + 1) &&
               fewValues(context, scope, childByField(element, Field::Right), depth + 1);
      case NodeKind::ConditionalExpression:
        return fewValues(context, scope, nthNamedChildSkippingExtras(element, 0), depth + 1) &&
               fewValues(context, scope, nthNamedChildSkippingExtras(element, 2), depth + 1);
      case NodeKind::Identifier: {
        // A module's constant (`MARKER = "#"`), not a target of the comprehension.
        const SemanticModel& semantic = context.semantic();
        const Resolution resolution =
            semantic.resolve(scope, context.text(element), ts_node_start_byte(element));
        return resolution.kind == Resolution::Kind::Bound &&
               semantic.scope(resolution.binding->scope).kind == ScopeKind::Module &&
               keyEvidence(context, scope, element).overall() == KeySource::Closed;
      }
      case NodeKind::Call: {
        const KeyEvidence evidence = keyEvidence(context, scope, element);
        return evidence.overall() == KeySource::Closed && evidence.reason.starts_with(kYesOrNo);
      }
      default:
        return false;
    }
  }

  // `log.warning(...)`, `self.logger.info(...)`, `logging.getLogger(__name__).info(...)`: a
  // logging method (kLoggingMethods) called on a logger: a `logging.getLogger(...)` call, or a
  // receiver whose last name, in any case and without leading underscores, is `log` or `logger`,
  // or ends in `_log` or `_logger` (`LOG`, `_log`, `audit_logger`, an imported `logger`; not
  // `catalog`, not `blogger`).
  static bool isLoggerCall(const RuleContext& context, ScopeId scope, TSNode callee,
                           std::string_view method) {
    if (std::find(kLoggingMethods.begin(), kLoggingMethods.end(), method) ==
        kLoggingMethods.end()) {
      return false;
    }
    TSNode receiver = unparenthesized(childByField(callee, Field::Object));
    if (kindOf(receiver) == NodeKind::Call) {
      return context.semantic().qualifiedName(scope, childByField(receiver, Field::Function)) ==
             "logging.getLogger";
    }
    if (kindOf(receiver) == NodeKind::Attribute) {
      receiver = childByField(receiver, Field::AttributeName);
    }
    if (kindOf(receiver) != NodeKind::Identifier) return false;
    const std::string_view text = context.text(receiver);
    std::string name;
    for (const char c : text.substr(std::min(text.size(), text.find_first_not_of('_')))) {
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return name == "log" || name == "logger" || name.ends_with("_log") || name.ends_with("_logger");
  }

  // Whether the comprehension's element is a call of a function named for an action: a function
  // defined in this file (by `def`, not imported nor a parameter) named `send`, `notify`, ...
  // (kActingVerbs), by itself or as the first word of a longer name, or `check_...` and
  // `validate_...` (kActingPrefixes); or a method of such a verb (`self.send_mail`) called on a
  // receiver that is no module (`math.log`, `hmac.update` are no actions). Such a call runs for
  // what it does, not only for the value.
  static bool elementActs(const RuleContext& context, ScopeId scope, TSNode comprehension) {
    const TSNode element = unparenthesized(childByField(comprehension, Field::Body));
    if (kindOf(element) != NodeKind::Call) return false;
    const TSNode callee = childByField(element, Field::Function);
    const SemanticModel& semantic = context.semantic();
    // `print(line)`, `logging.info(...)`, `subprocess.run(cmd)`, `os.remove(path)`: a library's
    // action, whatever it is called through.
    if (kindOf(callee) == NodeKind::Attribute &&
        isLoggerCall(context, scope, callee,
                     context.text(childByField(callee, Field::AttributeName)))) {
      return true;
    }
    const std::string qualified = semantic.qualifiedName(scope, callee);
    if (!qualified.empty()) return LibraryKnowledge::isAction(qualified);
    std::string_view name;
    bool defined_here = false;
    if (kindOf(callee) == NodeKind::Identifier) {
      name = context.text(callee);
      const Resolution resolution = semantic.resolve(scope, name, ts_node_start_byte(callee));
      defined_here = resolution.kind == Resolution::Kind::Bound && !resolution.binding->prelude &&
                     resolution.binding->kind == BindingKind::FunctionDefinition;
      if (!defined_here) return false;
    } else if (kindOf(callee) == NodeKind::Attribute) {
      name = context.text(childByField(callee, Field::AttributeName));
    }
    const auto firstWord = [&](std::string_view verb) {
      return name.size() > verb.size() + 1 && name.starts_with(verb) && name[verb.size()] == '_';
    };
    for (const std::string_view verb : kActingVerbs) {
      if (name == verb || firstWord(verb)) return true;
    }
    if (!defined_here) return false;
    for (const std::string_view verb : kActingPrefixes) {
      if (firstWord(verb)) return true;
    }
    return false;
  }

  void check(const Candidate& candidate, RuleContext& context) {
    const TSNode function = childByField(candidate.call, Field::Function);
    const std::string qualified = context.semantic().qualifiedName(candidate.scope, function);
    const Reducer* reducer = nullptr;
    for (const Reducer& r : kReducers) {
      if (r.qualified_name == qualified) reducer = &r;
    }
    if (reducer == nullptr) return;

    const TSNode arguments = childByField(candidate.call, Field::Arguments);
    const CallShape shape = describeArguments(context, arguments, *reducer);
    if (!arityMatches(shape, reducer->arity)) return;
    TSNode comprehension = shape.iterable;
    TSNode bound_name{};
    const Binding* binding = nullptr;
    if (kindOf(comprehension) == NodeKind::Identifier) {
      bound_name = comprehension;
      comprehension = boundList(context, candidate, bound_name, &binding);
    }
    const NodeKind kind = kindOf(comprehension);
    const bool is_set = kind == NodeKind::SetComprehension;
    if (kind != NodeKind::ListComprehension && !(is_set && reducer->accepts_set_comprehension)) {
      return;
    }
    if (isAsynchronous(comprehension)) return;
    if (startsWithSequence(context, candidate.scope, arguments)) return;  // MEM105's business
    // Only a list that grows with the data costs memory worth a review comment: over a literal,
    // a constant or `range(3)` the list is a few pointers.
    const TSNode clause = firstChildOfKind(comprehension, NodeKind::ForInClause);
    const SizeEvidence size =
        keptSize(context, comprehension,
                 iterableSize(context, candidate.scope, childByField(clause, Field::Right)));
    if (size.size != Size::Data) return;
    // A public function's parameter is weak evidence: most are called with a handful of items.
    if (size.from_parameter && !context.options().settings->preview) return;
    // `any({line.startswith("#") for line in fh})`: a set of yes-or-no answers (or of literals)
    // holds two items whatever the size of the input.
    if (is_set && hasFewValues(context, candidate.scope, comprehension)) return;
    // `any([... for line in sys.stdin])`: the list reads all of standard input, which a process
    // at the end of a pipe may have to (a git hook that stops reading early breaks the pipe of
    // the program writing to it). Stopping early is a change of behaviour, not of memory.
    if (reducer->short_circuits &&
        context.semantic().qualifiedName(candidate.scope, childByField(clause, Field::Right)) ==
            "sys.stdin") {
      return;
    }
    // `all([check_row(row) for row in rows])`, `any([send(a) for a in fh])`: each item is an
    // action (it logs, sends, writes) that must run for every item, which a generator would stop
    // at the first that decides.
    if (reducer->short_circuits && elementActs(context, candidate.scope, comprehension)) return;
    // `sum([size for size in sizes if size is not None])`: a filtered subset of a list already in
    // memory holds at most a pointer to each item there, not new items. (A bare copy, `sum([x
    // for x in xs])`, has no reason to be a list at all, and stays reported.)
    if (size.in_memory && keepsTheWalkedItems(context, comprehension) &&
        !ts_node_is_null(firstChildOfKind(comprehension, NodeKind::IfClause))) {
      return;
    }
    if (!ts_node_is_null(bound_name)) {
      // A list the code chose to name is often a handful of items made readable (the files of a
      // folder, the checkpoints of a run, a parameter's few items): only a count the code writes
      // is evidence, even in preview. And `ok = [step(x) for x in xs]; all(ok)` runs every step
      // on purpose before deciding, which a generator would stop at the first failure.
      if (!size.written_in_code || reducer->short_circuits) return;
      if (!mentionedOnlyThere(context, context.semantic().scope(candidate.scope).node,
                              binding->name)) {
        return;
      }
      reportBoundList(context, callee(context, function, *reducer), bound_name, comprehension, size,
                      candidate.call);
      return;
    }

    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(shape.iterable);
    diagnostic.end = ts_node_end_byte(shape.iterable);
    const std::string_view what = is_set ? "set" : "list";
    diagnostic.message = callee(context, function, *reducer) + " is given a " + std::string(what) +
                         " comprehension over " + size.reason + ": the whole " + std::string(what) +
                         " is built in memory only to be consumed once";

    const TSNode open = nthChild(shape.iterable, 0);
    const TSNode close = nthChild(shape.iterable, childCount(shape.iterable) - 1);
    const bool sole_argument = shape.positional == 1 && shape.keywords == 0;
    // Inside an f-string's `{...=}` the fix would change the text printed: no fix there.
    if (inSelfDocumentingField(candidate.call)) {
      context.report(std::move(diagnostic));
      return;
    }
    Fix fix;
    fix.applicability =
        reducer->short_circuits || is_set ||
                (!sole_argument && subtreeContains(shape.iterable, NodeKind::Call) &&
                 !otherArgumentsAreInert(context, candidate.call, shape.iterable))
            ? Applicability::Unsafe
            : Applicability::Safe;
    if (sole_argument) {
      diagnostic.fix_title = "Pass a generator expression: remove the brackets";
      fix.edits.push_back(Edit{ts_node_start_byte(open), ts_node_end_byte(open), ""});
      fix.edits.push_back(Edit{ts_node_start_byte(close), ts_node_end_byte(close), ""});
      // `sum(x for x in y,)` is a syntax error: the trailing comma goes too.
      if (!ts_node_is_null(shape.trailing_comma)) {
        fix.edits.push_back(Edit{ts_node_start_byte(shape.trailing_comma),
                                 ts_node_end_byte(shape.trailing_comma), ""});
      }
    } else {
      diagnostic.fix_title = "Pass a generator expression: replace the brackets with parentheses";
      fix.edits.push_back(Edit{ts_node_start_byte(open), ts_node_end_byte(open), "("});
      fix.edits.push_back(Edit{ts_node_start_byte(close), ts_node_end_byte(close), ")"});
    }
    diagnostic.fix = std::move(fix);
    context.report(std::move(diagnostic));
  }

  // Whether `node` is inside the `{expression=}` of an f-string, which prints the expression's
  // text.
  static bool inSelfDocumentingField(TSNode node) {
    for (TSNode up = ts_node_parent(node); !ts_node_is_null(up); up = ts_node_parent(up)) {
      if (kindOf(up) != NodeKind::Interpolation) continue;
      for (uint32_t i = 0, count = ts_node_child_count(up); i < count; ++i) {
        const TSNode child = ts_node_child(up, i);
        if (!ts_node_is_named(child) && std::string_view(ts_node_type(child)) == "=") return true;
      }
    }
    return false;
  }

  // Whether every argument but the list is a name or a constant (`sum([...], 0)`,
  // `max([...], default=None)`). A generator interleaves the items with what the other arguments
  // run (`start()` is evaluated before the first item, `key=` is called between items): with
  // items that call something, that order shows.
  static bool otherArgumentsAreInert(const RuleContext& context, TSNode call, TSNode iterable) {
    const TSNode arguments = childByField(call, Field::Arguments);
    for (uint32_t i = 0, count = namedChildCount(arguments); i < count; ++i) {
      TSNode argument = nthNamedChild(arguments, i);
      if (sameNode(argument, iterable) || kindOf(argument) == NodeKind::Comment) continue;
      if (kindOf(argument) == NodeKind::KeywordArgument) {
        if (context.text(childByField(argument, Field::Name)) == "key") return false;
        argument = childByField(argument, Field::Value);
      }
      if (!isInertExpression(argument)) return false;
    }
    return true;
  }

  // The reducer as the code calls it, and what an alias stands for: "`sum()`", "`total()`
  // (`builtins.sum`)".
  static std::string callee(const RuleContext& context, TSNode function, const Reducer& reducer) {
    std::string callee = quoted(context.text(function), "()");
    const std::string_view reducer_name =
        reducer.qualified_name.substr(reducer.qualified_name.rfind('.') + 1);
    if (!callee.ends_with(std::string(reducer_name) + "()`")) {
      callee.append(" (").append(quoted(reducer.qualified_name)).append(")");
    }
    return callee;
  }

  // Whether the statement right after the one that binds the list (comments aside) holds the
  // call: nothing runs in between, and no `with` block closes what the generator would read.
  static bool usedByTheNextStatement(TSNode comprehension, TSNode call) {
    const TSNode statement = parentOf(parentOf(comprehension));
    TSNode next = ts_node_next_named_sibling(statement);
    while (kindOf(next) == NodeKind::Comment)
      next = ts_node_next_named_sibling(next);
    return !ts_node_is_null(next) && ts_node_start_byte(next) <= ts_node_start_byte(call) &&
           ts_node_end_byte(call) <= ts_node_end_byte(next);
  }

  // `squares = [x * x for x in range(10**6)]` ... `sum(squares)`: reported at the comprehension,
  // which is what changes. The generator then runs when the reducer walks it, not where it is
  // written: the fix is offered only when the reducer's call is in the very next statement, and is
  // unsafe even then (the next statement may run other code first).
  static void reportBoundList(RuleContext& context, const std::string& callee, TSNode name,
                              TSNode comprehension, const SizeEvidence& size, TSNode call) {
    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(comprehension);
    diagnostic.end = ts_node_end_byte(comprehension);
    diagnostic.message = quoted(context.text(name)) + " is a list comprehension over " +
                         size.reason + " that is only given to " + callee +
                         ": the whole list is built in memory only to be consumed once";
    if (!usedByTheNextStatement(comprehension, call)) {
      diagnostic.fix_title = "Pass a generator expression to " + callee + " instead";
      context.report(std::move(diagnostic));
      return;
    }
    diagnostic.fix_title = "Make it a generator expression: replace the brackets with parentheses";
    const TSNode open = nthChild(comprehension, 0);
    const TSNode close = nthChild(comprehension, childCount(comprehension) - 1);
    Fix fix;
    fix.applicability = Applicability::Unsafe;
    fix.edits.push_back(Edit{ts_node_start_byte(open), ts_node_end_byte(open), "("});
    fix.edits.push_back(Edit{ts_node_start_byte(close), ts_node_end_byte(close), ")"});
    diagnostic.fix = std::move(fix);
    context.report(std::move(diagnostic));
  }

  std::vector<Candidate> candidates_;
  std::unordered_map<uint32_t, Mentions> mentions_;  // by the function's start
};

constexpr std::array kSubscriptions = {NodeKind::Call};

// Before parsing: a reducer called by its name on a comprehension (`sum([`, `math.fsum([`), or
// imported under another name (`from math import fsum as total`) and some call given one. The
// callee resolves only through its name and imports (SemanticModel::qualifiedName), never
// through an assignment.
bool isReducerName(std::string_view name) {
  return std::any_of(kReducers.begin(), kReducers.end(), [&](const Reducer& reducer) {
    const std::string_view qualified = reducer.qualified_name;
    return qualified.substr(qualified.rfind('.') + 1) == name;
  });
}

// The first bytes of what a call may be given: a comprehension, or a name (bound to one). Bytes
// from 0x80 start the names written in other scripts.
constexpr std::string_view kComprehensionOrName =
    "[{_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f"
    "\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f"
    "\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab\xac\xad\xae\xaf"
    "\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf"
    "\xc0\xc1\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf"
    "\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf"
    "\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed\xee\xef"
    "\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff";

// Whether the code assigns something that starts with `[` (`squares = [`): a name the reducer is
// given may be bound to a list comprehension only so.
bool assignsAList(std::string_view code) {
  for (size_t at = code.find('='); at != std::string_view::npos; at = code.find('=', at + 1)) {
    const char before = at > 0 ? code[at - 1] : ' ';
    if (before == '=' || before == '!' || before == '<' || before == '>') continue;
    size_t next = at + 1;
    while (next < code.size() && (code[next] == ' ' || code[next] == '\t' || code[next] == '\f' ||
                                  code[next] == '\\' || code[next] == '\n' || code[next] == '\r')) {
      ++next;
    }
    if (next < code.size() && code[next] == '[') return true;
  }
  return false;
}

bool mayFind(const CodeText& text) {
  constexpr std::string_view kComprehension = "[{";
  if (text.codeHasCallWhere(kComprehension, isReducerName) ||
      (text.codeHasWordBefore("as", isReducerName) &&
       text.codeHasCallWithArgumentStarting(kComprehension))) {
    return true;
  }
  // A named list counts only over a `range` the code writes.
  return text.codeHasWord("range") && assignsAList(text.code()) &&
         (text.codeHasCallWhere(kComprehensionOrName, isReducerName) ||
          (text.codeHasWordBefore("as", isReducerName) &&
           text.codeHasCallWithArgumentStarting(kComprehensionOrName)));
}

}  // namespace

extern const RuleDefinition kListComprehensionInReducer{
    .code = "MEM101",
    .name = "list-comprehension-in-reducer",
    .summary = "List comprehension consumed once by sum/any/all/min/max/fsum/prod",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Sometimes,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<ListComprehensionInReducer>();
    },
    .ruff_code = "C419",
    .may_find = mayFind,
};

}  // namespace heaplint
