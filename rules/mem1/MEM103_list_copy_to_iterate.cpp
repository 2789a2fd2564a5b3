// MEM103 list-copy-to-iterate: `for x in list(map(f, rows)):` copies a lazy iterator into a list
// only to walk it once.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/code_text.h"
#include "analyzer/size_evidence.h"
#include "analyzer/walker.h"
#include "rules/common.h"
#include "rules/small_arguments_doc.h"

namespace heaplint {
namespace {

constexpr auto kDocumentationText = joinLiterals(R"md(## What it does
Checks for `list(...)` of an iterator written inline, as the iterable of a `for` statement or of a
comprehension's `for` clause: `for x in list(<iterator>)`, where the iterator is a generator
expression or a call of the builtin `map`, `filter`, `zip`, `range`, `enumerate` or `reversed`, or
of a function of `itertools`, and the loop does not touch what the iterator reads.

The iterator must walk data: following names bound once and through `map()`, `filter()`,
`zip()`, `enumerate()` and the like, the lines of a file (`open()`, `sys.stdin`) or the rows of
`csv.reader()`, a `range` of 100,000 items or more that the code writes (`list(range(10**6))`),
or, making new items from each (`map(tuple, rows)`), what is already a list in
memory: `cursor.fetchall()`, a directory's entries, JSON or pickle loaded, regular-expression
matches. The message names that evidence. With `--preview` it also reports iterators over what
nothing sizes (a function's parameter, an attribute, a function's result).

## Why is this bad?
The iterator already yields one item at a time; `list()` first runs it to the end and keeps every
item in a new list (8 bytes a reference, plus the items, which could otherwise be freed as soon
as the loop is done with them), only for the loop to walk the list once. Without the copy, memory
no longer grows with the number of items, and a loop that stops early computes no more.

## Known problems
How many items the iterator yields decides whether the copy matters. Over inputs that nothing
sizes, blind review judged none of 11 findings real (4 on the development corpus, 7 on unseen
code): they copied a handful of items (the pairs of a triangle, the rules of one security group,
the keys of one dict display). Those are reported only with `--preview`, and a handful by
construction (`zip` of two literals, `range(3)`) or configuration (`sys.argv`, `args.paths`) not
even then. Items that are already a whole list in memory (`filter(ok, os.listdir(path))`,
`(n for n in f.readlines() if n)`) are reported only with `--preview` too: the copy costs a
pointer an item, not the items. With the data evidence the rule made no finding on the
development corpus or on the 14 check sets of unseen code; its fixtures hold what it reports.

)md",
                                                 kSmallArgumentsDoc, R"md(

The copy is the right thing, and is not reported, when the loop changes what the iterator reads:
`for k in list(filter(p, d)): del d[k]` would otherwise raise `RuntimeError`. The rule stays quiet
when any name the iterator reads (`d` here, or `self` in `zip(self.a, self.b)`) is, in the loop,
assigned or deleted (itself or an item or attribute of it), the object of a method call, or passed
to a call; or when the iterator reads standard input and the loop does too (`input()`,
`sys.stdin.readline()`), or runs a command (`subprocess.run`, `call`, `check_call`,
`check_output`, `Popen`, `getoutput` or `getstatusoutput`, `os.system` or `os.popen`) with no
`stdin=` or `input=` of its own, which inherits standard input: the copy reads it to the end
before the loop asks; or when the loop writes to the file the iterator reads, through another
handle opened on the same path or through `Path(path).write_text(...)` (`write_bytes`) of that
path, or creates, renames or removes files while the iterator lists a folder (`os.scandir`,
`Path.iterdir`, `glob`, `os.walk`), or runs a command given the loop's entry there
(one of those commands with a name of the loop's target among its arguments:
`subprocess.run(["convert", str(entry), ...])`): the copy keeps the loop from reading its own
writes. (Logging in the loop is no such write, even when the module logs to the file read: the
rule does not tell one path variable from another.) It also stays quiet when the loop calls, by name, a function defined in the same file
that changes in place the very variable the iterator reads (`PENDING[:] = [...]`, `del
PENDING[0]`, `PENDING += ...`, or a method that changes a list, dict or set in place:
`append`, `extend`, `insert`, `remove`, `pop`, `clear`, `sort`, `reverse`, `update`, `popitem`,
`setdefault`, `add`, `discard`, `difference_update`, `intersection_update`): a module-level list, or the enclosing
function's list changed by a nested function. Other mutations made out of sight (through an
attribute, another module, or a function two calls away) are not seen. A copy that starts every
job before the loop waits on the first (`list(map(lambda u: pool.submit(fetch, u), fh))`) is
judged like any other: the rule does not tell a pool's `submit` from a browser's. `list(d)`, `list(d.keys())`, `list(d.items())` and `list(rows)` are never
reported: copying a container before a loop that may change it is the documented remedy for
"dictionary changed size during iteration", and the rule cannot always see the change.
Test files are skipped.

## Example
```python
def report(path):
    with open(path) as log:
        for size in list(map(len, log)):
            print(size)
```

## Use instead
```python
def report(path):
    with open(path) as log:
        for size in map(len, log):
            print(size)
```

## Fix safety
The fix removes the `list(...)` call. It is unsafe: the iterator then runs interleaved with the
loop body, so the iterator's own code (the function given to `map` or `filter`, the generator's
expressions) runs later than before, an exception it raises surfaces after part of the loop has
run, and a change to its input made out of the rule's sight would now be seen by it: a file the
body closes, rewinds or writes is read by the iterator afterwards. Items tied to the iterator's
state change too: the groups of an `itertools.groupby` walked inside the generator are empty
once `list()` has moved past them, and hold their items when each is read in its turn.

