// Who calls a function of the project, with what, and when. A cache keyed by a function's
// parameters is as large as what its callers pass: literals at every call site make a closed set,
// a caller's own input or the lines of a file do not. Each file's pass records the calls of
// functions of the project (defined in the file, or imported from the file's own package) with
// what each argument is made of (key_evidence.h), the decorators applied at import, the functions
// handed around as values (their callers are out of sight), and the memoizers the code clears
// (`f.cache_clear()`). Project rules keep these in their facts; their join asks a CallIndex.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
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

struct CallArgument {
  std::string keyword;  // empty for a positional argument
  KeySource source = KeySource::Unknown;
  std::string reason;
};

struct CallSite {
  std::string
      callee;  // absolute dotted name: "pkg.mod.load", "pkg.mod.Record.add", "pkg.mod.Record"
  std::string caller;  // the function the call is in ("pkg.mod.outer.inner"); empty at import
  uint32_t row = 0;    // 0-based
  CallForm form = CallForm::Plain;
  bool at_import = false;  // runs while the module is imported (module or class level)
  bool unpacked = false;   // `f(*args)` or `f(**options)`: the arguments are out of sight
  std::vector<CallArgument> arguments;
};

struct CallFacts {
  std::vector<CallSite> calls;
  // Functions of the project used as values (`button.connect(self.on_click)`, `@app.route`):
  // they have callers the project does not show.
  std::vector<std::string> referenced;
  // Memoized functions the code clears: `load.cache_clear()`, `self.lookup.cache_clear()`.
  std::vector<std::string> cleared;

  void write(FactsWriter& out) const;
  bool read(FactsReader& in);
  void appendShifted(const CallFacts& next, int64_t rows);
};

// Collects during the walk (cheaply: the nodes and their scopes), resolves after it.
class CallCollector {
 public:
  // Every call node.
  void onCall(TSNode call, const RuleContext& context);
  // Every decorator node (the decorated function is handed to the decorator).
  void onDecorator(TSNode decorator, const RuleContext& context);
  // Every identifier and attribute node: those used as values are references.
  void onName(TSNode node, NodeKind kind, const RuleContext& context);
  CallFacts finish(const RuleContext& context);

 private:
  struct Pending {
    TSNode node;
    ScopeId scope;
    TSNode function;  // the innermost function definition around it; null at import
    bool at_import;   // at module or class level (not in a function or lambda)
  };
  std::vector<Pending> calls_;
  std::vector<Pending> decorators_;
  std::vector<Pending> references_;
};

// The absolute dotted name of a function or class definition of the file being walked
// ("pkg.mod.Class.method", "pkg.mod.outer.inner"). After the walk.
std::string definitionName(const RuleContext& context, TSNode definition);

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

FunctionSignature functionSignature(const RuleContext& context, TSNode function, ScopeId scope);

// Demonstration and debugging code (`wsd_demo()`, `pkg/debug.py`, `examples/`): it runs when a
// developer asks, not in the life of a service. Decided from a dotted name.
bool isDemoOrDebugCode(std::string_view qualified);

// Every file's calls, by callee, for a project rule's join.
class CallIndex {
 public:
  void add(size_t file, const CallFacts& facts);

  struct Located {
    size_t file;
    const CallSite* site;
  };
  std::span<const Located> callsOf(std::string_view callee) const;
  bool isReferenced(std::string_view name) const { return referenced_.contains(name); }
  bool isCleared(std::string_view name) const { return cleared_.contains(name); }

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

 private:
  std::map<std::string, std::vector<Located>, std::less<>> calls_;
  std::set<std::string, std::less<>> referenced_;
  std::set<std::string, std::less<>> cleared_;
};

}  // namespace heaplint
