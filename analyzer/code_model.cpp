#include "analyzer/code_model.h"

#include <array>
#include <vector>

#include "analyzer/concat.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

bool isClassMethodName(std::string_view qualified) {
  return qualified == "builtins.classmethod" || qualified == "abc.abstractclassmethod";
}
bool isStaticMethodName(std::string_view qualified) {
  return qualified == "builtins.staticmethod" || qualified == "abc.abstractstaticmethod";
}
bool isPropertyName(std::string_view qualified) {
  return qualified == "builtins.property" || qualified == "functools.cached_property" ||
         qualified == "abc.abstractproperty";
}

constexpr std::array<std::string_view, 8> kEnumBases = {
    "enum.Enum",    "enum.IntEnum",  "enum.StrEnum",  "enum.Flag",
    "enum.IntFlag", "enum.ReprEnum", "enum.EnumType", "enum.EnumMeta",
};

bool isEnumClassAt(const RuleContext& context, TSNode definition, ScopeId scope, int depth) {
  if (depth > 8) return false;
  const TSNode bases = childByField(definition, Field::Superclasses);
  const uint32_t count = namedChildCount(bases);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode base = nthNamedChild(bases, i);
    if (kindOf(base) == NodeKind::KeywordArgument) {
      if (context.text(childByField(base, Field::Name)) != "metaclass") continue;
      base = childByField(base, Field::Value);
    }
    const std::string qualified = context.semantic().qualifiedName(scope, base);
    for (std::string_view enum_base : kEnumBases) {
      if (qualified == enum_base) return true;
    }
    if (kindOf(base) != NodeKind::Identifier) continue;
    const Resolution resolution =
        context.semantic().resolve(scope, context.text(base), ts_node_start_byte(base));
    if (resolution.kind == Resolution::Kind::Bound &&
        resolution.binding->kind == BindingKind::ClassDefinition &&
        isEnumClassAt(context, resolution.binding->node, resolution.binding->scope, depth + 1)) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string decoratorName(const RuleContext& context, TSNode decorator, ScopeId scope) {
  TSNode expression = firstNamedChildSkippingExtras(decorator);
  if (kindOf(expression) == NodeKind::Call) expression = childByField(expression, Field::Function);
  std::string qualified = context.semantic().qualifiedName(scope, expression);
  if (qualified.empty() && kindOf(expression) == NodeKind::Identifier) {
    // A module with `from x import *` still has the builtins it does not rebind.
    const std::string_view name = context.text(expression);
    if (SemanticModel::isBuiltinName(name) &&
        context.semantic().resolve(scope, name, ts_node_start_byte(expression)).kind ==
            Resolution::Kind::StarImported) {
      qualified = "builtins.";
      qualified += name;
    }
  }
  return qualified;
}

TSNode decoratedDefinitionOf(TSNode definition) {
  const TSNode parent = parentOf(definition);
  return kindOf(parent) == NodeKind::DecoratedDefinition ? parent : TSNode{};
}

bool hasDecorator(const RuleContext& context, TSNode definition, ScopeId scope,
                  bool (*accepts)(std::string_view qualified)) {
  const TSNode decorated = decoratedDefinitionOf(definition);
  const uint32_t count = namedChildCount(decorated);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode decorator = nthNamedChild(decorated, i);
    if (kindOf(decorator) == NodeKind::Decorator &&
        accepts(decoratorName(context, decorator, scope))) {
      return true;
    }
  }
  return false;
}

MethodKind methodKind(const RuleContext& context, ScopeId function_scope) {
  const SemanticModel& semantic = context.semantic();
  if (function_scope == kNoScope) return MethodKind::NotAMethod;
  const Scope& function = semantic.scope(function_scope);
  if (function.kind != ScopeKind::Function || function.parent == kNoScope ||
      semantic.scope(function.parent).kind != ScopeKind::Class) {
    return MethodKind::NotAMethod;
  }
  const std::string_view name = context.text(childByField(function.node, Field::Name));
  if (name == "__new__") return MethodKind::Static;
  if (name == "__init_subclass__" || name == "__class_getitem__") return MethodKind::Class;
  const TSNode decorated = decoratedDefinitionOf(function.node);
  const uint32_t count = namedChildCount(decorated);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode decorator = nthNamedChild(decorated, i);
    if (kindOf(decorator) != NodeKind::Decorator) continue;
    const std::string qualified = decoratorName(context, decorator, function.parent);
    if (isStaticMethodName(qualified)) return MethodKind::Static;
    if (isClassMethodName(qualified)) return MethodKind::Class;
    if (isPropertyName(qualified)) return MethodKind::Property;
    // `@name.setter` of a property defined above in the class.
    const TSNode expression = firstNamedChildSkippingExtras(decorator);
    if (kindOf(expression) == NodeKind::Attribute) {
      const std::string_view accessor =
          context.text(childByField(expression, Field::AttributeName));
      if (accessor == "setter" || accessor == "getter" || accessor == "deleter") {
        return MethodKind::Property;
      }
    }
  }
  return MethodKind::Instance;
}