## Options
None.

## References
- [Python docs: iterators](https://docs.python.org/3/glossary.html#term-iterator)
- Ruff PERF101 (unnecessary-list-cast) covers `list()` of a literal; this rule covers inline
  iterators.
)md");
constexpr std::string_view kDocumentation(kDocumentationText.data(), kDocumentationText.size() - 1);

constexpr auto kLazyBuiltins = std::to_array<std::string_view>({
    "builtins.map",
    "builtins.filter",
    "builtins.zip",
    "builtins.range",
    "builtins.enumerate",
    "builtins.reversed",
});

// The one argument of `list(...)`: a generator expression (which is then the argument list) or a
// call; null otherwise.
TSNode copiedIterator(TSNode list_call) {
  const TSNode arguments = childByField(list_call, Field::Arguments);
  if (kindOf(arguments) == NodeKind::GeneratorExpression) return arguments;
  if (kindOf(arguments) != NodeKind::ArgumentList) return TSNode{};
  const TSNode argument = onlyNamedChildSkippingExtras(arguments);
  return kindOf(argument) == NodeKind::Call ? argument : TSNode{};
}

// Whether the identifier `name` (a use in the loop) may change what it names: walking up the
// attribute and subscript chain it heads, the chain is assigned, deleted, augmented, passed to a
// call, or has a method called on it.
bool mayMutate(TSNode name) {
  TSNode chain = name;
  bool has_attribute = false;
  // Bounded by the tree's depth, one step a level, no recursion.
  while (true) {
    const TSNode parent = parentOf(chain);
    const NodeKind kind = kindOf(parent);
    if ((kind == NodeKind::Attribute || kind == NodeKind::Subscript) &&
        ts_node_eq(nthNamedChild(parent, 0), chain)) {
      has_attribute = has_attribute || kind == NodeKind::Attribute;
      chain = parent;
      continue;
    }
    switch (kind) {
      case NodeKind::Call:
        // `rows.append(x)`: a method; `f(x)` of a plain name reads `f` only.
        return has_attribute && ts_node_eq(childByField(parent, Field::Function), chain);
      case NodeKind::ArgumentList:
      case NodeKind::KeywordArgument:
      case NodeKind::DeleteStatement:
      case NodeKind::AugmentedAssignment:
        return true;
      case NodeKind::PatternList:
      case NodeKind::TuplePattern:
      case NodeKind::ListPattern:
        // Targets; a comprehension's own targets are local to it and cannot rebind what the
        // copied iterator, evaluated outside, reads.
        return kindOf(parentOf(parent)) != NodeKind::ForInClause;
      case NodeKind::Assignment:
      case NodeKind::ForStatement:
        return ts_node_eq(childByField(parent, Field::Left), chain);
      case NodeKind::NamedExpression:
        return ts_node_eq(childByField(parent, Field::Name), chain);
      default:
        return false;
    }
  }
}

