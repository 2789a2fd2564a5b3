// Who calls a function of the project, with what, and when. A cache keyed by a function's
// parameters is as large as what its callers pass: literals at every call site make a closed set,
// a caller's own input or the lines of a file do not. Each file's pass records the calls of
// functions of the project (defined in the file, or imported from the file's own package), the
// decorators applied at import, the functions handed around as values (their callers are out of
// sight), and the memoizers the code clears (`f.cache_clear()`). What each argument is made of
// (key_evidence.h) is described only where a join may ask: at calls of functions of other files,
// and of functions of this file that can fill a cache (memoized, adding to a container) or pass
// their parameters on to such a call. The walk collects the calls once for every rule that
// reads them (RuleDefinition::uses_call_facts); RuleContext::callFacts() describes them once.
// The file's analysis keeps them once (FileAnalysis::call_facts); the join hands them to each rule
// that reads them (ProjectFileView::calls), which asks a CallIndex.
#pragma once

#include <tree_sitter/api.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "analyzer/code_model.h"
#include "analyzer/key_evidence.h"
#include "analyzer/project.h"
#include "analyzer/semantic_model.h"
#include "analyzer/syntax.h"

namespace heaplint {

class RuleContext;
class FactsWriter;
class FactsReader;

// How a call supplies the callee's first parameter.
enum class CallForm : uint8_t {
  Plain,        // `load(x)`, `module.load(x)`
  Instance,     // `self.load(x)`, `warmer.prime(x)`: the instance is bound first
  Class,        // `Class.load(x)`, `cls.load(x)`
  Constructor,  // `Record(x)`: `__init__` and `__new__` receive the new object or the class first
};

// What an argument is made of. Left out (a call site without arguments) where no join asks:
// see the header comment.
struct CallArgument {
  std::string keyword;  // empty for a positional argument
  KeySource source = KeySource::Unknown;
  uint32_t parameters = 0;  // made from these parameters of the calling function (bit i: slot i)
  std::string reason;
};

struct CallSite {
  std::string
      callee;  // absolute dotted name: "pkg.mod.load", "pkg.mod.Record.add", "pkg.mod.Record"
  std::string caller;  // the (outermost) function the call is in ("pkg.mod.outer"); empty at import
  uint32_t row = 0;    // 0-based
  CallForm form = CallForm::Plain;
  bool at_import = false;  // runs while the module is imported (module or class level)
  bool unpacked = false;   // `f(*args)` or `f(**options)`: the arguments are out of sight
  std::vector<CallArgument> arguments;
};

// A function as its callers bind it, for the join.
struct FunctionSignature {
  std::string name;  // absolute dotted name
  MethodKind kind = MethodKind::NotAMethod;
  struct Slot {
    std::string name;
    bool positional = true;
    bool variadic = false;
    KeySource when_omitted = KeySource::Unknown;
  };
  std::vector<Slot> slots;

  void write(FactsWriter& out) const;
  bool read(FactsReader& in);
};

struct CallFacts {
  std::vector<CallSite> calls;
  // The calling functions that pass on their own parameters, so that keys can be followed to
  // their callers in turn.
  std::vector<FunctionSignature> callers;
  // Functions of the project used as values (`button.connect(self.on_click)`, `@app.route`):
  // they have callers the project does not show.
  std::vector<std::string> referenced;
  // Memoized functions the code clears: `load.cache_clear()`, `self.lookup.cache_clear()`.
  std::vector<std::string> cleared;
  // Names the module re-exports (`from .finitefield import FiniteField` in a package's
  // `__init__`): the name as imported from this module, and what it stands for.
  std::vector<std::pair<std::string, std::string>> aliases;

  void write(FactsWriter& out) const;
  bool read(FactsReader& in);
  void appendShifted(const CallFacts& next, int64_t rows);
};

// A file's calls as the project step keeps them (FileAnalysis::call_facts): once a file, however
// many project rules read them (each cache rule kept its own copy, 3 KiB a file each).
struct FileCallFacts final : FileFacts {
  CallFacts calls;

