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

}  // namespace heaplint