class ListCopyToIterate final : public RuleChecker {
 public:
  void onNode(TSNode call, NodeKind /*kind*/, RuleContext& context) override {
    if (context.depth() < 3 || context.frame(0).field != Field::Right) return;
    const NodeKind loop = context.frame(1).kind;
    if (loop != NodeKind::ForStatement && loop != NodeKind::ForInClause) return;
    if (kindOf(childByField(call, Field::Function)) != NodeKind::Identifier) return;
    if (ts_node_is_null(copiedIterator(call))) return;
    // The loop body, or for a comprehension the whole comprehension.
    const TSNode body = loop == NodeKind::ForStatement
                            ? childByField(context.frame(1).node, Field::Body)
                            : context.frame(2).node;
    const TSNode target = childByField(context.frame(1).node, Field::Left);
    candidates_.push_back(Candidate{call, body, target, context.scope()});
  }

  void finish(RuleContext& context) override {
    for (const Candidate& candidate : candidates_)
      check(candidate, context);
    definitions_indexed_ = false;
    definition_scopes_.clear();
    changed_by_definition_.clear();
  }

 private:
  struct Candidate {
    TSNode call;  // list(...)
    TSNode body;
    TSNode target;  // the loop's target: `entry` of `for entry in list(...)`
    ScopeId scope;
  };

  void check(const Candidate& candidate, RuleContext& context) {
    const SemanticModel& semantic = context.semantic();
    if (!semantic.resolvesTo(candidate.scope, childByField(candidate.call, Field::Function),
                             "builtins.list")) {
      return;
    }
    const TSNode iterator = copiedIterator(candidate.call);
    std::string what = "a generator expression";
    bool evaluated_at_once = false;  // range(...): its arguments are read once, up front
    if (kindOf(iterator) == NodeKind::Call) {
      const std::string callee =
          semantic.qualifiedName(candidate.scope, childByField(iterator, Field::Function));
      bool lazy = callee.starts_with("itertools.");
      for (std::string_view builtin : kLazyBuiltins) {
        lazy = lazy || callee == builtin;
      }
      if (!lazy) return;
      what = "`" + callee.substr(callee.starts_with("builtins.") ? 9 : 0) + "()`";
      evaluated_at_once = callee == "builtins.range";
    }
    if (!evaluated_at_once &&
        loopTouchesSources(context, candidate.scope, candidate.call, candidate.body))
      return;
    if (loopWritesWhatItReads(context, candidate)) return;
    // The copy matters only when the iterator yields many items. By default that takes evidence
    // of data (lines of a file, rows of a query), not already a list in memory; preview also
    // takes what nothing sizes.
    const SizeEvidence size = iterableSize(context, candidate.scope, iterator);
    if (size.size == Size::Small || size.size == Size::Configuration) return;
    const bool data = size.size == Size::Data && !size.from_parameter && !size.in_memory;
    if (!data && !context.options().settings->preview) return;
    // Checked only once the copy would be reported: it looks into the functions the loop calls.
    if (calledFunctionChangesSources(context, candidate)) return;

    Diagnostic diagnostic;
    diagnostic.start = ts_node_start_byte(candidate.call);
    diagnostic.end = ts_node_end_byte(candidate.call);
    if (data) what += " (over " + size.reason + ")";
    diagnostic.message = "`list()` copies every item of " + what +
                         " into a new list only for the loop to walk it once; the iterator "
                         "already yields them one at a time";
    diagnostic.fix_title = "Iterate the iterator itself: remove `list(...)`";
    if (!subtreeContainsWrittenComment(candidate.call)) {
      Fix fix;
      fix.applicability = Applicability::Unsafe;
      fix.edits.push_back(Edit{static_cast<uint32_t>(ts_node_start_byte(candidate.call)),
                               static_cast<uint32_t>(ts_node_end_byte(candidate.call)),
                               std::string(context.text(iterator))});
      diagnostic.fix = std::move(fix);
    }
    context.report(std::move(diagnostic));
  }

