// How a long-lived container grows and shrinks, for the rules that ask whether it only grows
// (MEM201 for module-level containers, MEM205 for class-level ones): which code adds to it and
// with what keys (key_evidence.h), which code removes from it, bounds it (`len(c) > N`), rebinds
// it (`global c; c = {}`, `module.c = {}`, `Class.c = []`) or hands it to other code that may.
// Each file's pass records these as facts; the join follows the keys of a growing function to
// its callers (call_evidence.h) through a ContainerLedger.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analyzer/call_evidence.h"
#include "analyzer/key_evidence.h"
#include "analyzer/semantic_model.h"
#include "analyzer/syntax.h"

namespace heaplint {

class RuleContext;
class FactsWriter;
class FactsReader;

enum class ContainerEvent : uint8_t {
  Grow,    // an entry added: `c[k] = v`, `c.add(k)`, `c.append(x)`, `c[k].append(x)`, `c |= {...}`
  Evict,   // removed, emptied, rebound or bounded: `del c[k]`, `c.pop()`, `c = {}`, `len(c) > N`
  Read,    // looked up: `k in c`, `c.get(k)`, `c[k]`
  Escape,  // handed to other code, which may evict: `f(c)`, `return c`, `other = c`
};

// One use of a container as the walk finds it.
struct ContainerUse {
  TSNode container{};  // what names it: `_cache`, `store._memo`, `cls.registry`, `type(self).x`
  ContainerEvent event = ContainerEvent::Read;
  TSNode key{};   // Grow: the key or element added (null when nothing is known)
  TSNode also{};  // Grow: a second part, `item` of `groups[key].append(item)`
  ScopeId scope = kNoScope;
  TSNode function{};  // the outermost function definition around the use; null at import
  TSNode value{};     // Grow by `c[k] = value`: the value stored
};

// Whether `c.method(...)` adds to a container (`add`, `append`, `setdefault`, ...).
bool isGrowMethod(std::string_view method);

// The node kinds ContainerUseCollector::onNode looks at.
std::span<const NodeKind> containerUseKinds();

// A check of a store's key against a set that may be closed (`if kind in KNOWN:`), found during
// the walk and confirmed after it, when names resolve (container_evidence.cpp).
struct ClosedSetGuard {
  TSNode collection{};  // the set: a display, a constant's name, or a `case` clause's patterns
  uint32_t from = 0;    // where the guard starts: the key must not be bound again after it
};

// The guards among a block's statements (`if kind not in KNOWN: return`, an `if` without `else`
// whose body ends in `return`, `raise` or `continue`), found once a block.
class GuardIndex {
 public:
  // In source order.
  const std::vector<TSNode>& guardsOf(TSNode block);
  // Whether a guard of `block` that starts before `before` has the condition `condition`,
  // written without spaces (`key notin cache` as "keynotincache"): any guard, however far.
  bool guardedBefore(const RuleContext& context, TSNode block, const std::string& condition,
                     uint32_t before);
  // What membershipCollection found in a guard for a key (container_evidence.cpp).
  std::map<std::pair<const void*, std::string_view>, TSNode> memberships;

 private:
  struct Block {
    std::vector<TSNode> guards;
    bool conditions_read = false;
    std::unordered_map<std::string, uint32_t> first_guard_by_condition;
  };
  Block& blockOf(TSNode block);
  std::unordered_map<const void*, Block> blocks_;
};

// Finds container uses during the walk, cheaply; decides the gated ones after it.
class ContainerUseCollector {
 public:
  // Which expressions may name a container the rule follows; asked during the walk, for names and
  // attribute chains only.
  explicit ContainerUseCollector(std::function<bool(TSNode, const RuleContext&)> follows)
      : follows_(std::move(follows)) {}

  void onNode(TSNode node, NodeKind kind, const RuleContext& context);
  // The uses `keep` accepts (when given; asked first, so it should be cheap), with those that
  // depend on what a callee is (`len(c) > N` bounds only with the builtin `len`; handing `c` to
  // `sorted` is no escape) decided.
  std::vector<ContainerUse> finish(const RuleContext& context,
                                   const std::function<bool(const ContainerUse&)>& keep = nullptr);