TSNode keywordArgumentValue(const RuleContext& context, TSNode arguments, std::string_view name) {
  TSNode value{};
  const uint32_t count = namedChildCount(arguments);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode argument = nthNamedChild(arguments, i);
    if (kindOf(argument) == NodeKind::KeywordArgument &&
        context.text(childByField(argument, Field::Name)) == name) {
      value = childByField(argument, Field::Value);
    }
  }
  return value;
}

TSNode parameterName(TSNode parameter) {
  switch (kindOf(parameter)) {
    case NodeKind::Identifier:
      return parameter;
    case NodeKind::TypedParameter: {
      TSNode name = nthNamedChild(parameter, 0);
      if (kindOf(name) == NodeKind::ListSplatPattern ||
          kindOf(name) == NodeKind::DictionarySplatPattern) {
        name = nthNamedChild(name, 0);
      }
      return kindOf(name) == NodeKind::Identifier ? name : TSNode{};
    }
    case NodeKind::DefaultParameter:
    case NodeKind::TypedDefaultParameter:
      return childByField(parameter, Field::Name);
    case NodeKind::ListSplatPattern:
    case NodeKind::DictionarySplatPattern:
      return nthNamedChild(parameter, 0);
    default:
      return TSNode{};
  }
}

TSNode firstParameterName(TSNode function) {
  TSNode first = firstNamedChildSkippingExtras(childByField(function, Field::Parameters));
  const NodeKind kind = kindOf(first);
  if (kind == NodeKind::TypedParameter) {
    first = nthNamedChild(first, 0);
  } else if (kind == NodeKind::DefaultParameter || kind == NodeKind::TypedDefaultParameter) {
    first = childByField(first, Field::Name);
  }
  return kindOf(first) == NodeKind::Identifier ? first : TSNode{};
}

ScopeId methodReceiving(const SemanticModel& semantic, const Binding& parameter) {
  if (parameter.kind != BindingKind::Parameter || parameter.scope == kNoScope) return kNoScope;
  const Scope& function = semantic.scope(parameter.scope);
  if (function.kind != ScopeKind::Function || function.parent == kNoScope ||
      semantic.scope(function.parent).kind != ScopeKind::Class) {
    return kNoScope;
  }
  const TSNode first = firstParameterName(function.node);
  if (ts_node_is_null(first) || ts_node_start_byte(first) != parameter.offset) return kNoScope;
  return parameter.scope;
}

TSNode classOfMethod(const SemanticModel& semantic, ScopeId function_scope) {
  if (function_scope == kNoScope) return TSNode{};
  const Scope& function = semantic.scope(function_scope);
  if (function.parent == kNoScope || semantic.scope(function.parent).kind != ScopeKind::Class) {
    return TSNode{};
  }
  return semantic.scope(function.parent).node;
}

namespace {
ScopeId receivingMethod(const RuleContext& context, ScopeId scope, TSNode expression) {
  if (kindOf(expression) != NodeKind::Identifier) return kNoScope;
  const Resolution resolution =
      context.semantic().resolve(scope, context.text(expression), ts_node_start_byte(expression));
  if (resolution.kind != Resolution::Kind::Bound) return kNoScope;
  return methodReceiving(context.semantic(), *resolution.binding);
}
}  // namespace

bool isInstanceReceiver(const RuleContext& context, ScopeId scope, TSNode expression,
                        TSNode* class_node) {
  const ScopeId method = receivingMethod(context, scope, expression);
  if (method == kNoScope) return false;
  const MethodKind kind = methodKind(context, method);
  if (kind != MethodKind::Instance && kind != MethodKind::Property) return false;
  if (class_node != nullptr) *class_node = classOfMethod(context.semantic(), method);
  return true;
}