  // Whether the loop may change something the iterator reads: any name used in the iterator that
  // the loop uses in a way that may mutate it (mayMutate).
  static bool loopTouchesSources(const RuleContext& context, ScopeId scope, TSNode copy,
                                 TSNode body) {
    const TSNode iterator = copiedIterator(copy);
    const TSFieldId attribute_field = Syntax::instance().fieldId(Field::AttributeName);
    bool touched = false;
    visitSubtree(body, [&](TSNode node, TSFieldId /*field*/) {
      if (ts_node_eq(node, copy)) return Visit::SkipChildren;  // the iterator itself
      if (kindOf(node) != NodeKind::Identifier || !mayMutate(node)) return Visit::Descend;
      const std::string_view name = context.text(node);
      bool read_by_iterator = false;
      visitSubtree(iterator, [&](TSNode source, TSFieldId field) {
        // `row.name` does not read a variable `name`.
        if (kindOf(source) == NodeKind::Identifier && field != attribute_field &&
            context.text(source) == name) {
          read_by_iterator = true;
          return Visit::Stop;
        }
        return Visit::Descend;
      });
      touched = read_by_iterator;
      return touched ? Visit::Stop : Visit::Descend;
    });
    return touched || readsTheSameStream(context, scope, iterator, body);
  }

  // Whether the loop writes to the file or the folder the iterator reads: appends to the file
  // through another handle opened on the same path (`with open(p) as src, open(p, "a") as
  // dst:`), or creates, renames or removes files while the iterator lists a folder
  // (`os.scandir`, `Path.iterdir`, `glob`, `os.walk`). The copy freezes what is read: without
  // it the loop would read its own writes, or see the entries it makes.
  static bool loopWritesWhatItReads(const RuleContext& context, const Candidate& candidate) {
    const TSNode iterator = copiedIterator(candidate.call);
    // A folder listed (`os.scandir`, `os.walk`, `glob.glob`, `p.iterdir()`, `p.glob()`), and the
    // paths of the files read through names bound to `open(path)`.
    bool lists_a_folder = false;
    std::vector<std::string_view> read_paths;
    visitSubtree(iterator, [&](TSNode node, TSFieldId /*field*/) {
      if (kindOf(node) == NodeKind::Call) {
        const TSNode callee = childByField(node, Field::Function);
        const std::string name = context.semantic().qualifiedName(candidate.scope, callee);
        const std::string_view method =
            kindOf(callee) == NodeKind::Attribute
                ? context.text(childByField(callee, Field::AttributeName))
                : std::string_view();
        lists_a_folder = lists_a_folder || name == "os.scandir" || name == "os.walk" ||
                         name == "os.listdir" || name == "glob.glob" || name == "glob.iglob" ||
                         (name.empty() && (method == "iterdir" || method == "glob" ||
                                           method == "rglob" || method == "scandir"));
      } else if (kindOf(node) == NodeKind::Identifier) {
        const std::string_view path = openedPath(context, candidate.scope, node);
        if (!path.empty()) read_paths.push_back(path);
      }
      return Visit::Descend;
    });
    if (!lists_a_folder && read_paths.empty()) return false;
    bool writes = false;
    visitSubtree(candidate.body, [&](TSNode node, TSFieldId /*field*/) {
      if (kindOf(node) != NodeKind::Call) return Visit::Descend;
      const TSNode callee = childByField(node, Field::Function);
      const bool method = kindOf(callee) == NodeKind::Attribute;
      const std::string_view name =
          method ? context.text(childByField(callee, Field::AttributeName)) : context.text(callee);
      if (name == "write" || name == "writelines") {
        // `dst.write(...)` on a handle opened on a path the iterator reads.
        const TSNode handle = childByField(callee, Field::Object);
        const std::string_view path = kindOf(handle) == NodeKind::Identifier
                                          ? openedPath(context, candidate.scope, handle)
                                          : std::string_view();
        writes = !path.empty() &&
                 std::find(read_paths.begin(), read_paths.end(), path) != read_paths.end();
      } else if (method && (name == "write_text" || name == "write_bytes") &&
                 writesThroughPath(context, candidate.scope, childByField(callee, Field::Object),
                                   read_paths)) {
        writes = true;
      } else if (lists_a_folder) {
        writes = changesTheFileSystem(context, candidate.scope, node, name, method) ||
                 runsCommandOnEntry(context, candidate, node);
      }
      return writes ? Visit::Stop : Visit::Descend;
    });
    return writes;
  }

