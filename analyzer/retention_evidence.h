// Whether a value made inside a loop outlives the iteration that made it, and where, as a reviewer
// would judge it from the code: appended to a list that lives on after the loop, stored under a
// key, part of a comprehension whose result is kept or returned, yielded to a generator's
// consumer, or handed to a function of the module that stores its parameter. A value only used
// within the iteration (a parser made, run and dropped) is not kept. Rules that ask "are all of
// these alive at once?" (MEM401 for instances made per item, a rule on per-row buffers) ask this
// with the loops around the value, instead of reading the statements themselves.
//
// Answered after the walk (names resolve then), walking up from the value through its parents and
// through a few names, to a bounded depth.
#pragma once

#include <tree_sitter/api.h>

#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;

// A loop that makes `node` run once per item: a `for` statement whose body holds it, a `while`
// loop, or one `for` clause of a comprehension whose element (or later clause) holds it.
struct EnclosingLoop {
  TSNode loop{};             // the for_statement, while_statement or for_in_clause
  TSNode iterable{};         // what it iterates over; null for `while`
  ScopeId scope = kNoScope;  // where `iterable` is evaluated
  // `node` runs in an `except` handler inside this loop: once per failure, not once per item.
  bool per_failure = false;
};

// The loops around `node` (evaluated in `scope`), innermost first, up to the enclosing function,
// lambda or class body.
std::vector<EnclosingLoop> enclosingLoops(const RuleContext& context, ScopeId scope, TSNode node);

enum class Keeper : uint8_t {
  None,       // dropped within the iteration, or nothing says where it goes
  Container,  // added to a container: `rows.append(v)`, `index[key] = v`, `rows += [v]`
  Name,       // bound as a whole: `self.rows = [...]`, `rows = [...]`
  Returned,   // returned to the caller
  Yielded,    // yielded to the consumer of a generator
  Call,       // passed to a function of this module that adds it to a long-lived container
};

struct RetentionEvidence {
  Keeper keeper = Keeper::None;
  // As a phrase for messages: "kept in `self.rows`", "returned by `load()`", "yielded by
  // `rows()`", "kept in `self.states` by `set_state()`". Empty when not kept.
  std::string phrase;
  TSNode site{};  // what keeps it: the call, assignment, return or yield
  // The innermost loop around the value whose every pass starts the keeper afresh (a list made in
  // its body, a name rebound on each pass): values made per pass of a loop inside it pile up,
  // those made per pass of it (or of a loop around it) do not. Null: kept across every loop.
  TSNode reset_by{};
  // The keeper outlives the function that runs the code: an attribute of the instance or class,
  // a module-level object, a parameter's object, a returned or yielded value.
  bool outlives_function = false;
};

// What the questions about one tree learn of its loops and blocks, kept for the next ones (a rule
// asks once for each value made in a loop, and a loop may make thousands): whether a loop
// empties or trims a container, and where a block's `if i % N: continue` guards stand. Keys are
// node ids: valid for one tree.
struct RetentionMemo {
  // Loop: the containers (as written) that its body empties, trims, or stops filling at a size.
  std::unordered_map<const void*, std::set<std::string, std::less<>>> trimmed;
  std::unordered_map<const void*, std::vector<uint32_t>> skip_guards;  // block: guards' starts
};

// Where `value` (an expression evaluated in `scope`, usually inside a loop) is kept. `memo`, when
// given, is shared by the questions about one tree.
RetentionEvidence retentionOf(const RuleContext& context, ScopeId scope, TSNode value,
                              RetentionMemo* memo = nullptr);

// Where the items of a lazy iterable (a generator expression, `map(f, xs)`) are kept once it is
// consumed: all of them by `list()`/`tuple()`/`set()`/`sorted()`/`dict()`/`deque()` of it, or by
// `.extend()`/`.update()` of a container; otherwise not kept.
RetentionEvidence retentionOfItems(const RuleContext& context, ScopeId scope, TSNode iterable,
                                   RetentionMemo* memo = nullptr);

// Whether values made once per pass of `loop` pile up in the keeper: kept, and not started afresh
// by `loop` itself or by a loop around it.
bool keptAcross(const RetentionEvidence& retention, const EnclosingLoop& loop);

}  // namespace heaplint
