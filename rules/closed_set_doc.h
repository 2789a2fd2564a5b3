// The paragraph of MEM201, MEM204 and MEM205's documentation on keys checked against a closed
// set (analyzer/container_evidence.cpp, shared by the three rules' container uses): one text, so
// that it cannot drift apart between them, joined into each rule's documentation at compile time.
#pragma once

#include "rules/small_arguments_doc.h"  // joinLiterals

namespace heaplint {

inline constexpr char kClosedSetDoc[] =
    R"md(a key checked against a closed set first, before a store that replaces the entry
  (`cache[kind] = value`, `counts[kind] += 1`; not `c[kind, user]`, not a value built on the entry
  such as `c[kind] += [item]` or `c.get(kind, []) + [item]`), a set's `add(kind)`, or a
  `setdefault(kind)` statement with a literal default: inside `if kind in KNOWN:` (alone or
  `and`ed), after `if kind not in ("a", "b"): raise ...` (or `return`, `continue`; no `else`;
  among the eight `if` statements ending so that are nearest before it), or under
  `case "a" | "b":` of `match kind:` (literal patterns only: not `_`, not a capture). The set is a
  display of literals, not empty, or a module-level UPPER_CASE name bound once to a tuple or
  frozenset of literals (a set constant may be filled elsewhere); the key is a name not bound
  again between the check and the store (a loop, a comprehension, a walrus,
  `kind = f"{kind}:{user}"`). A list grows per call whatever its items
  (`events.append(kind)`), and stays reported)md";

}  // namespace heaplint
