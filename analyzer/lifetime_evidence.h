// How long the object an expression names lives, as a reviewer would judge it from the code: a
// local, a parameter, an attribute of the instance, a class or class attribute, a module-level
// object (or an import), or a process-wide singleton reached through a getter
// (`Gtk.Settings.get_default()`, a module function that returns a module global or a cached
// instance). Rules that ask "does this registry or container outlive the call?" (MEM301, MEM201,
// the class-cache rules) ask this instead of reading the expression themselves.
//
// Answered after the walk, when names resolve.
#pragma once

#include <tree_sitter/api.h>

#include <span>
#include <string>
#include <string_view>

#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;

enum class Lifetime : uint8_t {
  Unknown,
  Local,      // a name bound in the function
  Parameter,  // handed in by the caller: it decides
  Instance,   // `self.x`: as long as the instance
  Class,      // a class, or an attribute of one (`Registry.items`, `cls.handlers`)
  Module,     // a module-level object or an import: as long as the process, in practice
  Process,    // a singleton reached through a getter, or a process-wide service (`atexit`)
};

struct LifetimeEvidence {
  Lifetime lifetime = Lifetime::Unknown;
  // Equal keys name the same object: "module:bus.handlers", "class@120.items", "self@120.bus",
  // "atexit", "getter:gajim.app.get_settings".
  std::string key;
  // How messages name it: "module-level `bus`", "class `EventBus`", "`get_settings()`".
  std::string display;
  // What the object is known as, for the library table: an import's dotted name
  // ("django.db.models.signals.post_save"), or the class that made a module-level object
  // (`sig = blinker.Signal()` gives "blinker.Signal"), or the getter ("*.get_default").
  std::string qualified;
  std::string_view last_name;  // the last name in the expression: `bus` of `self.bus`
  TSNode class_node{};         // for Class and Instance: the class definition, when known
  bool is_function = false;    // a module-level function (`f.register` of singledispatch)
};

LifetimeEvidence lifetimeOf(const RuleContext& context, ScopeId scope, TSNode expression);

// --- Across the files of a project (for project rules, whose facts are joined by name) ---

// The dotted name an expression stands for in the whole project: an import made absolute
// (`app.commands` after `from gajim.common import app` is "gajim.common.app.commands"), or a
// module-level name of this module with its attributes ("pkg.events.bus.handlers" for
// `bus.handlers` in pkg/events.py). Empty for anything else (locals, `self`, calls).
std::string projectName(const RuleContext& context, ScopeId scope, TSNode expression);

// The dotted name of a class defined at module level or in another class's body
// ("pkg.widgets.Tab", "pkg.widgets.Tab.Header"); empty for a class defined in a function.
std::string classProjectName(const RuleContext& context, TSNode class_node);

// The function whose result `expression` is: `get_settings()` itself, or a local bound once to
// such a call (`settings = get_settings()`), when the function has a project name (imported, or
// defined at module level), the call passes no arguments and the name is not capitalised (a
// class makes a new object). Its project name, or empty. The
// project step then asks whether the function is a singleton getter (below) in its own module.
std::string getterCalled(const RuleContext& context, ScopeId scope, TSNode expression);

// Whether `function`, a function definition at module level, hands out one shared object: it
// returns a module-level name and nothing else (`return _settings`), or it takes no arguments
// and is cached (`functools.cache`, `functools.lru_cache`). `returned` gets the project name of
// the module-level name it returns, when it returns one.
bool isSingletonGetter(const RuleContext& context, TSNode function, std::string* returned);
// The same, given the function's return statements (in source order, none of a nested function
// or class): what a collector saw during the walk, instead of a second walk of the body.
bool isSingletonGetter(const RuleContext& context, TSNode function, std::span<const TSNode> returns,
                       std::string* returned);

// Why the instances of a class are one per process, as a phrase for messages: a method stores
// `self` in a module-level name, an attribute of a module or a class attribute
// ("`MainWindow.__init__` stores `self` in `app.window`"), or `__new__` caches the instance it
// makes on the class. Empty when nothing says so.
std::string singletonInstanceReason(const RuleContext& context, TSNode class_node);

}  // namespace heaplint
