// How many items an iterable can hold, as a reviewer would judge it from the code: small by
// construction (a literal, a constant bound to one, an Enum, `range(3)`, a class-body literal),
// configuration-sized (command-line arguments, settings), or data-sized (lines of a file, rows of
// a query, entries of a directory, a public function's parameter, `range(n)` of data, a `range`
// of 100,000 items or more that the code writes). Rules ask this instead of guessing from the
// loop alone: MEM101 skips small inputs, MEM401 wants data.
//
// Answered after the walk (names resolve then), by following names to their single binding and
// through wrappers (`enumerate`, `sorted`, `zip`, `d.items()`, ...), to a bounded depth.
#pragma once

#include <tree_sitter/api.h>

#include <optional>
#include <string>
#include <string_view>

#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;

enum class Size : uint8_t {
  Unknown,        // nothing says: a rule that needs evidence stays quiet
  Small,          // fixed by the code
  Configuration,  // as many as the deployment configures: arguments, settings, plugins
  Data,           // grows with the input the program processes
};

struct SizeEvidence {
  Size size = Size::Unknown;
  // Why, as a phrase for messages: "the lines of the file opened at line 12", "`rows`, a
  // parameter of `load()`", "a literal of 3 items". Empty when unknown.
  std::string reason;
  // Data only because a public function's caller passes it: the weakest evidence (most public
  // functions are called with a handful of items), which rules may keep for preview.
  bool from_parameter = false;
  // Data that is already a whole list in memory (`os.listdir(path)`, `f.readlines()`, a name
  // bound to a list comprehension): a list of its own items costs a pointer an item more, not the
  // items.
  bool in_memory = false;
  // Data because the code writes the count (`range(1_000_000)`, `[0] * 10**6`, a name bound once
  // to such a constant): the strongest evidence, a count a reviewer can check.
  bool written_in_code = false;
  // The exact count of a `range` of step 1 with constant bounds (`range(10**6)`: 1,000,000), the
  // items being its own integers (not mapped nor paired); 0 otherwise.
  int64_t written_items = 0;
};

// The size of what `iterable`, evaluated in `scope`, yields.
SizeEvidence iterableSize(const RuleContext& context, ScopeId scope, TSNode iterable);

// What a comprehension (or a call of the builtin `filter`, `filter(lambda i: ..., ...)`) keeps of
// what it walks (`walked`): a constant `range` of N items filtered by `i % K == c`, K and c integer
// literals, keeps about N / K, small when that is below 100,000 (`[i for i in range(10**6) if i %
// 100_000 == 0]`); `walked` otherwise.
SizeEvidence keptSize(const RuleContext& context, TSNode comprehension, const SizeEvidence& walked);

// The size of a count: the argument of `range(n)`, `[x] * n`.
SizeEvidence countSize(const RuleContext& context, ScopeId scope, TSNode count);

// Whether an integer literal's text writes a count of 100,000 or more (`1_000_000`, `0x186A0`):
// what makes a `range` of it data.
bool isManyItemsLiteral(std::string_view text);
// Whether an integer literal's text writes a positive count below that (`100`, `8`): a bound that
// keeps a container small (`deque(maxlen=100)`, `key % 8`).
bool isFewItemsLiteral(std::string_view text);
// Whether an integer literal's text writes at least `least` (`1_000` for `i % 1_000 == 0`).
bool isIntegerLiteralOfAtLeast(std::string_view text, int64_t least);

// The value an integer literal's text writes (`1_000`, `0x10`), when it is exact.
std::optional<int64_t> integerLiteralValue(std::string_view text);
// In `expression`, a remainder (`x % N`, through parentheses): its divisor, parentheses
// removed; a null node for any other expression.
TSNode remainderDivisor(const RuleContext& context, TSNode expression);
// The text of that divisor when it is an integer literal (`16` of `hash(x) % 16`), else empty.
std::string_view writtenRemainderDivisor(const RuleContext& context, TSNode expression);

// Whether a parameter of this name holds configuration rather than data (`argv`, `options`,
// `settings`, ...).
bool isConfigurationParameterName(std::string_view name);

// Whether a plain parameter of this name whose fields are read holds the command line parsed:
// `args`, argparse's own name for it (`def command(client, args): ... args.topic`).
bool isParsedArgumentsParameterName(std::string_view name);

// Whether a comprehension keeps the very items it walks: `[x for x in xs if ...]`, one `for`
// clause whose target is the element. Over a list already in memory, such a list costs a pointer
// an item, not the items (MEM101, MEM103, MEM104).
bool keepsTheWalkedItems(const RuleContext& context, TSNode comprehension);

}  // namespace heaplint
