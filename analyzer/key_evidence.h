// What a cache key is made of, as a reviewer would judge it from the code: the keys a cache or a
// growing container receives decide whether it stays small. A literal, a constant or a module-level
// object made at import gives one entry; classes give as many entries as there are classes; a
// setting as many as the deployment configures; `self`, a bound method or a new instance keeps
// that object alive; the lines of a file or the rows of a query grow with the data. A key made
// from the function's own parameters is for its callers to decide: the evidence says which
// parameters, and call_evidence.h follows them to the call sites of the project.
//
// Asked after the walk (names resolve then), for a key (`cache[key] = ...`, `seen.add(key)`) or an
// argument (`load(path)`), following names to their bindings and through calls, attributes and
// literals, to a bounded depth and a bounded number of steps.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;

// Ordered from the fewest possible keys to the most; a key made of several parts is as strong as
// its strongest part.
enum class KeySource : uint8_t {
  Closed,         // fixed by the code: literals, constants, module-level objects made at import
  Class,          // class objects (`cls`, `type(x)`, `x.__class__`): as many as there are classes
  Configuration,  // settings, command-line options: as many as the deployment configures
  Parameter,      // passed in by a caller (a parameter of the function asked about, or, at a call
                  // site, of the calling function): the callers decide
  Unknown,        // nothing says (instance state, the result of an unknown call)
  Entity,         // made from an object passed around (`contact.name`, `str(self)`): one per object
  Object,         // an object the key holds alive: `self`, a bound method, a new instance, a
                  // parameter annotated with a class of the project
  Data,           // grows with the input: lines of a file, rows of a query, entries of a directory
};

std::string_view keySourceName(KeySource source);

struct KeyEvidence {
  // The strongest part that is not one of the function's parameters (Closed when there is none).
  KeySource source = KeySource::Closed;
  // Bit i: the key is made from the i-th parameter of the function the key is asked in (as
  // written, `self` included); its callers decide those parts. Parameters past the 32nd make the
  // part Unknown.
  uint32_t parameters = 0;
  // Why, as a phrase for messages: "`self`", "the bound method `self.on_draw`", "`line`, an item
  // of the lines of the file opened at line 3", "`key`, a parameter of `load()`".
  std::string reason;

  // What the key is at most, counting its parameters as Parameter.
  KeySource overall() const {
    return parameters != 0 && source < KeySource::Parameter ? KeySource::Parameter : source;
  }
};

// The phrases a reason ends with when the key is a function or class made in the calling
// function (a closure, a class factory's class), and begins with for a bound method: rules tell
// callbacks and made classes apart by them.
inline constexpr std::string_view kFunctionPerCall = ", a function made per call";
inline constexpr std::string_view kClassPerCall = ", a class made per call";
inline constexpr std::string_view kBoundMethod = "the bound method ";
// The reason of a yes-or-no answer (`line.startswith("#")`), which it begins: a key of two values.
inline constexpr std::string_view kYesOrNo = "a boolean, ";
// In a reason, an instance the key's code makes (`a new `Record``, `a new instance of `cls``).
inline constexpr std::string_view kNewInstance = "a new ";

// `reason` without the line numbers of the file it was found in ("the file opened at line 12"
// becomes "the file opened"): facts are read by other files, and by runs of the same file at
// other offsets, where such a number would be wrong. Messages say where the call site is.
std::string reasonForFacts(std::string_view reason);

// What `expression`, evaluated in `scope`, is made of. Parameters are those of the outermost
// function around `scope` (a nested helper or a lambda is part of the function that defines it).
KeyEvidence keyEvidence(const RuleContext& context, ScopeId scope, TSNode expression);

// What following a name's binding found, kept across the keyEvidence questions about one file's
// arguments (the same local names are followed for many of them). An entry is used only where
// it gives what following the binding again would: within the step and depth limits, and with
// none of the bindings it followed being followed already.
class KeyMemo {
 public:
  struct Entry {
    KeyEvidence evidence;
    int steps = 0;                      // the steps following the binding took
    int depth_below = 0;                // how far below the binding's own depth it went
    std::vector<const void*> followed;  // the bindings followed on the way
  };
  const Entry* find(const void* binding, ScopeId subject) const;
  void keep(const void* binding, ScopeId subject, Entry entry);

 private:
  std::map<std::pair<const void*, ScopeId>, Entry> entries_;
};

KeyEvidence keyEvidence(const RuleContext& context, ScopeId scope, TSNode expression,
                        KeyMemo* memo);

// A parameter as a call site binds it.
struct ParameterSlot {
  std::string_view name;
  bool positional = true;  // may be passed by position (not after `*` or `*args`)
  bool variadic = false;   // `*args` or `**kwargs`
  // What the parameter is when a call leaves it out: its default's evidence (Closed for a literal
  // or a constant), Unknown when it has no default.
  KeySource when_omitted = KeySource::Unknown;
};

// The parameters of `function` (a function_definition or lambda), in order, `self` included.
// `scope` is where the definition runs (its defaults are evaluated there).
std::vector<ParameterSlot> parameterSlots(const RuleContext& context, TSNode function,
                                          ScopeId scope);

}  // namespace heaplint