  // A call that creates, renames or removes a file or folder: `open(path, "w")` (a writing
  // mode), the `os` and `shutil` functions that do, and the `pathlib` methods whose names no
  // `str` method shares (`p.rename(q)`, `p.unlink()`, `p.write_text(...)`, `p.replace(q)` with
  // one argument, where `str.replace` takes two).
  static bool changesTheFileSystem(const RuleContext& context, ScopeId scope, TSNode call,
                                   std::string_view name, bool method) {
    const TSNode arguments = childByField(call, Field::Arguments);
    // `open(path, "w")` (also `gzip.open` and the like), and `p.open("w")` of a path: a mode
    // written as a string of mode letters, with one that writes.
    const std::string opener =
        qualifiedNameWithStarBuiltins(context, scope, childByField(call, Field::Function));
    const bool opens_by_path = opener == "builtins.open" || opener == "io.open" ||
                               opener == "gzip.open" || opener == "bz2.open" ||
                               opener == "lzma.open" || opener == "codecs.open";
    if (opens_by_path || (method && name == "open" && opener.empty())) {
      TSNode mode = keywordArgumentValue(context, arguments, "mode");
      if (ts_node_is_null(mode))
        mode = nthNamedChildSkippingExtras(arguments, opens_by_path ? 1 : 0);
      return kindOf(mode) == NodeKind::String && writingMode(context.text(mode));
    }
    const std::string qualified =
        context.semantic().qualifiedName(scope, childByField(call, Field::Function));
    for (const std::string_view changes :
         {"os.rename", "os.renames", "os.replace", "os.remove", "os.unlink", "os.rmdir",
          "os.removedirs", "os.mkdir", "os.makedirs", "os.symlink", "os.link", "shutil.copy",
          "shutil.copy2", "shutil.copyfile", "shutil.copytree", "shutil.move", "shutil.rmtree",
          "shutil.make_archive", "shutil.unpack_archive"}) {
      if (qualified == changes) return true;
    }
    if (!method) return false;
    for (const std::string_view changes :
         {"rename", "unlink", "rmdir", "mkdir", "touch", "write_text", "write_bytes", "symlink_to",
          "hardlink_to"}) {
      if (name == changes) return true;
    }
    // `p.replace(q)` (`str.replace` takes two); `image.save(path)` with a path written there (a
    // string, or made with `+`, an f-string, `os.path.join` or `with_suffix`), not
    // `record.save(db)`.
    const TSNode first = unparenthesized(nthNamedChildSkippingExtras(arguments, 0));
    const NodeKind written = kindOf(first);
    const std::string_view made = context.text(childByField(first, Field::Function));
    return (name == "replace" && hasNamedChildrenSkippingExtras(arguments, 1)) ||
           (name == "save" &&
            (written == NodeKind::String || written == NodeKind::ConcatenatedString ||
             written == NodeKind::BinaryOperator ||
             (written == NodeKind::Call &&
              (made.ends_with("join") || made.ends_with("with_suffix") ||
               made.ends_with("with_name") || made.ends_with("with_stem")))));
  }

  // `Path(path)` (`pathlib.Path`) of a path the iterator's file was opened on: the object of
  // `Path(path).write_text(...)`.
  static bool writesThroughPath(const RuleContext& context, ScopeId scope, TSNode made,
                                const std::vector<std::string_view>& read_paths) {
    if (kindOf(made) != NodeKind::Call ||
        !context.semantic().resolvesTo(scope, childByField(made, Field::Function),
                                       "pathlib.Path")) {
      return false;
    }
    const TSNode arguments = childByField(made, Field::Arguments);
    if (!hasNamedChildrenSkippingExtras(arguments, 1)) return false;
    const std::string_view path = context.text(firstNamedChildSkippingExtras(arguments));
    return std::find(read_paths.begin(), read_paths.end(), path) != read_paths.end();
  }

