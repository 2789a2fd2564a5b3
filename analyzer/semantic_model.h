// A light semantic model built during the walk: scopes, the names each scope binds (assignments,
// parameters, definitions, imports with their aliases, global/nonlocal declarations), so that rules
// ask "is `sum` the builtin here?" or "is this call `gc.collect`?" instead of comparing text.
//
// Python decides which scope a name belongs to only once the whole scope is known, so resolution
// is answered after the walk (in RuleChecker::finish), never during it.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace heaplint {

using ScopeId = uint32_t;
inline constexpr ScopeId kNoScope = UINT32_MAX;

enum class ScopeKind : uint8_t { Module, Class, Function, Lambda, Comprehension };

struct Scope {
  ScopeKind kind = ScopeKind::Module;
  ScopeId parent = kNoScope;
  TSNode node{};
};

enum class BindingKind : uint8_t {
  Assignment,
  Annotation,  // `name: T` without a value: makes a function's name local, binds nothing else
  AugmentedAssignment,
  LoopTarget,
  ComprehensionTarget,
  WithTarget,
  ExceptTarget,
  NamedExpression,
  MatchCapture,  // a name bound by a `case` pattern
  Parameter,
  FunctionDefinition,
  ClassDefinition,
  Import,      // import a.b / import a.b as c
  FromImport,  // from a import b [as c]
  GlobalDeclaration,
  NonlocalDeclaration,
};

struct Binding {
  std::string_view name;
  ScopeId scope = kNoScope;
  BindingKind kind = BindingKind::Assignment;
  bool through_global = false;  // a function stored it into the module after `global name`
  uint32_t offset = 0;          // start of the bound name
  TSNode node{};                // the identifier, or the import clause that binds it
  uint32_t import_index = UINT32_MAX;
  // Bound in another run of the document (analysis in runs: incremental_analysis.h). Its node is
  // looked up only when a question returns the binding; rules that list their own file's
  // bindings skip these.
  bool prelude = false;
  uint32_t prelude_index = 0;  // for the node lookup
};

struct StarModule;

// A `from <module> import *` (only a module's top level may have one).
struct StarImport {
  uint32_t offset = 0;                 // of the `*`
  const StarModule* module = nullptr;  // null: a module whose names heaplint does not know
};

struct Resolution {
  enum class Kind : uint8_t {
    Unresolved,      // no binding and not a builtin
    Builtin,         // the builtin of that name
    Bound,           // `binding` is the binding in effect
    Ambiguous,       // several different bindings may be in effect
    StarImported,    // unbound here but the module has `from x import *` of an unknown module
    FromStarImport,  // bound by `from <star_module> import *`, a module whose names are known
  };
  Kind kind = Kind::Unresolved;
  const Binding* binding = nullptr;
  const StarModule* star_module = nullptr;  // for FromStarImport
};

class SemanticModel {
 public:
  explicit SemanticModel(std::string_view source);

  // --- building (the walker) ---
  ScopeId addScope(ScopeKind kind, ScopeId parent, TSNode node);
  void addBinding(const Binding& binding);
  void addImportBinding(Binding binding, std::string qualified_name);
  void noteStarImport(StarImport star) { star_imports_.push_back(star); }
  // The walked code's `from x import *` statements.
  const std::vector<StarImport>& starImports() const { return star_imports_; }
  // A run of the document other than the one walked has `from x import *` (at `star.offset` in
  // the whole text).
  void notePreludeStarImport(StarImport star) { prelude_star_imports_.push_back(star); }
  // Finds the node of a prelude binding (in the current tree of the run that binds it).
  using PreludeNodeLookup = TSNode (*)(const void* lookup_context, const Binding& binding);
  void setPreludeNodeLookup(PreludeNodeLookup lookup, const void* lookup_context) {
    prelude_lookup_ = lookup;
    prelude_lookup_context_ = lookup_context;
  }
  void finalize();
  // Analysis in runs: every name resolve() is asked about at an offset outside [start, end) (code
  // of another run, read through a prelude binding's node: a class's bases, a value) is added to
  // `names`, for the run's dependencies. The names used inside the run are known apart.
  void recordNamesResolvedOutside(uint32_t start, uint32_t end,
                                  std::vector<std::string_view>* names) {
    walked_start_ = start;
    walked_end_ = end;
    names_resolved_outside_ = names;
  }

