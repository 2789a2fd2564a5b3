// What a callback handed to a registry keeps alive, and what a registry's own subscribe method
// does with the callback it receives, as a reviewer reads them from the code: a nested function
// keeps the variables of the call it reads, a bound method keeps its instance, a function of the
// module keeps nothing per call; a `connect(self, func)` that stores `weakref.WeakMethod(func)`
// keeps nothing alive at all. MEM301 asks both; so can any rule about observers or finalizers.
//
// Answered after the walk, when names resolve.
#pragma once

#include <tree_sitter/api.h>

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;

enum class CallbackKind : uint8_t {
  None,            // not made here: a module-level function, a parameter, a weak reference
  NestedFunction,  // `def on_done(...)` inside the function
  Lambda,
  BoundMethod,  // `self.on_event`, where the class defines `on_event` as an instance method
};

struct CallbackEvidence {
  CallbackKind kind = CallbackKind::None;
  // How messages name it: "on_done", "self.refresh", "functools.partial(self.redraw, ...)";
  // empty for a lambda written in place.
  std::string display;
  TSNode instance_class{};  // for bound methods (and partials of them): the class of `self`
  // What the callback keeps of the call that made it: the enclosing functions' variables it
  // reads (or binds as defaults, or that a `functools.partial` binds), `self` for a bound method.
  // At most four, in source order. Empty: it keeps nothing per call.
  std::vector<std::string_view> captures;
};

// Describes `expression`, evaluated in `scope`, as a callback the code around it makes: a nested
// function or lambda, a bound method of `self`, a local name bound once to one of these, or
// `functools.partial` of one of them; also a nested function's definition itself (a registry's
// decorator on it). Anything else (a module-level function, a parameter,
// `weakref.WeakMethod(...)`) is None.
CallbackEvidence callbackOf(const RuleContext& context, ScopeId scope, TSNode expression);

// The captures as messages list them: "`user_id`, `handle`".
std::string capturedList(const CallbackEvidence& callback);

// Whether a method that registers callbacks (`function`, a function_definition in a class body)
// keeps what it receives weakly: it wraps a parameter in `weakref.WeakMethod`, `weakref.ref` or
// `weakref.proxy`, stores it in a `WeakSet`, `WeakKeyDictionary` or `WeakValueDictionary` the
// class (or module) keeps, hands it to another method of the class that does, or takes
// `weak=True` by default (Django's dispatcher and its forks). Returns the reason as a phrase for
// messages ("wraps `func` in `weakref.WeakMethod`"), or empty.
std::string weakCallbackHold(const RuleContext& context, TSNode function);

}  // namespace heaplint