bool isClassReceiver(const RuleContext& context, ScopeId scope, TSNode expression,
                     TSNode* class_node) {
  const ScopeId method = receivingMethod(context, scope, expression);
  if (method == kNoScope || methodKind(context, method) != MethodKind::Class) return false;
  if (class_node != nullptr) *class_node = classOfMethod(context.semantic(), method);
  return true;
}

uint32_t requiredParameters(TSNode parameters) {
  uint32_t required = 0;
  const uint32_t count = namedChildCount(parameters);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode parameter = nthNamedChild(parameters, i);
    const NodeKind kind = kindOf(parameter);
    if (kind == NodeKind::Identifier ||
        (kind == NodeKind::TypedParameter &&
         kindOf(nthNamedChild(parameter, 0)) == NodeKind::Identifier)) {
      ++required;
    }
  }
  return required;
}

ScopeId enclosingFunctionScope(const SemanticModel& semantic, ScopeId scope) {
  for (ScopeId current = scope; current != kNoScope; current = semantic.scope(current).parent) {
    const ScopeKind kind = semantic.scope(current).kind;
    if (kind == ScopeKind::Function || kind == ScopeKind::Lambda) return current;
  }
  return kNoScope;
}

std::string functionDisplayName(const RuleContext& context, ScopeId function_scope) {
  std::string name;
  const SemanticModel& semantic = context.semantic();
  for (ScopeId current = function_scope; current != kNoScope;
       current = semantic.scope(current).parent) {
    const Scope& scope = semantic.scope(current);
    std::string_view part;
    if (scope.kind == ScopeKind::Function || scope.kind == ScopeKind::Class) {
      part = context.text(childByField(scope.node, Field::Name));
    } else if (scope.kind == ScopeKind::Lambda) {
      part = "<lambda>";
    } else {
      continue;
    }
    name = name.empty() ? std::string(part) : concat(part, ".", name);
  }
  return name;
}

bool isEnumClass(const RuleContext& context, TSNode class_definition, ScopeId scope) {
  return isEnumClassAt(context, class_definition, scope, 0);
}

TSNode singleAssignedValue(const RuleContext& context, const Binding& binding,
                           ScopeId* value_scope) {
  if (binding.kind != BindingKind::Assignment) return TSNode{};
  if (context.semantic().bindingsIn(binding.scope, binding.name).size() != 1) return TSNode{};
  const TSNode assignment = parentOf(binding.node);
  if (kindOf(assignment) != NodeKind::Assignment ||
      !ts_node_eq(childByField(assignment, Field::Left), binding.node)) {
    return TSNode{};
  }
  if (value_scope != nullptr) *value_scope = binding.scope;
  const TSNode value = childByField(assignment, Field::Right);
  // Assigned in another run of the document (analysis in runs): what the value reads there.
  if (binding.prelude) context.dependsOnNamesIn(value);
  return value;
}

bool isConstantName(std::string_view name) {
  bool has_letter = false;
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') {
      has_letter = true;
    } else if (c != '_' && !(c >= '0' && c <= '9')) {
      return false;
    }
  }
  return has_letter;
}

}  // namespace heaplint