  // `"w"`, `"ab"`, `'x'`, `"r+"`: a mode string (letters of a mode only) that writes.
  static bool writingMode(std::string_view literal) {
    const size_t open = literal.find_first_of("'\"");
    if (open == std::string_view::npos || literal.size() < open + 2) return false;
    const std::string_view mode = literal.substr(open + 1, literal.size() - open - 2);
    return !mode.empty() && mode.size() <= 4 &&
           mode.find_first_not_of("rwxabt+") == std::string_view::npos &&
           mode.find_first_of("wax+") != std::string_view::npos;
  }

  // The path written in `open(path, ...)` (or `io.open`) that `name` is bound to, by its only
  // binding: `name = open(path)` or `with open(path) as name:`; empty otherwise.
  static std::string_view openedPath(const RuleContext& context, ScopeId scope, TSNode name) {
    const Resolution resolution =
        context.semantic().resolve(scope, context.text(name), ts_node_start_byte(name));
    if (resolution.kind != Resolution::Kind::Bound || resolution.binding->prelude ||
        context.semantic().bindingsIn(resolution.binding->scope, resolution.binding->name).size() !=
            1) {
      return {};
    }
    TSNode value{};
    const TSNode bound = resolution.binding->node;
    if (resolution.binding->kind == BindingKind::Assignment) {
      const TSNode assignment = parentOf(bound);
      if (kindOf(assignment) == NodeKind::Assignment)
        value = childByField(assignment, Field::Right);
    } else if (resolution.binding->kind == BindingKind::WithTarget) {
      // `with open(path) as name`: the target's `as_pattern` holds the value first.
      TSNode pattern = parentOf(bound);
      while (!ts_node_is_null(pattern) && kindOf(pattern) != NodeKind::AsPattern &&
             kindOf(pattern) != NodeKind::WithItem) {
        pattern = parentOf(pattern);
      }
      value = firstNamedChildSkippingExtras(pattern);
    }
    if (kindOf(value) != NodeKind::Call) return {};
    const std::string callee =
        qualifiedNameWithStarBuiltins(context, scope, childByField(value, Field::Function));
    if (callee != "builtins.open" && callee != "io.open") return {};
    return context.text(firstNamedChildSkippingExtras(childByField(value, Field::Arguments)));
  }

