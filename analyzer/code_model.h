// Questions about definitions that several rules ask: which function or class a scope is, what a
// method's decorators make of it, which parameter is the instance, whether a function takes
// per-call input. Answered from the syntax tree and the semantic model, so only after the walk
// (in RuleChecker::finish), when names resolve.
#pragma once

#include <tree_sitter/api.h>

#include <string>
#include <string_view>

#include "analyzer/semantic_model.h"
#include "analyzer/syntax.h"

namespace heaplint {

class RuleContext;

enum class MethodKind : uint8_t {
  NotAMethod,  // a function outside a class body, or a lambda
  Instance,    // its first parameter is the instance
  Class,       // `classmethod`, `__init_subclass__`, `__class_getitem__`
  Static,      // `staticmethod`, `__new__` (which receives the class explicitly)
  Property,    // `property`, `functools.cached_property` and `.setter`/`.getter`/`.deleter`
};

// The dotted name a decorator stands for through imports (the callee of `@lru_cache(maxsize=1)`),
// with a module's `from x import *` taken not to rebind builtins; empty when unknown.
std::string decoratorName(const RuleContext& context, TSNode decorator, ScopeId scope);

// The decorated_definition around a function or class definition, or a null node.
TSNode decoratedDefinitionOf(TSNode definition);

// Does a decorator of `definition` stand for a name that `accepts` (given the qualified name,
// "builtins.classmethod")? `scope` is where the decorators are evaluated.
bool hasDecorator(const RuleContext& context, TSNode definition, ScopeId scope,
                  bool (*accepts)(std::string_view qualified));

// What kind of method the function whose own scope is `function_scope` is.
MethodKind methodKind(const RuleContext& context, ScopeId function_scope);

// The name node of a function's first parameter (`self`, `cls`), or a null node.
TSNode firstParameterName(TSNode function);

// The name node of one entry of a parameter list (`x`, `x: int`, `x=1`, `*args`, `**kw`), or a
// null node for separators (`/`, `*`).
TSNode parameterName(TSNode parameter);

// The value of the keyword argument `name=` in a call's argument list (the last one written), or
// a null node.
TSNode keywordArgumentValue(const RuleContext& context, TSNode arguments, std::string_view name);

// The scope of the method whose first parameter `parameter` is, or kNoScope.
ScopeId methodReceiving(const SemanticModel& semantic, const Binding& parameter);

// The class definition whose body directly holds the function scope, or a null node.
TSNode classOfMethod(const SemanticModel& semantic, ScopeId function_scope);

// Whether `expression` (an identifier) names the instance in an instance method: the first
// parameter of a method that is neither a class nor a static method. Sets `class_node`.
bool isInstanceReceiver(const RuleContext& context, ScopeId scope, TSNode expression,
                        TSNode* class_node = nullptr);
// Whether `expression` names the class in a class method (`cls`).
bool isClassReceiver(const RuleContext& context, ScopeId scope, TSNode expression,
                     TSNode* class_node = nullptr);

// Parameters a caller must pass: `x` and `x: int`, not `x=1`, `*args` or `**kwargs`.
uint32_t requiredParameters(TSNode parameters);

// The innermost function scope (function or lambda) that holds `scope`, or kNoScope.
ScopeId enclosingFunctionScope(const SemanticModel& semantic, ScopeId scope);

// A function's name as the code calls it: "load", "Widget.__init__", "outer.inner".
std::string functionDisplayName(const RuleContext& context, ScopeId function_scope);

// Whether a class definition's bases (or metaclass) make it an Enum, directly or through classes
// of this file.
bool isEnumClass(const RuleContext& context, TSNode class_definition, ScopeId scope);

// The value bound to a name by its only binding in its scope, when that binding is a plain
// assignment (`rows = load()`); a null node otherwise. `value_scope` is where the value is
// evaluated.
TSNode singleAssignedValue(const RuleContext& context, const Binding& binding,
                           ScopeId* value_scope = nullptr);

// Whether code of the class assigns an attribute named `name` (on any receiver, `setattr` too) or
// binds `name` in its body outside the `def` itself (`definition`).
bool classAssigns(const RuleContext& context, TSNode class_definition, std::string_view name,
                  TSNode definition);

// The function definition named `name` directly in a class body (decorated or not); a null node
// when there is none.
TSNode methodNamed(const RuleContext& context, TSNode class_node, std::string_view name);

// Calls `visit(function_definition)` for each function the class body defines (decorated ones
// included), in order, until it returns false.
template <typename Visit>
void forEachMethod(TSNode class_node, Visit&& visit) {
  const TSNode body = childByField(class_node, Field::Body);
  const uint32_t count = namedChildCount(body);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode statement = undecorated(nthNamedChild(body, i));
    if (kindOf(statement) == NodeKind::FunctionDefinition && !visit(statement)) return;
  }
}

// Whether a name is written as a constant (`MAX_ROWS`, `_FIELDS`): upper case, digits and `_`.
bool isConstantName(std::string_view name);

}  // namespace heaplint

namespace heaplint {

// What `receiver.name` gives, for an attribute whose receiver is the instance (`self.close`) or
// the class (`cls.build`) in a method, read from the class's own body:
// - InstanceMethod: a new bound-method object on each access that holds the instance (an
//   undecorated `def` reached through the instance);
// - ClassMethod: a new bound-method object on each access that holds the class (a
//   `classmethod`, reached through the instance or the class);
// - StaticMethod: a `staticmethod`, a plain function that holds nothing;
// - Unknown: anything else, including a name the body does not define as a function (inherited,
//   or set by `__getattr__`), one wrapped by another decorator, and one that any code of the
//   class also assigns (`self.close = ...`, `close = ...` in the body). After the walk.
enum class MemberKind : uint8_t { Unknown, InstanceMethod, ClassMethod, StaticMethod };
MemberKind receiverMemberKind(const RuleContext& context, ScopeId scope, TSNode attribute);

}  // namespace heaplint