namespace heaplint {
namespace {

bool isMethodWrapperName(std::string_view qualified) {
  return qualified == "abc.abstractmethod" || qualified == "typing.override" ||
         qualified == "typing_extensions.override";
}

}  // namespace

// An explicit stack: bounded by the tree, not by recursion.
bool classAssigns(const RuleContext& context, TSNode class_definition, std::string_view name,
                  TSNode definition) {
  std::vector<TSNode> pending{childByField(class_definition, Field::Body)};
  while (!pending.empty()) {
    const TSNode node = pending.back();
    pending.pop_back();
    const NodeKind kind = kindOf(node);
    if (kind == NodeKind::Assignment || kind == NodeKind::AugmentedAssignment) {
      std::vector<TSNode> targets{childByField(node, Field::Left)};
      while (!targets.empty()) {
        const TSNode target = targets.back();
        targets.pop_back();
        const NodeKind target_kind = kindOf(target);
        if (target_kind == NodeKind::Attribute &&
            context.text(childByField(target, Field::AttributeName)) == name) {
          return true;
        }
        if (target_kind == NodeKind::Identifier && context.text(target) == name) return true;
        if (target_kind == NodeKind::PatternList || target_kind == NodeKind::TuplePattern ||
            target_kind == NodeKind::ListPattern || target_kind == NodeKind::Tuple ||
            target_kind == NodeKind::List) {
          const uint32_t count = namedChildCount(target);
          for (uint32_t i = 0; i < count; ++i)
            targets.push_back(nthNamedChild(target, i));
        }
      }
    }
    // The statement a definition is, through its decorators.
    const auto statementOf = [](TSNode defined) {
      const TSNode parent = parentOf(defined);
      return kindOf(parent) == NodeKind::DecoratedDefinition ? parent : defined;
    };
    if ((kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition) &&
        !ts_node_eq(node, definition) && context.text(childByField(node, Field::Name)) == name &&
        ts_node_eq(parentOf(statementOf(node)), parentOf(statementOf(definition)))) {
      return true;  // defined twice in one body: which one wins depends on the order
    }
    // `setattr(self, "name", handler)` (or of any object: the class does not say which), or
    // `setattr(self, key, value)`, which may set any name.
    if (kind == NodeKind::Call && context.text(childByField(node, Field::Function)) == "setattr") {
      const TSNode named = nthNamedChildSkippingExtras(childByField(node, Field::Arguments), 1);
      const std::optional<std::string_view> content = kindOf(named) == NodeKind::String
                                                          ? plainStringContent(context.text(named))
                                                          : std::nullopt;
      if (!content || *content == name) return true;
    }
    const uint32_t count = namedChildCount(node);
    for (uint32_t i = 0; i < count; ++i)
      pending.push_back(ts_node_named_child(node, i));
  }
  return false;
}

MemberKind receiverMemberKind(const RuleContext& context, ScopeId scope, TSNode attribute) {
  if (kindOf(attribute) != NodeKind::Attribute) return MemberKind::Unknown;
  const TSNode receiver = childByField(attribute, Field::Object);
  TSNode class_definition{};
  bool on_instance = isInstanceReceiver(context, scope, receiver, &class_definition);
  if (!on_instance && !isClassReceiver(context, scope, receiver, &class_definition)) {
    return MemberKind::Unknown;
  }
  if (ts_node_is_null(class_definition)) return MemberKind::Unknown;
  const std::string_view name = context.text(childByField(attribute, Field::AttributeName));
  // The scope the class body runs in, where its methods' decorators are evaluated.
  const SemanticModel& semantic = context.semantic();
  // An enclosing scope of the method the receiver is in: up the scope tree, not through every
  // scope of the file (once per question, that was quadratic in the number of classes).
  ScopeId class_scope = kNoScope;
  for (ScopeId id = scope; id != kNoScope; id = semantic.scope(id).parent) {
    if (semantic.scope(id).kind == ScopeKind::Class &&
        ts_node_eq(semantic.scope(id).node, class_definition)) {
      class_scope = id;
      break;
    }
  }
  if (class_scope == kNoScope) return MemberKind::Unknown;
  const TSNode body = childByField(class_definition, Field::Body);
  const uint32_t count = namedChildCount(body);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode statement = nthNamedChild(body, i);
    const TSNode definition = undecorated(statement);
    if (kindOf(definition) != NodeKind::FunctionDefinition ||
        context.text(childByField(definition, Field::Name)) != name) {
      continue;
    }
    if (classAssigns(context, class_definition, name, definition)) return MemberKind::Unknown;
    bool class_method = false;
    const uint32_t decorators =
        kindOf(statement) == NodeKind::DecoratedDefinition ? namedChildCount(statement) : 0;
    for (uint32_t d = 0; d < decorators; ++d) {
      const TSNode decorator = nthNamedChild(statement, d);
      if (kindOf(decorator) != NodeKind::Decorator) continue;
      const std::string qualified = decoratorName(context, decorator, class_scope);
      if (isStaticMethodName(qualified)) return MemberKind::StaticMethod;
      if (isClassMethodName(qualified)) {
        class_method = true;
      } else if (!isMethodWrapperName(qualified)) {
        return MemberKind::Unknown;  // a property or any other descriptor
      }
    }
    if (class_method) return MemberKind::ClassMethod;
    return on_instance ? MemberKind::InstanceMethod : MemberKind::Unknown;
  }
  return MemberKind::Unknown;
}

TSNode methodNamed(const RuleContext& context, TSNode class_node, std::string_view name) {
  TSNode found{};
  forEachMethod(class_node, [&](TSNode function) {
    if (context.text(childByField(function, Field::Name)) == name) found = function;
    return ts_node_is_null(found);
  });
  return found;
}

}  // namespace heaplint