  void write(FactsWriter& out) const override { calls.write(out); }
  std::unique_ptr<FileFacts> makeEmpty() const override {
    return std::make_unique<FileCallFacts>();
  }
  void appendShifted(const FileFacts& next, int64_t /*bytes*/, int64_t rows) override {
    calls.appendShifted(static_cast<const FileCallFacts&>(next).calls, rows);
  }
  static std::unique_ptr<FileFacts> read(FactsReader& in);
};

// Whether a parameter's default value may make a new mutable container, by its shape: a dict,
// list or set display or comprehension, or a call (MEM204 asks containerKind about these).
bool mayMakeMutableContainer(TSNode default_value);
// Whether `function` (a function_definition) has a parameter with such a default.
bool hasMutableLookingDefault(TSNode function);

// Collects during the walk (cheaply: the nodes and their scopes), describes after it, once. The
// walker owns one per file when an active rule uses call facts (RuleContext::callFacts).
class CallCollector {
 public:
  // `for_mutable_defaults_only`: the active rules read only the calls that may reach a function
  // with a mutable-looking default (RuleDefinition::call_facts_for_mutable_defaults).
  explicit CallCollector(bool for_mutable_defaults_only = false)
      : for_mutable_defaults_only_(for_mutable_defaults_only) {}
  // Every node of the walk; looks at calls, decorators (the decorated function is handed to the
  // decorator), identifiers and attributes (those used as values are references).
  void onNode(TSNode node, NodeKind kind, const RuleContext& context);
  // The facts, described on the first request (after the walk).
  const CallFacts& facts(const RuleContext& context);
  // The facts, moved out for the project step (after the rules have read them).
  CallFacts take(const RuleContext& context);

 private:
  CallFacts computeFacts(const RuleContext& context);
  void onCall(TSNode call, const RuleContext& context);
  void onDecorator(TSNode decorator, const RuleContext& context);
  void onName(TSNode node, NodeKind kind, const RuleContext& context);
  static bool isStoredInto(const RuleContext& context);
  static bool isMappedOverLiteralAtImport(TSNode node, const RuleContext& context);
  void markFilling(const RuleContext& context);

  struct Pending {
    TSNode node;
    ScopeId scope;
    TSNode function;  // the outermost function definition around it; null at import
    bool at_import;   // at module or class level (not in a function or lambda)
  };
  std::vector<Pending> calls_;
  std::vector<Pending> decorators_;
  std::vector<Pending> references_;
  std::vector<Pending> mapped_;  // functions mapped over a literal at import: called there
  std::unordered_set<const void*> filling_;  // function definitions that store into containers
  bool for_mutable_defaults_only_ = false;
  std::optional<CallFacts> facts_;
};

// The absolute dotted name of a function or class definition of the file being walked
// ("pkg.mod.Class.method", "pkg.mod.outer.inner"). After the walk.
std::string definitionName(const RuleContext& context, TSNode definition);

// The signature of `function`, a definition evaluated in `scope`. `own_scope`, the function's
// own scope when the caller knows it, spares a search of every scope after `scope` (a file of
// 20,000 functions asks once for each).
FunctionSignature functionSignature(const RuleContext& context, TSNode function, ScopeId scope,
                                    ScopeId own_scope = kNoScope);
// The same for a function found from a scope `inside` it.
FunctionSignature functionSignatureFrom(const RuleContext& context, ScopeId inside,
                                        TSNode function);

// Demonstration and debugging code (`wsd_demo()`, `pkg/debug.py`, `examples/`): it runs when a
// developer asks, not in the life of a service; and database migrations (Django's `migrations`,
// Alembic's scripts), run once per upgrade by a command that then exits. Decided from a dotted
// name.
bool isDemoOrDebugCode(std::string_view qualified);

// Every file's calls, by callee, for a project rule's join. Keeps its own compact copy (each
// distinct string once, sites and arguments in flat storage): a join over a large project holds
// every file's calls at once.
class CallIndex {
 public:
  CallIndex();
  ~CallIndex();
  CallIndex(const CallIndex&) = delete;
  CallIndex& operator=(const CallIndex&) = delete;

  void add(size_t file, const CallFacts& facts);
  // The same from CallFacts::write's bytes (packed facts), without making the facts' objects.
  // False, with nothing of it added to the index, when they do not read back.
  bool addPacked(size_t file, std::string_view bytes);
  // The calls of a file as a join sees them (ProjectFileView::calls or ::packed_calls), if any.
  void add(size_t file, const ProjectFileView& view);