  // Whether `text` names `stdin` as a word (`sys.stdin.readline`, not `stdin_args`).
  static bool namesStandardInput(std::string_view text) {
    const auto isNamePart = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    };
    for (size_t at = text.find("stdin"); at != std::string_view::npos;
         at = text.find("stdin", at + 1)) {
      const size_t end = at + 5;
      if ((at == 0 || !isNamePart(text[at - 1])) &&
          (end == text.size() || !isNamePart(text[end]))) {
        return true;
      }
    }
    return false;
  }

  // `for name in list(map(str.strip, sys.stdin)):` with `input()` in the loop: standard input is
  // read to the end before the loop asks its questions, or the questions would eat the lines.
  // So too a command run in the loop (`subprocess.run(...)`, `os.system(...)`) with no `stdin=`
  // or `input=` of its own: it inherits standard input and may read it.
  static bool readsTheSameStream(const RuleContext& context, ScopeId scope, TSNode iterator,
                                 TSNode body) {
    if (!namesStandardInput(context.text(iterator))) return false;
    bool reads = false;
    visitSubtree(body, [&](TSNode node, TSFieldId /*field*/) {
      if (kindOf(node) == NodeKind::Call) {
        const TSNode callee = childByField(node, Field::Function);
        const TSNode arguments = childByField(node, Field::Arguments);
        reads = (kindOf(callee) == NodeKind::Identifier && context.text(callee) == "input") ||
                namesStandardInput(context.text(callee)) ||
                (runsCommand(context, scope, node) &&
                 ts_node_is_null(keywordArgumentValue(context, arguments, "stdin")) &&
                 ts_node_is_null(keywordArgumentValue(context, arguments, "input")));
      }
      return reads ? Visit::Stop : Visit::Descend;
    });
    return reads;
  }

  // The definition of the function a plain name calls, when the name is bound once, in this
  // file, by a `def`: `_mark_done` of `_mark_done(job_id)`; null otherwise.
  static TSNode definedFunction(const RuleContext& context, ScopeId scope, TSNode callee) {
    if (kindOf(callee) != NodeKind::Identifier) return TSNode{};
    const SemanticModel& semantic = context.semantic();
    const Resolution resolution =
        semantic.resolve(scope, context.text(callee), ts_node_start_byte(callee));
    if (resolution.kind != Resolution::Kind::Bound || resolution.binding->prelude ||
        resolution.binding->kind != BindingKind::FunctionDefinition ||
        semantic.bindingsIn(resolution.binding->scope, resolution.binding->name).size() != 1) {
      return TSNode{};
    }
    const TSNode definition = resolution.binding->node;  // a definition's binding holds the `def`
    return kindOf(definition) == NodeKind::FunctionDefinition ? definition : TSNode{};
  }

  // The scope a `def` opens (the function scopes are indexed once per file, by start byte: the
  // module's scope may start at the same byte as a `def` that opens the file).
  ScopeId scopeOfDefinition(const SemanticModel& semantic, TSNode definition) {
    if (!definitions_indexed_) {
      definitions_indexed_ = true;
      for (ScopeId id = 0; id < semantic.scopeCount(); ++id) {
        const TSNode node = semantic.scope(id).node;
        if (kindOf(node) == NodeKind::FunctionDefinition)
          definition_scopes_.emplace(ts_node_start_byte(node), id);
      }
    }
    const auto found = definition_scopes_.find(ts_node_start_byte(definition));
    if (found == definition_scopes_.end() ||
        !ts_node_eq(semantic.scope(found->second).node, definition)) {
      return kNoScope;
    }
    return found->second;
  }

  // The bindings a function defined in this file changes in place (changesInPlace), each
  // resolved in the function's scope; found once per definition.
  const std::vector<const Binding*>& changedInPlaceBy(const RuleContext& context,
                                                      TSNode definition) {
    const uint32_t key = ts_node_start_byte(definition);
    const auto found = changed_by_definition_.find(key);
    if (found != changed_by_definition_.end()) return found->second;
    std::vector<const Binding*> changed;
    const SemanticModel& semantic = context.semantic();
    const ScopeId inner = scopeOfDefinition(semantic, definition);
    if (inner != kNoScope) {
      const TSFieldId attribute_field = Syntax::instance().fieldId(Field::AttributeName);
      visitSubtree(childByField(definition, Field::Body), [&](TSNode use, TSFieldId field) {
        if (kindOf(use) != NodeKind::Identifier || field == attribute_field ||
            !changesInPlace(context, use)) {
          return Visit::Descend;
        }
        const Resolution resolution =
            semantic.resolve(inner, context.text(use), ts_node_start_byte(use));
        if (resolution.kind == Resolution::Kind::Bound) changed.push_back(resolution.binding);
        return Visit::Descend;
      });
    }
    return changed_by_definition_.emplace(key, std::move(changed)).first->second;
  }

  // Whether the identifier `name` heads a change made in place: an item or slice of it assigned,
  // augmented or deleted (`name[:] = ...`, `del name[0]`), `name += ...`, or a method that
  // changes a list, dict or set in place called on it (`name.remove(x)`).
  static bool changesInPlace(const RuleContext& context, TSNode name) {
    const TSNode parent = parentOf(name);
    const NodeKind kind = kindOf(parent);
    if (kind == NodeKind::AugmentedAssignment)
      return ts_node_eq(childByField(parent, Field::Left), name);
    if (!ts_node_eq(nthNamedChild(parent, 0), name)) return false;
    const TSNode above = parentOf(parent);
    if (kind == NodeKind::Subscript) {
      const NodeKind changed = kindOf(above);
      return ((changed == NodeKind::Assignment || changed == NodeKind::AugmentedAssignment) &&
              ts_node_eq(childByField(above, Field::Left), parent)) ||
             changed == NodeKind::DeleteStatement;
    }
    if (kind != NodeKind::Attribute || kindOf(above) != NodeKind::Call ||
        !ts_node_eq(childByField(above, Field::Function), parent)) {
      return false;
    }
    const std::string_view method = context.text(childByField(parent, Field::AttributeName));
    for (const std::string_view changes :
         {"append", "extend", "insert", "remove", "pop", "clear", "sort", "reverse", "update",
          "popitem", "setdefault", "add", "discard", "difference_update", "intersection_update"}) {
      if (method == changes) return true;
    }
    return false;
  }

  // Whether the loop calls, by name, a function defined in this file that changes in place
  // (changesInPlace) the very variable the iterator reads: a module-level list a helper shrinks
  // (`PENDING[:] = [...]`), or the enclosing function's list a nested function does.
  bool calledFunctionChangesSources(const RuleContext& context, const Candidate& candidate) {
    const SemanticModel& semantic = context.semantic();
    const TSFieldId attribute_field = Syntax::instance().fieldId(Field::AttributeName);
    std::vector<const Binding*> sources;
    visitSubtree(copiedIterator(candidate.call), [&](TSNode node, TSFieldId field) {
      if (kindOf(node) == NodeKind::Identifier && field != attribute_field) {
        const Resolution resolution =
            semantic.resolve(candidate.scope, context.text(node), ts_node_start_byte(node));
        if (resolution.kind == Resolution::Kind::Bound) sources.push_back(resolution.binding);
      }
      return Visit::Descend;
    });
    if (sources.empty()) return false;
    bool changes = false;
    visitSubtree(candidate.body, [&](TSNode node, TSFieldId /*field*/) {
      if (kindOf(node) != NodeKind::Call) return Visit::Descend;
      const TSNode definition =
          definedFunction(context, candidate.scope, childByField(node, Field::Function));
      if (ts_node_is_null(definition)) return Visit::Descend;
      for (const Binding* changed : changedInPlaceBy(context, definition)) {
        changes = changes || std::find(sources.begin(), sources.end(), changed) != sources.end();
      }
      return changes ? Visit::Stop : Visit::Descend;
    });
    return changes;
  }

  // A call that runs an external command through a shell or `subprocess`.
  static bool runsCommand(const RuleContext& context, ScopeId scope, TSNode call) {
    const std::string name =
        context.semantic().qualifiedName(scope, childByField(call, Field::Function));
    for (const std::string_view runs :
         {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
          "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput", "os.system",
          "os.popen"}) {
      if (name == runs) return true;
    }
    return false;
  }

  // `subprocess.run(["convert", str(entry), ...])` in `for entry in list(map(Path,
  // os.scandir(folder)))`: a command given one of the listed entries, which may write beside it.
  static bool runsCommandOnEntry(const RuleContext& context, const Candidate& candidate,
                                 TSNode call) {
    if (!runsCommand(context, candidate.scope, call)) return false;
    const TSFieldId attribute_field = Syntax::instance().fieldId(Field::AttributeName);
    std::vector<std::string_view> targets;
    if (kindOf(candidate.target) == NodeKind::Identifier)
      targets.push_back(context.text(candidate.target));
    visitSubtree(candidate.target, [&](TSNode node, TSFieldId /*field*/) {
      if (kindOf(node) == NodeKind::Identifier) targets.push_back(context.text(node));
      return Visit::Descend;
    });
    bool given = false;
    visitSubtree(childByField(call, Field::Arguments), [&](TSNode node, TSFieldId field) {
      given = kindOf(node) == NodeKind::Identifier && field != attribute_field &&
              std::find(targets.begin(), targets.end(), context.text(node)) != targets.end();
      return given ? Visit::Stop : Visit::Descend;
    });
    return given;
  }

  std::vector<Candidate> candidates_;
  bool definitions_indexed_ = false;
  std::unordered_map<uint32_t, ScopeId> definition_scopes_;  // by the `def`'s start byte
  std::unordered_map<uint32_t, std::vector<const Binding*>> changed_by_definition_;
};

constexpr std::array kSubscriptions = {NodeKind::Call};

// A loop, and the builtin `list` named somewhere (by itself, or where another name is bound to
// it).
bool mayFind(const CodeText& text) {
  return text.codeHasWord("for") && text.codeHasWord("list");
}

}  // namespace

extern const RuleDefinition kListCopyToIterate{
    .code = "MEM103",
    .name = "list-copy-to-iterate",
    .summary = "`for x in list(map(...))`: an inline iterator copied into a list only to be walked",
    .documentation = kDocumentation,
    .fix_availability = FixAvailability::Sometimes,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<ListCopyToIterate>();
    },
    .may_find = mayFind,
};

}  // namespace heaplint