  // --- questions ---
  const Scope& scope(ScopeId id) const { return scopes_[id]; }
  size_t scopeCount() const { return scopes_.size(); }
  std::string_view source() const { return source_; }
  const std::vector<Binding>& bindings() const { return bindings_; }
  bool hasStarImport() const { return !star_imports_.empty() || !prelude_star_imports_.empty(); }
  // Whether the code walked (not the prelude) has `from x import *`.
  bool hasOwnStarImport() const { return !star_imports_.empty(); }

  // What `name`, used at byte `offset` in `scope`, refers to.
  Resolution resolve(ScopeId scope, std::string_view name, uint32_t offset) const;

  // The dotted name an expression (identifier or attribute chain) stands for, through imports:
  // `m.fsum` after `import math as m` is "math.fsum", `sum` is "builtins.sum" when it is the
  // builtin, `f` after `from math import fsum as f` is "math.fsum". Empty when the head of the
  // expression is not an import or a builtin.
  std::string qualifiedName(ScopeId scope, TSNode expression) const;
  bool resolvesTo(ScopeId scope, TSNode expression, std::string_view qualified) const {
    return qualifiedName(scope, expression) == qualified;
  }
  // Qualified name of an import binding ("math.fsum", ".models.Record").
  std::string_view importedName(const Binding& binding) const;

  // All bindings of `name` directly in `scope`, in source order.
  std::vector<const Binding*> bindingsIn(ScopeId scope, std::string_view name) const;

  static bool isBuiltinName(std::string_view name);

 private:
  // A binding as questions hand it out: a prelude binding gets its node on first use.
  const Binding* materialized(const Binding* binding) const;
  // The last star import of a known module that binds `name`, before byte `before`.
  const StarImport* lastKnownStarImportOf(std::string_view name, uint32_t before) const;
  bool hasUnknownStarImport() const;

  std::string_view source_;
  std::vector<Scope> scopes_;
  // Mutable for the prelude bindings' nodes, which are looked up on first use.
  mutable std::vector<Binding> bindings_;
  std::vector<std::string> imports_;
  // The bindings sorted by scope, name hash and offset (then insertion order).
  struct IndexEntry {
    ScopeId scope;
    uint64_t hash;
    uint32_t offset;
    uint32_t index;
    auto operator<=>(const IndexEntry&) const = default;
  };
  std::vector<IndexEntry> index_;
  // What resolve() needs of every binding of one name in one scope, computed once so that a name
  // bound thousands of times (generated code) is resolved in logarithmic time, not linear: the
  // entries of index_ with one scope and hash form a group, summarised when they share one name.
  struct Group {
    bool single_name = true;  // false: a hash collision, resolved by going through the entries
    bool declared_global = false;
    bool declared_nonlocal = false;
    bool ambiguous = false;                 // the candidates do not all bind the same thing
    uint32_t first_candidate = UINT32_MAX;  // binding indices
    uint32_t last_candidate = UINT32_MAX;
    uint32_t first_global_rebinding = UINT32_MAX;  // offset of the first `global` rebinding
  };
  std::vector<Group> groups_;
  std::vector<uint32_t> group_of_;  // per index_ entry
  // Per index_ entry: the last binding up to it (in index order) that is in effect after it runs
  // in order (no declaration, no rebinding through `global`, no bare annotation), or UINT32_MAX.
  std::vector<uint32_t> last_in_order_;
  void summarizeGroups();
  // The entries of `scope` whose name has the hash of `name` (a few may have other names).
  std::pair<std::vector<IndexEntry>::const_iterator, std::vector<IndexEntry>::const_iterator>
  entriesFor(ScopeId scope, std::string_view name) const;
  std::vector<StarImport> star_imports_;
  std::vector<StarImport> prelude_star_imports_;
  bool finalized_ = false;
  uint32_t walked_start_ = 0;
  uint32_t walked_end_ = 0;
  std::vector<std::string_view>* names_resolved_outside_ = nullptr;
  PreludeNodeLookup prelude_lookup_ = nullptr;
  const void* prelude_lookup_context_ = nullptr;
};

}  // namespace heaplint