  // A call site as the index keeps it: strings as the index's numbers for them (text()).
  struct Argument {
    uint32_t keyword = 0;  // the empty string for a positional argument
    uint32_t reason = 0;
    uint32_t parameters = 0;
    KeySource source = KeySource::Unknown;
  };
  struct Site {
    uint32_t callee = 0;  // as called (callsOf finds it by its canonical name)
    uint32_t caller = 0;
    uint32_t file = 0;  // as added
    uint32_t row = 0;
    CallForm form = CallForm::Plain;
    bool at_import = false;
    bool unpacked = false;
    uint32_t first_argument = 0;  // in the index's arguments
    uint32_t argument_count = 0;
  };
  // The sites of one callee: those of each name it is called by (in the order of the names),
  // each name's in the order they were added.
  class Sites {
   public:
    class iterator {
     public:
      using iterator_category = std::forward_iterator_tag;
      using value_type = Site;
      using difference_type = std::ptrdiff_t;
      using pointer = const Site*;
      using reference = const Site&;
      iterator(const std::deque<Site>* sites, const uint32_t* at) : sites_(sites), at_(at) {}
      reference operator*() const { return (*sites_)[*at_]; }
      pointer operator->() const { return &(*sites_)[*at_]; }
      iterator& operator++() {
        ++at_;
        return *this;
      }
      iterator operator++(int) {
        iterator before = *this;
        ++at_;
        return before;
      }
      bool operator==(const iterator& other) const { return at_ == other.at_; }

     private:
      const std::deque<Site>* sites_;
      const uint32_t* at_;
    };
    Sites(const std::deque<Site>& sites, std::span<const uint32_t> order)
        : sites_(&sites), order_(order) {}
    iterator begin() const { return {sites_, order_.data()}; }
    iterator end() const { return {sites_, order_.data() + order_.size()}; }
    size_t size() const { return order_.size(); }
    bool empty() const { return order_.empty(); }

   private:
    const std::deque<Site>* sites_;
    std::span<const uint32_t> order_;
  };
  Sites callsOf(std::string_view callee) const;
  std::span<const Argument> argumentsOf(const Site& site) const {
    return std::span<const Argument>(arguments_).subspan(site.first_argument, site.argument_count);
  }
  // The string a site or an argument keeps the number of.
  std::string_view text(uint32_t number) const;
  // The name a definition has where it is defined, through the modules that re-export it.
  std::string canonical(std::string_view name) const;
  bool isReferenced(std::string_view name) const {
    link();
    return referenced_.contains(name);
  }
  bool isCleared(std::string_view name) const {
    link();
    return cleared_.contains(name);
  }

  // What the callers pass for the parameters in `parameters` (bit i: slot i) of `function`.
  struct Keys {
    KeySource source = KeySource::Unknown;  // the strongest seen at a call site
    std::string reason;                     // of that argument
    size_t file = 0;                        // where that call is
    uint32_t row = 0;
    bool has_callers = false;     // at least one call site (recursive calls left out)
    bool unseen_callers = false;  // also used as a value, so other callers exist
  };
  Keys keysFromCallers(const FunctionSignature& function, uint32_t parameters) const;

  // Whether every call of `name` runs while modules are imported: at module or class level, as
  // a decorator, or in functions that only run then. False without any call, or when the
  // function is also handed around.
  bool runsOnlyAtImport(std::string_view name) const;

 private:
  class Builder;
  Keys keysAt(const FunctionSignature& function, uint32_t parameters, int depth) const;
  // Moves every name to its canonical one, once all files are added.
  void link() const;
  bool onlyAtImport(std::string_view name, int depth) const;
  // The index's copy of `text`, made once, and its number.
  std::string_view intern(std::string_view text) const;
  uint32_t number(std::string_view text) const;

  struct Strings;
  std::unique_ptr<Strings> strings_;
  std::deque<Site> sites_;  // in the order added (no reallocation while a large index grows)
  std::vector<Argument> arguments_;
  std::deque<FunctionSignature> signatures_;
  // Once asked (link()): the sites' positions ordered by canonical callee, and where each
  // canonical callee's run of them begins, by name. Four bytes a site, where a map of vectors
  // took about sixty.
  mutable std::vector<uint32_t> by_callee_;
  mutable std::vector<std::pair<std::string_view, uint32_t>> callee_starts_;
  mutable bool linked_ = false;
  std::map<std::string_view, std::string_view, std::less<>> aliases_;
  mutable std::set<std::string_view, std::less<>> referenced_;
  mutable std::set<std::string_view, std::less<>> cleared_;
  std::map<std::string_view, const FunctionSignature*, std::less<>> callers_;
};

}  // namespace heaplint