 private:
  enum class Gate : uint8_t { None, IfBuiltinLen, IfNotReadingBuiltin };
  struct Pending {
    ContainerUse use;
    TSNode callee{};
    Gate gate = Gate::None;
    ClosedSetGuard guard;  // a Grow that becomes a Read when the guard holds
  };
  // Whether `container` is a name or attribute chain the rule follows.
  bool followed(TSNode container, const RuleContext& context) const;
  void add(const RuleContext& context, TSNode container, ContainerEvent event, TSNode key = {},
           TSNode also = {}, TSNode callee = {}, Gate gate = Gate::None);
  void onSubscript(TSNode node, const RuleContext& context);
  void onAttribute(TSNode node, const RuleContext& context);
  void onValue(TSNode node, const RuleContext& context);

  std::function<bool(TSNode, const RuleContext&)> follows_;
  std::vector<Pending> pending_;
  GuardIndex guards_;
};

// What kind of growing container `value` makes ("dict", "set", "list", "defaultdict", ...), or
// empty when it makes none, or a bounded or weak one (`deque(maxlen=...)`, `cachetools.LRUCache`,
// `weakref.WeakValueDictionary`: library_knowledge.h). `scope` is where it is evaluated.
std::string containerKind(const RuleContext& context, ScopeId scope, TSNode value);

// --- facts, for the join ---------------------------------------------------------------------

struct ContainerDefinition {
  std::string target;   // absolute dotted name: "pkg.mod._cache", "pkg.mod.Registry.items"
  std::string display;  // "_cache", "Registry.items"
  std::string kind;     // "dict", "set", ...
  uint32_t start = 0;
  uint32_t end = 0;
  uint32_t row = 0;
};

struct ContainerEventFact {
  std::string target;
  ContainerEvent event = ContainerEvent::Grow;
  std::string function;  // the growing function (absolute dotted name); empty at import
  std::string display;   // "load()", "Registry.add()"
  KeySource key_source = KeySource::Closed;  // what the key is made of, besides parameters
  uint32_t key_parameters = 0;               // the function's parameters it is made of
  std::string key_reason;
  bool looks_up = false;  // the same function also reads the container: a memo or a seen-set
  bool stores_new_class = false;  // `c[k] = cls` with `class cls` made in the function
  uint32_t row = 0;
};

struct ContainerFacts {
  std::vector<ContainerDefinition> definitions;
  std::vector<ContainerEventFact> events;
  std::vector<FunctionSignature> growing_functions;  // for following keys to callers

  void write(FactsWriter& out) const;
  bool read(FactsReader& in);
  void appendShifted(const ContainerFacts& next, int64_t bytes, int64_t rows);
};

// Turns a file's uses into facts: `target` names the container a use refers to (empty: not one
// the rule follows). Grow events get their key evidence; the growing functions their signatures.
void describeContainerUses(const RuleContext& context, std::span<const ContainerUse> uses,
                           const std::function<std::string(const ContainerUse&)>& target,
                           ContainerFacts& facts);

// Every file's container facts, for the join: a copy of what it asks about.
class ContainerLedger {
 public:
  // Keeps only the events of these containers (those the join asks about): a large project uses
  // many more names than it defines containers. Before add(); without it, every event is kept.
  void keepOnly(std::set<std::string, std::less<>> targets);
  // `names` already holds every file's calls: container names are taken through re-exports.
  void add(size_t file, const ContainerFacts& facts, const CallIndex& names);

  // Removed from, rebound, bounded or handed to other code anywhere in the project.
  bool isEvicted(std::string_view target) const;

  // How strongly a container grows: its strongest growth outside import time and demo code,
  // with keys made from parameters followed to the function's callers.
  struct Growth {
    KeySource source = KeySource::Closed;
    std::string reason;  // what the keys are made of
    const ContainerEventFact* event = nullptr;
    size_t file = 0;           // where the growing function is
    bool has_callers = true;   // for keys made from parameters: callers were seen
    bool from_caller = false;  // the evidence is at a call site (below)
    size_t caller_file = 0;
    uint32_t caller_row = 0;
  };
  std::optional<Growth> growthOf(std::string_view target, const CallIndex& calls) const;

 private:
  struct Located {
    size_t file;
    const ContainerEventFact* event;
  };
  std::optional<std::set<std::string, std::less<>>> kept_targets_;
  std::deque<ContainerEventFact> kept_events_;  // the copies (stable addresses)
  std::map<std::string, std::vector<Located>, std::less<>> events_;
  std::map<std::string, FunctionSignature, std::less<>> signatures_;
};

}  // namespace heaplint
