#include "analyzer/call_evidence.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <deque>
#include <functional>
#include <iterator>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/concat.h"
#include "analyzer/container_evidence.h"
#include "analyzer/facts_io.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

// Decorators that neither call the function elsewhere nor hand it to anyone.
constexpr std::array<std::string_view, 9> kPlainDecoratorModules = {
    "builtins.",   "functools.",   "abc.",  "typing.",  "typing_extensions.",
    "contextlib.", "dataclasses.", "enum.", "asyncio.",
};

class Resolver {
 public:
  explicit Resolver(const RuleContext& context)
      : context_(context), semantic_(context.semantic()), module_(context.options().module) {
    top_package_ = module_.name.substr(0, module_.name.find('.'));
  }

  // Where a callee is defined, when this walk saw its definition: a module-level name (every
  // definition of `local_name` in the module) or a method `local_name` of `class_node`.
  enum class Where : uint8_t { Elsewhere, ModuleName, Method };

  struct Callee {
    std::string name;
    CallForm form = CallForm::Plain;
    Where where = Where::Elsewhere;
    TSNode class_node{};
    std::string_view local_name;
    // Defined in another run of the document (incremental_analysis.h): its node is in that run's
    // tree, and what the walk saw of it (CallCollector::markFilling) is not known here.
    bool in_other_run = false;
  };

  // What a callee (or a function used as a value) names, when it is a function or class of the
  // project; an empty name otherwise.
  Callee resolve(ScopeId scope, TSNode expression) {
    Callee callee;
    const NodeKind kind = kindOf(expression);
    if (kind == NodeKind::Identifier) {
      const std::string_view name = context_.text(expression);
      const Resolution resolution = semantic_.resolve(scope, name, ts_node_start_byte(expression));
      if (resolution.kind != Resolution::Kind::Bound) return callee;
      const Binding& binding = *resolution.binding;
      if (binding.scope == 0 && (binding.kind == BindingKind::FunctionDefinition ||
                                 binding.kind == BindingKind::ClassDefinition)) {
        callee.name = dotted(name);
        if (binding.kind == BindingKind::ClassDefinition) callee.form = CallForm::Constructor;
        if (!ts_node_is_null(binding.node)) {
          callee.where = Where::ModuleName;
          callee.local_name = name;
          callee.in_other_run = binding.prelude;
        }
        return callee;
      }
      // A helper the class body itself calls (`@_register_loader(7, 1)` above a method, PIL's
      // way of filling dispatch tables): the class's function, called while the class is made.
      if (binding.kind == BindingKind::FunctionDefinition && binding.scope == scope &&
          !binding.prelude && !ts_node_is_null(binding.node) &&
          semantic_.scope(scope).kind == ScopeKind::Class) {
        const TSNode class_node = semantic_.scope(scope).node;
        callee.name = className(class_node) + concat(".", name);
        method(callee, class_node, name);
        return callee;
      }
      if (binding.kind == BindingKind::FromImport) {
        callee.name = projectName(semantic_.importedName(binding));
        return callee;
      }
      // `F = define_io_format` at module level, then `F(...)`: the function under another name.
      const TSNode aliased = moduleAliasOf(binding);
      if (ts_node_is_null(aliased)) return callee;
      Callee target = resolve(0, aliased);
      // An alias bound in another run: this run does not name the function it stands for, so it
      // is not walked again when that function changes.
      if (binding.prelude) target.where = Where::Elsewhere;
      return target;
    }
    if (kind != NodeKind::Attribute) return callee;
    const TSNode object = childByField(expression, Field::Object);
    const std::string_view attribute =
        context_.text(childByField(expression, Field::AttributeName));
    if (kindOf(object) == NodeKind::Identifier) {
      ScopeId method_scope = kNoScope;
      const MethodKind receiver = receiverKind(scope, object, method_scope);
      if (receiver == MethodKind::Instance || receiver == MethodKind::Property ||
          receiver == MethodKind::Class) {
        const TSNode class_node = classOfMethod(semantic_, method_scope);
        if (!ts_node_is_null(class_node) && defines(class_node, attribute)) {
          callee.name = className(class_node) + concat(".", attribute);
          callee.form = context_.text(object) == "cls" || receiver == MethodKind::Class
                            ? CallForm::Class
                            : CallForm::Instance;
          method(callee, class_node, attribute);
        }
        return callee;
      }
      const Resolution resolution =
          semantic_.resolve(scope, context_.text(object), ts_node_start_byte(object));
      if (resolution.kind == Resolution::Kind::Bound && resolution.binding->scope == 0) {
        const Binding& binding = *resolution.binding;
        if (binding.kind == BindingKind::ClassDefinition && !ts_node_is_null(binding.node)) {
          if (defines(binding.node, attribute)) {
            callee.name = className(binding.node) + concat(".", attribute);
            callee.form = CallForm::Class;
            method(callee, binding.node, attribute);
            callee.in_other_run = binding.prelude;
          }
          return callee;
        }
        // `warmer.prime(...)` after `warmer = Warmer()`: a method of a class of this file.
        if (binding.kind == BindingKind::Assignment) {
          const TSNode value = singleAssignedValue(context_, binding);
          if (kindOf(value) == NodeKind::Call) {
            const TSNode made = childByField(value, Field::Function);
            if (kindOf(made) == NodeKind::Identifier) {
              const Resolution maker =
                  semantic_.resolve(0, context_.text(made), ts_node_start_byte(made));
              if (maker.kind == Resolution::Kind::Bound &&
                  maker.binding->kind == BindingKind::ClassDefinition &&
                  !ts_node_is_null(maker.binding->node) &&
                  defines(maker.binding->node, attribute)) {
                callee.name = className(maker.binding->node) + concat(".", attribute);
                callee.form = CallForm::Instance;
                // Not for a class of another run: this run does not name the class, so it is
                // not walked again when the class changes.
                if (!maker.binding->prelude) method(callee, maker.binding->node, attribute);
              }
            }
          }
          return callee;
        }
      }
    }
    const std::string qualified = semantic_.qualifiedName(scope, expression);
    if (!qualified.empty()) callee.name = projectName(qualified);
    return callee;
  }

  // The name a module-level name is only ever bound to, when that name is a function or class
  // defined at module level (`F = define_io_format`); a null node otherwise.
  TSNode moduleAliasOf(const Binding& binding) const {
    if (binding.scope != 0 || binding.kind != BindingKind::Assignment) return TSNode{};
    const TSNode value = singleAssignedValue(context_, binding);
    if (kindOf(value) != NodeKind::Identifier || context_.text(value) == binding.name) {
      return TSNode{};
    }
    const Resolution target = semantic_.resolve(0, context_.text(value), ts_node_start_byte(value));
    if (target.kind != Resolution::Kind::Bound || target.binding->scope != 0 ||
        (target.binding->kind != BindingKind::FunctionDefinition &&
         target.binding->kind != BindingKind::ClassDefinition)) {
      return TSNode{};
    }
    return value;
  }

  // Whether `node` is the value of such an alias (`F = define_io_format`): the function does not
  // escape there, its calls through the alias are its own.
  bool isAliasedAt(TSNode node) const {
    const TSNode assignment = parentOf(node);
    if (kindOf(assignment) != NodeKind::Assignment ||
        !ts_node_eq(childByField(assignment, Field::Right), node)) {
      return false;
    }
    const TSNode left = childByField(assignment, Field::Left);
    if (kindOf(left) != NodeKind::Identifier) return false;
    const std::vector<const Binding*> bindings = semantic_.bindingsIn(0, context_.text(left));
    return bindings.size() == 1 && ts_node_eq(moduleAliasOf(*bindings.front()), node);
  }

  // What the method whose first parameter `object` is makes of it (isInstanceReceiver,
  // isClassReceiver): NotAMethod when `object` is not such a parameter. Remembered per method.
  MethodKind receiverKind(ScopeId scope, TSNode object, ScopeId& method) {
    method = receivingMethod(scope, object);
    if (method == kNoScope) return MethodKind::NotAMethod;
    const auto known = kinds_.find(method);
    if (known != kinds_.end()) return known->second;
    const MethodKind kind = methodKind(context_, method);
    kinds_.emplace(method, kind);
    return kind;
  }

  // Whether the class body defines `name` as a function (methodNamed), from the names of its
  // functions, gathered once per class.
  bool defines(TSNode class_node, std::string_view name) {
    auto it = methods_.find(class_node.id);
    if (it == methods_.end()) {
      std::vector<std::string_view> names;
      forEachMethod(class_node, [&](TSNode function) {
        names.push_back(context_.text(childByField(function, Field::Name)));
        return true;
      });
      it = methods_.emplace(class_node.id, std::move(names)).first;
    }
    return std::find(it->second.begin(), it->second.end(), name) != it->second.end();
  }

  std::string dotted(std::string_view name) const {
    return module_.name.empty() ? std::string(name) : module_.name + concat(".", name);
  }

  std::string className(TSNode class_node) {
    const auto it = names_.find(class_node.id);
    if (it != names_.end()) return it->second;
    std::string name = definitionName(context_, class_node);
    names_.emplace(class_node.id, name);
    return name;
  }

  // The absolute name of an import when it names something of this project: a relative import,
  // or one under the file's own top-level package. Empty otherwise.
  std::string projectName(std::string_view imported) const {
    std::string absolute = absoluteName(imported, module_);
    if (absolute.empty() || imported.starts_with("builtins.")) return {};
    if (imported.starts_with('.')) return absolute;
    if (top_package_.empty()) return {};
    if (absolute.size() > top_package_.size() && absolute.starts_with(top_package_) &&
        absolute[top_package_.size()] == '.') {
      return absolute;
    }
    return {};
  }

 private:
  static void method(Callee& callee, TSNode class_node, std::string_view name) {
    callee.where = Where::Method;
    callee.class_node = class_node;
    callee.local_name = name;
  }

  ScopeId receivingMethod(ScopeId scope, TSNode object) const {
    const Resolution resolution =
        semantic_.resolve(scope, context_.text(object), ts_node_start_byte(object));
    if (resolution.kind != Resolution::Kind::Bound) return kNoScope;
    return methodReceiving(semantic_, *resolution.binding);
  }

  const RuleContext& context_;
  const SemanticModel& semantic_;
  const ModuleInfo& module_;
  std::string top_package_;
  std::unordered_map<const void*, std::string> names_;
  std::unordered_map<ScopeId, MethodKind> kinds_;
  std::unordered_map<const void*, std::vector<std::string_view>> methods_;
};

}  // namespace

bool mayMakeMutableContainer(TSNode default_value) {
  switch (kindOf(default_value)) {
    case NodeKind::Dictionary:
    case NodeKind::List:
    case NodeKind::Set:
    case NodeKind::DictionaryComprehension:
    case NodeKind::ListComprehension:
    case NodeKind::SetComprehension:
    case NodeKind::Call:
      return true;
    default:
      return false;
  }
}

bool hasMutableLookingDefault(TSNode function) {
  return anyDefaultParameter(
      function, [](TSNode, TSNode, TSNode value) { return mayMakeMutableContainer(value); });
}

namespace {

// Whether a function of this file can fill a cache, as far as its text shows: it is decorated
// (a memoizer, or anything that may wrap it), or it, or code nested in it, adds to a container
// (`c[k] = v`, `c += ...`, `c |= ...`, `c.add(k)`, `c[k].append(v)`, ...: the growth
// container_evidence.h records, and more). Only such functions, and those that pass their
// parameters on to them, have call sites whose arguments a join reads.
class CacheFillers {
 public:
  // `filling`: the functions the walk saw store into a container (CallCollector::markFilling).
  // `mutable_defaults_only`: only a function with a mutable-looking default counts as one.
  CacheFillers(const RuleContext& context, const std::unordered_set<const void*>& filling,
               bool mutable_defaults_only)
      : context_(context), filling_(filling), mutable_defaults_only_(mutable_defaults_only) {}

  bool mayFill(const Resolver::Callee& callee) {
    if (callee.where == Resolver::Where::Elsewhere) return true;
    // Whether a function of another run fills a container is that run's walk's to know; whether
    // it has a mutable-looking default, its node tells.
    if (callee.in_other_run && !mutable_defaults_only_) return true;
    const auto known = by_name_.find(callee.name);
    if (known != by_name_.end()) return known->second;
    const bool fills = callee.where == Resolver::Where::Method
                           ? methodMayFill(callee.class_node, callee.local_name)
                           : moduleNameMayFill(callee.local_name);
    by_name_.emplace(callee.name, fills);
    return fills;
  }

 private:
  // Every binding of the name in the module must be a definition of this walk that cannot fill.
  bool moduleNameMayFill(std::string_view name) {
    for (const Binding* binding : context_.semantic().bindingsIn(0, name)) {
      if ((binding->prelude && !mutable_defaults_only_) || ts_node_is_null(binding->node)) {
        return true;
      }
      if (binding->kind == BindingKind::FunctionDefinition) {
        if (functionMayFill(binding->node)) return true;
      } else if (binding->kind == BindingKind::ClassDefinition) {
        // Its callers pass the arguments of `__init__` and `__new__`.
        if (kindOf(parentOf(binding->node)) == NodeKind::DecoratedDefinition ||
            methodMayFill(binding->node, "__init__") || methodMayFill(binding->node, "__new__")) {
          return true;
        }
      } else {
        return true;
      }
    }
    return false;
  }

  // Every statement of the class body that binds the name. The body is read once per class.
  bool methodMayFill(TSNode class_node, std::string_view name) {
    const ClassBody& body = classBody(class_node);
    // A decorator may wrap the method in anything that fills a cache; it does not give it a
    // default it does not have.
    if ((!mutable_defaults_only_ &&
         std::binary_search(body.decorated.begin(), body.decorated.end(), name)) ||
        std::binary_search(body.identifiers.begin(), body.identifiers.end(), name)) {
      return true;
    }
    for (const auto& [function_name, function] : body.functions) {
      if (function_name == name && functionMayFill(function)) return true;
    }
    return false;
  }

  // A class body's statements as methodMayFill reads them: the names of its decorated
  // definitions, its functions, and every identifier in its other statements (`name = ...`, or
  // anything else that may bind a name).
  struct ClassBody {
    std::vector<std::string_view> decorated;  // sorted
    std::vector<std::pair<std::string_view, TSNode>> functions;
    std::vector<std::string_view> identifiers;  // sorted, unique
  };

  const ClassBody& classBody(TSNode class_node) {
    const auto known = classes_.find(class_node.id);
    if (known != classes_.end()) return known->second;
    ClassBody read;
    const TSNode body = childByField(class_node, Field::Body);
    const uint32_t count = namedChildCount(body);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode statement = nthNamedChild(body, i);
      switch (kindOf(statement)) {
        case NodeKind::DecoratedDefinition: {
          const TSNode definition = childByField(statement, Field::Definition);
          const std::string_view name = context_.text(childByField(definition, Field::Name));
          read.decorated.push_back(name);
          if (kindOf(definition) == NodeKind::FunctionDefinition)
            read.functions.emplace_back(name, definition);
          break;
        }
        case NodeKind::FunctionDefinition:
          read.functions.emplace_back(context_.text(childByField(statement, Field::Name)),
                                      statement);
          break;
        default:
          visitSubtree(statement, [&](TSNode node, TSFieldId /*field*/) {
            if (kindOf(node) == NodeKind::Identifier)
              read.identifiers.push_back(context_.text(node));
            return Visit::Descend;
          });
          break;
      }
    }
    std::sort(read.decorated.begin(), read.decorated.end());
    std::sort(read.identifiers.begin(), read.identifiers.end());
    read.identifiers.erase(std::unique(read.identifiers.begin(), read.identifiers.end()),
                           read.identifiers.end());
    return classes_.emplace(class_node.id, std::move(read)).first->second;
  }

  // Decorated (a memoizer, or anything that may wrap it), or it, or code nested in it, adds to
  // a container: `c[k] = v`, `c += ...`, `c |= ...`, `c.add(k)`, `c[k].append(v)`, ...
  // With `mutable_defaults_only`, whether it has a default that may be such a container: the only
  // functions whose callers' keys the rules then follow.
  bool functionMayFill(TSNode function) const {
    if (mutable_defaults_only_) return hasMutableLookingDefault(function);
    if (kindOf(parentOf(function)) == NodeKind::DecoratedDefinition) return true;
    return filling_.contains(function.id);
  }

  const RuleContext& context_;
  const std::unordered_set<const void*>& filling_;
  bool mutable_defaults_only_ = false;
  std::unordered_map<std::string, bool> by_name_;
  std::unordered_map<const void*, ClassBody> classes_;
};

// The key a run provides for a function of it that passes its parameters on to a function that
// may fill a cache (analysis in runs: RuleContext::provides).
std::string forwardingKey(std::string_view function) {
  return concat("passes parameters on to a cache: ", function);
}

bool isPlainDecorator(const RuleContext& context, TSNode decorator, ScopeId scope) {
  const TSNode expression = decoratorExpression(decorator);
  TSNode callee =
      kindOf(expression) == NodeKind::Call ? childByField(expression, Field::Function) : expression;
  // `@name.setter` of a property.
  if (kindOf(callee) == NodeKind::Attribute) {
    const std::string_view accessor = context.text(childByField(callee, Field::AttributeName));
    if (accessor == "setter" || accessor == "getter" || accessor == "deleter") return true;
  }
  const std::string qualified = decoratorName(context, decorator, scope);
  if (qualified.empty()) return false;
  for (std::string_view prefix : kPlainDecoratorModules) {
    if (qualified.starts_with(prefix)) return true;
  }
  const LibraryKnowledge library(context.options().settings->libraries);
  return library.memoizer(qualified).has_value();
}

void writeSource(FactsWriter& out, KeySource source) {
  out.u32(static_cast<uint32_t>(source));
}

bool readSource(FactsReader& in, KeySource& source) {
  const uint32_t value = in.u32();
  if (value > static_cast<uint32_t>(KeySource::Data)) return false;
  source = static_cast<KeySource>(value);
  return true;
}

}  // namespace

std::string definitionName(const RuleContext& context, TSNode definition) {
  std::vector<std::string_view> parts;
  for (TSNode node = definition; !ts_node_is_null(node) && parts.size() < 32;
       node = parentOf(node)) {
    const NodeKind kind = kindOf(node);
    if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition) {
      parts.push_back(context.text(childByField(node, Field::Name)));
    }
  }
  std::string name = context.options().module.name;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!name.empty()) name += '.';
    name += *it;
  }
  return name;
}

namespace {
// The outermost function definition the walk is in (nested helpers and lambdas belong to it, as
// for key_evidence.h's parameters); null at import.
TSNode outermostFunction(const RuleContext& context) {
  for (const ExecutionContext& execution : context.executions()) {
    if (execution.kind == NodeKind::FunctionDefinition) return execution.node;
  }
  return TSNode{};
}
}  // namespace

void CallCollector::onCall(TSNode call, const RuleContext& context) {
  const NodeKind callee = kindOf(childByField(call, Field::Function));
  if (callee != NodeKind::Identifier && callee != NodeKind::Attribute) return;
  calls_.push_back(Pending{call, context.scope(), outermostFunction(context),
                           context.enclosingFunction() == nullptr});
}

void CallCollector::onDecorator(TSNode decorator, const RuleContext& context) {
  decorators_.push_back(Pending{decorator, context.scope(), outermostFunction(context),
                                context.enclosingFunction() == nullptr});
}

void CallCollector::onName(TSNode node, NodeKind kind, const RuleContext& context) {
  if (context.depth() < 2) return;
  const Frame& parent = context.frame(1);
  switch (parent.kind) {
    case NodeKind::ArgumentList:
    case NodeKind::ReturnStatement:
    case NodeKind::List:
    case NodeKind::Tuple:
    case NodeKind::Set:
      break;
    case NodeKind::ExpressionList:  // `return a, b`, `x = a, b`; not `del a, b`
      if (context.depth() < 3 || (context.frame(2).kind != NodeKind::ReturnStatement &&
                                  context.frame(2).kind != NodeKind::Assignment)) {
        return;
      }
      break;
    case NodeKind::KeywordArgument:
    case NodeKind::Pair:
      if (context.frame().field != Field::Value) return;
      break;
    case NodeKind::Assignment:
      if (context.frame().field != Field::Right) return;
      break;
    default:
      return;
  }
  if (kind == NodeKind::Attribute &&
      kindOf(childByField(node, Field::Object)) != NodeKind::Identifier) {
    return;
  }
  if (isMappedOverLiteralAtImport(node, context)) {
    mapped_.push_back(Pending{node, context.scope(), TSNode{}, true});
    return;
  }
  references_.push_back(Pending{node, context.scope(), outermostFunction(context), false});
}

// `list(map(_register_basic, [(1, "B", "byte"), ...]))` at module or class level: the function
// is called, at import, once per item of the literal, as if each call were written out. The shape
// only: whether the callee is the builtin `map` is asked after the walk (computeFacts).
bool CallCollector::isMappedOverLiteralAtImport(TSNode node, const RuleContext& context) {
  if (context.depth() < 3 || context.enclosingFunction() != nullptr ||
      context.frame(2).kind != NodeKind::Call) {
    return false;
  }
  const TSNode arguments = context.frame(1).node;
  if (!ts_node_eq(nthNamedChildSkippingExtras(arguments, 0), node) ||
      !hasNamedChildrenSkippingExtras(arguments, 2)) {
    return false;
  }
  const NodeKind items = kindOf(nthNamedChildSkippingExtras(arguments, 1));
  return items == NodeKind::List || items == NodeKind::Tuple;
}

void CallCollector::onNode(TSNode node, NodeKind kind, const RuleContext& context) {
  switch (kind) {
    case NodeKind::Call:
      onCall(node, context);
      break;
    case NodeKind::Decorator:
      onDecorator(node, context);
      break;
    case NodeKind::Identifier:
      onName(node, kind, context);
      break;
    case NodeKind::Attribute:
      onName(node, kind, context);
      if (!for_mutable_defaults_only_ &&
          isGrowMethod(context.text(childByField(node, Field::AttributeName)))) {
        markFilling(context);
      }
      break;
    case NodeKind::AugmentedAssignment:
      if (!for_mutable_defaults_only_) markFilling(context);
      break;
    case NodeKind::Subscript:
      if (!for_mutable_defaults_only_ && isStoredInto(context)) markFilling(context);
      break;
    default:
      break;
  }
}

// A subscript inside what an assignment, a `for` or an `as` stores into (`c[k] = v`,
// `for c[k] in ...`, anything under `with ... as ...`, as CacheFillers has always read them).
bool CallCollector::isStoredInto(const RuleContext& context) {
  for (size_t up = 1; up < context.depth(); ++up) {
    switch (context.frame(up).kind) {
      case NodeKind::AsPattern:
        return true;
      case NodeKind::Assignment:
      case NodeKind::ForStatement:
      case NodeKind::ForInClause:
        if (context.frame(up - 1).field == Field::Left) return true;
        break;
      case NodeKind::Block:
      case NodeKind::Module:
      case NodeKind::FunctionDefinition:
      case NodeKind::ClassDefinition:
        return false;
      default:
        break;
    }
  }
  return false;
}

// The functions around the node may fill a cache (CacheFillers): every enclosing definition,
// up to one already marked (its own enclosing ones were marked with it).
void CallCollector::markFilling(const RuleContext& context) {
  for (size_t up = 0; up < context.depth(); ++up) {
    const Frame& frame = context.frame(up);
    if (frame.kind == NodeKind::FunctionDefinition && !filling_.insert(frame.node.id).second) {
      return;
    }
  }
}

const CallFacts& CallCollector::facts(const RuleContext& context) {
  if (!facts_) facts_ = computeFacts(context);
  return *facts_;
}

CallFacts CallCollector::take(const RuleContext& context) {
  if (!facts_) return computeFacts(context);
  CallFacts facts = std::move(*facts_);
  facts_.reset();
  return facts;
}

CallFacts CallCollector::computeFacts(const RuleContext& context) {
  CallFacts facts;
  Resolver resolver(context);
  std::set<std::string> callers_described;
  std::unordered_map<const void*, std::string> callers;
  const auto callerOf = [&](TSNode function) -> std::string {
    if (ts_node_is_null(function)) return {};
    const auto it = callers.find(function.id);
    if (it != callers.end()) return it->second;
    std::string name = definitionName(context, function);
    callers.emplace(function.id, name);
    return name;
  };
  // Each call's callee first; what the arguments are made of only where a join may read it.
  struct Resolved {
    Resolver::Callee callee;  // no name: not a call of the project's
    bool described = false;
    bool forwards = false;  // passes on parameters of the function it is in
    bool unpacked = false;
    std::vector<CallArgument> arguments;
  };
  std::vector<Resolved> resolved(calls_.size());
  for (size_t index = 0; index < calls_.size(); ++index) {
    const Pending& pending = calls_[index];
    const TSNode function = childByField(pending.node, Field::Function);
    // `load.cache_clear()`, `self.lookup.cache_clear()`, toolz's `load.cache.clear()`.
    if (kindOf(function) == NodeKind::Attribute) {
      const std::string_view method = context.text(childByField(function, Field::AttributeName));
      TSNode cleared{};
      const TSNode object = childByField(function, Field::Object);
      if (method == "cache_clear") {
        cleared = object;
      } else if (method == "clear" && kindOf(object) == NodeKind::Attribute &&
                 context.text(childByField(object, Field::AttributeName)) == "cache") {
        cleared = childByField(object, Field::Object);
      }
      if (!ts_node_is_null(cleared)) {
        std::string name = resolver.resolve(pending.scope, cleared).name;
        if (!name.empty()) facts.cleared.push_back(std::move(name));
        continue;
      }
    }
    resolved[index].callee = resolver.resolve(pending.scope, function);
    const TSNode arguments = childByField(pending.node, Field::Arguments);
    const uint32_t count = namedChildCount(arguments);
    for (uint32_t i = 0; i < count; ++i) {
      const NodeKind kind = kindOf(nthNamedChild(arguments, i));
      resolved[index].unpacked = resolved[index].unpacked || kind == NodeKind::ListSplat ||
                                 kind == NodeKind::DictionarySplat ||
                                 kind == NodeKind::ParenthesizedListSplat;
    }
  }
  KeyMemo key_memo;  // the file's arguments follow the same local names again and again
  const auto describe = [&](const Pending& pending, Resolved& call) {
    call.described = true;
    const TSNode arguments = childByField(pending.node, Field::Arguments);
    const uint32_t count = namedChildCount(arguments);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode argument = nthNamedChild(arguments, i);
      const NodeKind kind = kindOf(argument);
      if (kind == NodeKind::Comment || kind == NodeKind::ListSplat ||
          kind == NodeKind::DictionarySplat || kind == NodeKind::ParenthesizedListSplat) {
        continue;
      }
      CallArgument described;
      TSNode value = argument;
      if (kind == NodeKind::KeywordArgument) {
        described.keyword = std::string(context.text(childByField(argument, Field::Name)));
        value = childByField(argument, Field::Value);
      }
      const KeyEvidence evidence = keyEvidence(context, pending.scope, value, &key_memo);
      described.source = evidence.overall();
      described.parameters = evidence.source <= KeySource::Parameter ? evidence.parameters : 0;
      described.reason = reasonForFacts(evidence.reason);
      call.forwards = call.forwards || described.parameters != 0;
      call.arguments.push_back(std::move(described));
    }
  };
  // The calls of functions that may fill a cache, then of the functions that pass their
  // parameters on to those calls, and so on until no function is added (a join follows keys
  // at most three callers up; this follows them as far as the file goes).
  CacheFillers fillers(context, filling_, for_mutable_defaults_only_);
  std::set<std::string, std::less<>> forwarding;  // functions of this file passing parameters on
  // In analysis in runs, with the mutable-defaults rules: whether a callee of another run passes
  // its parameters on to such a function, as that run's walk found it (a key it provides; the
  // rounds of IncrementalAnalysis settle chains of runs). Its calls are described then.
  std::unordered_map<std::string, bool> forwards_in_other_run;
  const auto forwardsInOtherRun = [&](const Resolver::Callee& callee) {
    if (!callee.in_other_run || !for_mutable_defaults_only_) return false;
    const auto known = forwards_in_other_run.find(callee.name);
    if (known != forwards_in_other_run.end()) return known->second;
    bool forwards = false;
    const auto ask = [&](const std::string& function) {
      const std::string key = forwardingKey(function);
      context.dependsOn(key);
      forwards = context.moduleProvides(key) || forwards;
    };
    ask(callee.name);
    if (callee.form == CallForm::Constructor) {
      ask(concat(callee.name, ".__init__"));
      ask(concat(callee.name, ".__new__"));
    }
    forwards_in_other_run.emplace(callee.name, forwards);
    return forwards;
  };
  const auto mayFill = [&](const Resolver::Callee& callee) {
    return fillers.mayFill(callee) || forwarding.contains(callee.name) ||
           forwardsInOtherRun(callee) ||
           (callee.form == CallForm::Constructor &&
            (forwarding.contains(concat(callee.name, ".__init__")) ||
             forwarding.contains(concat(callee.name, ".__new__"))));
  };
  for (bool added = true; added;) {
    added = false;
    for (size_t index = 0; index < calls_.size(); ++index) {
      Resolved& call = resolved[index];
      if (call.described || call.callee.name.empty() || !mayFill(call.callee)) continue;
      describe(calls_[index], call);
      if (call.forwards && !ts_node_is_null(calls_[index].function)) {
        added = forwarding.insert(callerOf(calls_[index].function)).second || added;
      }
    }
  }
  if (for_mutable_defaults_only_) {
    for (const std::string& function : forwarding)
      context.provides(forwardingKey(function));
  }
  for (size_t index = 0; index < calls_.size(); ++index) {
    const Pending& pending = calls_[index];
    Resolved& call = resolved[index];
    if (call.callee.name.empty()) continue;
    CallSite site;
    site.callee = std::move(call.callee.name);
    site.form = call.callee.form;
    site.at_import = pending.at_import;
    site.row = context.source().rowOf(ts_node_start_byte(pending.node));
    site.caller = callerOf(pending.function);
    site.unpacked = call.unpacked;
    site.arguments = std::move(call.arguments);
    if (call.forwards && callers_described.insert(site.caller).second) {
      facts.callers.push_back(functionSignatureFrom(context, pending.scope, pending.function));
    }
    facts.calls.push_back(std::move(site));
  }
  for (const Pending& pending : decorators_) {
    const TSNode decorated = parentOf(pending.node);
    const TSNode definition = childByField(decorated, Field::Definition);
    if (isPlainDecorator(context, pending.node, pending.scope)) continue;
    // The decorated function is handed to the decorator: whoever it registers with calls it.
    if (kindOf(definition) == NodeKind::FunctionDefinition) {
      facts.referenced.push_back(definitionName(context, definition));
    }
    const TSNode expression = decoratorExpression(pending.node);
    if (kindOf(expression) == NodeKind::Call) continue;  // its own call is recorded
    Resolver::Callee callee = resolver.resolve(pending.scope, expression);
    if (callee.name.empty()) continue;
    CallSite site;
    site.callee = std::move(callee.name);
    site.at_import = pending.at_import;
    site.row = context.source().rowOf(ts_node_start_byte(pending.node));
    site.caller = callerOf(pending.function);
    CallArgument argument;
    argument.source = KeySource::Closed;
    argument.reason = "the decorated definition";
    site.arguments.push_back(std::move(argument));
    facts.calls.push_back(std::move(site));
  }
  for (const Pending& pending : mapped_) {
    const TSNode map_call = parentOf(parentOf(pending.node));
    if (!context.semantic().resolvesTo(pending.scope, childByField(map_call, Field::Function),
                                       "builtins.map")) {
      // Handed to another function: a reference, as the loop below records them.
      std::string name = resolver.resolve(pending.scope, pending.node).name;
      if (!name.empty()) facts.referenced.push_back(std::move(name));
      continue;
    }
    Resolver::Callee callee = resolver.resolve(pending.scope, pending.node);
    if (callee.name.empty()) continue;
    CallSite site;
    site.callee = std::move(callee.name);
    site.at_import = true;
    site.row = context.source().rowOf(ts_node_start_byte(pending.node));
    CallArgument argument;
    argument.source = KeySource::Closed;
    argument.reason = "an item of a literal";
    site.arguments.push_back(std::move(argument));
    facts.calls.push_back(std::move(site));
  }
  for (const Pending& pending : references_) {
    if (pending.scope == 0 && resolver.isAliasedAt(pending.node)) continue;
    std::string name = resolver.resolve(pending.scope, pending.node).name;
    // A function that hands itself on (`return functools.partial(rename_parameter, since)`, a
    // decorator factory's own partial) reaches no caller but its own callers.
    if (name.empty() ||
        (!ts_node_is_null(pending.function) && callerOf(pending.function) == name)) {
      continue;
    }
    facts.referenced.push_back(std::move(name));
  }
  // Re-exports: `from .finitefield import FiniteField` makes `pkg.FiniteField` another name of
  // `pkg.finitefield.FiniteField`.
  for (const Binding& binding : context.semantic().bindings()) {
    if (binding.scope != 0 || binding.prelude || binding.kind != BindingKind::FromImport) continue;
    std::string target = resolver.projectName(context.semantic().importedName(binding));
    if (target.empty()) continue;
    facts.aliases.emplace_back(resolver.dotted(binding.name), std::move(target));
  }
  return facts;
}

std::unique_ptr<FileFacts> FileCallFacts::read(FactsReader& in) {
  auto facts = std::make_unique<FileCallFacts>();
  if (!facts->calls.read(in)) return nullptr;
  return facts;
}

void CallFacts::write(FactsWriter& out) const {
  StringTableWriter table;
  for (const CallSite& site : calls) {
    table.add(site.callee);
    table.add(site.caller);
    for (const CallArgument& argument : site.arguments) {
      table.add(argument.keyword);
      table.add(argument.reason);
    }
  }
  for (const std::vector<std::string>* names : {&referenced, &cleared}) {
    for (const std::string& name : *names)
      table.add(name);
  }
  for (const FunctionSignature& signature : callers) {
    table.add(signature.name);
    for (const FunctionSignature::Slot& slot : signature.slots)
      table.add(slot.name);
  }
  for (const auto& [alias, target] : aliases) {
    table.add(alias);
    table.add(target);
  }
  table.write(out);

  out.u32(static_cast<uint32_t>(calls.size()));
  for (const CallSite& site : calls) {
    table.ref(out, site.callee);
    table.ref(out, site.caller);
    out.u32(site.row);
    out.u32(static_cast<uint32_t>(site.form));
    out.boolean(site.at_import);
    out.boolean(site.unpacked);
    out.u32(static_cast<uint32_t>(site.arguments.size()));
    for (const CallArgument& argument : site.arguments) {
      table.ref(out, argument.keyword);
      writeSource(out, argument.source);
      out.u32(argument.parameters);
      table.ref(out, argument.reason);
    }
  }
  for (const std::vector<std::string>* names : {&referenced, &cleared}) {
    out.u32(static_cast<uint32_t>(names->size()));
    for (const std::string& name : *names)
      table.ref(out, name);
  }
  out.u32(static_cast<uint32_t>(callers.size()));
  for (const FunctionSignature& signature : callers) {
    table.ref(out, signature.name);
    out.u32(static_cast<uint32_t>(signature.kind));
    out.u32(static_cast<uint32_t>(signature.slots.size()));
    for (const FunctionSignature::Slot& slot : signature.slots) {
      table.ref(out, slot.name);
      out.boolean(slot.positional);
      out.boolean(slot.variadic);
      writeSource(out, slot.when_omitted);
    }
  }
  out.u32(static_cast<uint32_t>(aliases.size()));
  for (const auto& [alias, target] : aliases) {
    table.ref(out, alias);
    table.ref(out, target);
  }
}

namespace {

// Reads CallFacts::write's bytes into `sink`, which keeps each string of the table
// (`std::string_view keep(std::string_view)`, returning a view that lives as long as the sink
// needs) and takes the facts as they come: site() then argument() for each of its arguments,
// referenced(), cleared(), signature(), alias(). Shared by CallFacts::read and CallIndex, which
// indexes packed facts without making CallFacts objects first.
template <class Sink>
bool decodeCallFacts(FactsReader& in, Sink& sink) {
  std::vector<std::string_view> table;
  if (!readStringTable(in, table, [&](std::string_view value) { return sink.keep(value); })) {
    return false;
  }
  bool ok = true;
  const auto ref = [&]() -> std::string_view {
    const uint32_t index = in.u32();
    if (index < table.size()) return table[index];
    ok = false;
    return {};
  };
  const uint32_t count = in.count();
  for (uint32_t i = 0; i < count && in.ok() && ok; ++i) {
    const std::string_view callee = ref();
    const std::string_view caller = ref();
    const uint32_t row = in.u32();
    const uint32_t form = in.u32();
    if (form > static_cast<uint32_t>(CallForm::Constructor)) return false;
    const bool at_import = in.boolean();
    const bool unpacked = in.boolean();
    sink.site(callee, caller, row, static_cast<CallForm>(form), at_import, unpacked);
    const uint32_t arguments = in.count();
    for (uint32_t j = 0; j < arguments && in.ok() && ok; ++j) {
      const std::string_view keyword = ref();
      KeySource source = KeySource::Unknown;
      if (!readSource(in, source)) return false;
      const uint32_t parameters = in.u32();
      sink.argument(keyword, source, parameters, ref());
    }
  }
  for (const bool is_referenced : {true, false}) {
    const uint32_t names = in.count();
    for (uint32_t i = 0; i < names && in.ok() && ok; ++i) {
      const std::string_view name = ref();
      if (is_referenced) {
        sink.referenced(name);
      } else {
        sink.cleared(name);
      }
    }
  }
  const uint32_t signatures = in.count();
  for (uint32_t i = 0; i < signatures && in.ok() && ok; ++i) {
    FunctionSignature signature;
    signature.name = ref();
    const uint32_t kind = in.u32();
    if (kind > static_cast<uint32_t>(MethodKind::Property)) return false;
    signature.kind = static_cast<MethodKind>(kind);
    const uint32_t slots = in.count();
    for (uint32_t j = 0; j < slots && in.ok() && ok; ++j) {
      FunctionSignature::Slot slot;
      slot.name = ref();
      slot.positional = in.boolean();
      slot.variadic = in.boolean();
      if (!readSource(in, slot.when_omitted)) return false;
      signature.slots.push_back(std::move(slot));
    }
    sink.signature(std::move(signature));
  }
  const uint32_t aliases = in.count();
  for (uint32_t i = 0; i < aliases && in.ok() && ok; ++i) {
    const std::string_view alias = ref();
    sink.alias(alias, ref());
  }
  return in.ok() && ok;
}

// Makes the CallFacts objects.
class CallFactsBuilder {
 public:
  explicit CallFactsBuilder(CallFacts& facts) : facts_(facts) {}
  std::string_view keep(std::string_view text) { return strings_.emplace_back(text); }
  void site(std::string_view callee, std::string_view caller, uint32_t row, CallForm form,
            bool at_import, bool unpacked) {
    CallSite& site = facts_.calls.emplace_back();
    site.callee = callee;
    site.caller = caller;
    site.row = row;
    site.form = form;
    site.at_import = at_import;
    site.unpacked = unpacked;
  }
  void argument(std::string_view keyword, KeySource source, uint32_t parameters,
                std::string_view reason) {
    facts_.calls.back().arguments.push_back(
        CallArgument{std::string(keyword), source, parameters, std::string(reason)});
  }
  void referenced(std::string_view name) { facts_.referenced.emplace_back(name); }
  void cleared(std::string_view name) { facts_.cleared.emplace_back(name); }
  void signature(FunctionSignature signature) { facts_.callers.push_back(std::move(signature)); }
  void alias(std::string_view alias, std::string_view target) {
    facts_.aliases.emplace_back(alias, target);
  }

 private:
  CallFacts& facts_;
  std::deque<std::string> strings_;  // the table, while reading
};

}  // namespace

bool CallFacts::read(FactsReader& in) {
  CallFactsBuilder builder(*this);
  return decodeCallFacts(in, builder);
}

void CallFacts::appendShifted(const CallFacts& next, int64_t rows) {
  for (CallSite site : next.calls) {
    site.row = shiftedOffset(site.row, rows);
    calls.push_back(std::move(site));
  }
  referenced.insert(referenced.end(), next.referenced.begin(), next.referenced.end());
  cleared.insert(cleared.end(), next.cleared.begin(), next.cleared.end());
  callers.insert(callers.end(), next.callers.begin(), next.callers.end());
  aliases.insert(aliases.end(), next.aliases.begin(), next.aliases.end());
}

FunctionSignature functionSignature(const RuleContext& context, TSNode function, ScopeId scope,
                                    ScopeId own_scope) {
  FunctionSignature signature;
  signature.name = definitionName(context, function);
  const SemanticModel& semantic = context.semantic();
  if (own_scope != kNoScope && ts_node_eq(semantic.scope(own_scope).node, function)) {
    signature.kind = methodKind(context, own_scope);
  } else {
    // The function's own scope: the one whose node it is, among the children of `scope`.
    for (ScopeId id = scope + 1; id < semantic.scopeCount(); ++id) {
      if (ts_node_eq(semantic.scope(id).node, function)) {
        signature.kind = methodKind(context, id);
        break;
      }
    }
  }
  for (const ParameterSlot& slot : parameterSlots(context, function, scope)) {
    signature.slots.push_back(FunctionSignature::Slot{std::string(slot.name), slot.positional,
                                                      slot.variadic, slot.when_omitted});
  }
  return signature;
}

FunctionSignature functionSignatureFrom(const RuleContext& context, ScopeId inside,
                                        TSNode function) {
  const SemanticModel& semantic = context.semantic();
  for (ScopeId current = inside; current != kNoScope; current = semantic.scope(current).parent) {
    if (ts_node_eq(semantic.scope(current).node, function)) {
      return functionSignature(context, function, semantic.scope(current).parent);
    }
  }
  FunctionSignature unknown;
  unknown.name = definitionName(context, function);
  return unknown;
}

void FunctionSignature::write(FactsWriter& out) const {
  out.string(name);
  out.u32(static_cast<uint32_t>(kind));
  out.u32(static_cast<uint32_t>(slots.size()));
  for (const Slot& slot : slots) {
    out.string(slot.name);
    out.boolean(slot.positional);
    out.boolean(slot.variadic);
    writeSource(out, slot.when_omitted);
  }
}

bool FunctionSignature::read(FactsReader& in) {
  name = in.string();
  const uint32_t value = in.u32();
  if (value > static_cast<uint32_t>(MethodKind::Property)) return false;
  kind = static_cast<MethodKind>(value);
  const uint32_t count = in.count();
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    Slot slot;
    slot.name = in.string();
    slot.positional = in.boolean();
    slot.variadic = in.boolean();
    if (!readSource(in, slot.when_omitted)) return false;
    slots.push_back(std::move(slot));
  }
  return in.ok();
}

namespace {

// Whether a lower-case name speaks of a demonstration (`demo`, `run_demo`, `demoapp`,
// `demonstration`, `demotools`), not of words that merely hold the letters (`demographics`,
// `democracy`, `demolish`, `demote`, `pandemonium`, `codemod`, `demodulate`, `demosaic`).
bool namesDemo(std::string_view name) {
  constexpr std::array<std::string_view, 11> kOtherWords = {
      "demograph", "democra", "demolish", "demolition", "demote",  "demotion",
      "demotic",   "demon",   "demod",    "demosaic",   "demoniz",
  };
  for (size_t at = name.find("demo"); at != std::string_view::npos;
       at = name.find("demo", at + 1)) {
    const std::string_view rest = name.substr(at);
    bool other_word = false;
    for (std::string_view word : kOtherWords) {
      other_word = other_word || rest.starts_with(word);
    }
    if (!other_word || rest.starts_with("demonstrat")) return true;
  }
  return false;
}

}  // namespace

bool isDemoOrDebugCode(std::string_view qualified) {
  size_t start = 0;
  while (start <= qualified.size()) {
    size_t end = qualified.find('.', start);
    if (end == std::string_view::npos) end = qualified.size();
    std::string segment(qualified.substr(start, end - start));
    for (char& c : segment)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (namesDemo(segment) || segment.find("debug") != std::string::npos || segment == "example" ||
        segment == "examples" || segment.starts_with("example_") || segment == "migrations" ||
        segment == "alembic") {
      return true;
    }
    start = end + 1;
  }
  return false;
}

// Each distinct string once, in blocks that never move, numbered from 1 (0 is the empty string):
// sites and arguments keep the numbers. Found again through an open-addressing table of the
// numbers: about 24 bytes a string, where a node-based set took about 48.
struct CallIndex::Strings {
  static constexpr size_t kBlockSize = size_t{64} << 10;
  std::vector<std::string_view> texts{std::string_view()};
  std::vector<uint32_t> slots = std::vector<uint32_t>(1024, 0);  // numbers; 0: free
  std::vector<std::unique_ptr<char[]>> blocks;
  size_t used = kBlockSize;  // in the last block

  uint32_t intern(std::string_view text) {
    if (text.empty()) return 0;
    const size_t mask = slots.size() - 1;
    size_t at = std::hash<std::string_view>{}(text)&mask;
    for (; slots[at] != 0; at = (at + 1) & mask) {
      if (texts[slots[at]] == text) return slots[at];
    }
    const auto id = static_cast<uint32_t>(texts.size());
    texts.push_back(copy(text));
    slots[at] = id;
    if (texts.size() * 2 > slots.size()) grow();
    return id;
  }

 private:
  std::string_view copy(std::string_view text) {
    char* start = nullptr;
    if (text.size() > kBlockSize / 4) {
      // A large one gets a block of its own, before the last block so that it stays the last.
      start = blocks
                  .insert(blocks.end() - (blocks.empty() ? 0 : 1),
                          std::make_unique<char[]>(text.size()))
                  ->get();
    } else {
      if (kBlockSize - used < text.size()) {
        blocks.push_back(std::make_unique<char[]>(kBlockSize));
        used = 0;
      }
      start = blocks.back().get() + used;
      used += text.size();
    }
    std::copy(text.begin(), text.end(), start);
    return {start, text.size()};
  }

  void grow() {
    slots.assign(slots.size() * 2, 0);
    const size_t mask = slots.size() - 1;
    for (uint32_t id = 1; id < texts.size(); ++id) {
      size_t at = std::hash<std::string_view>{}(texts[id]) & mask;
      while (slots[at] != 0)
        at = (at + 1) & mask;
      slots[at] = id;
    }
  }
};

CallIndex::CallIndex() : strings_(std::make_unique<Strings>()) {}
CallIndex::~CallIndex() = default;

std::string_view CallIndex::intern(std::string_view text) const {
  return strings_->texts[strings_->intern(text)];
}

uint32_t CallIndex::number(std::string_view text) const {
  return strings_->intern(text);
}

std::string_view CallIndex::text(uint32_t number) const {
  return strings_->texts[number];
}

// Adds decoded facts (decodeCallFacts) to the index.
class CallIndex::Builder {
 public:
  Builder(CallIndex& index, size_t file) : index_(index), file_(file) {}
  std::string_view keep(std::string_view text) { return index_.intern(text); }
  void site(std::string_view callee, std::string_view caller, uint32_t row, CallForm form,
            bool at_import, bool unpacked) {
    Site& site = index_.sites_.emplace_back();
    site.callee = index_.number(callee);
    site.caller = index_.number(caller);
    site.row = row;
    site.form = form;
    site.at_import = at_import;
    site.unpacked = unpacked;
    site.file = static_cast<uint32_t>(file_);
    site.first_argument = static_cast<uint32_t>(index_.arguments_.size());
  }
  void argument(std::string_view keyword, KeySource source, uint32_t parameters,
                std::string_view reason) {
    index_.arguments_.push_back(
        Argument{index_.number(keyword), index_.number(reason), parameters, source});
    ++index_.sites_.back().argument_count;
  }
  void referenced(std::string_view name) { index_.referenced_.insert(name); }
  void cleared(std::string_view name) { index_.cleared_.insert(name); }
  void signature(FunctionSignature signature) {
    const FunctionSignature& kept = index_.signatures_.emplace_back(std::move(signature));
    index_.callers_.emplace(keep(kept.name), &kept);
  }
  void alias(std::string_view alias, std::string_view target) {
    index_.aliases_.emplace(alias, target);
  }

 private:
  CallIndex& index_;
  size_t file_;
};

void CallIndex::add(size_t file, const CallFacts& facts) {
  Builder builder(*this, file);
  for (const CallSite& site : facts.calls) {
    builder.site(intern(site.callee), intern(site.caller), site.row, site.form, site.at_import,
                 site.unpacked);
    for (const CallArgument& argument : site.arguments) {
      builder.argument(intern(argument.keyword), argument.source, argument.parameters,
                       intern(argument.reason));
    }
  }
  for (const std::string& name : facts.referenced)
    builder.referenced(intern(name));
  for (const std::string& name : facts.cleared)
    builder.cleared(intern(name));
  for (const FunctionSignature& signature : facts.callers)
    builder.signature(signature);
  for (const auto& [alias, target] : facts.aliases)
    builder.alias(intern(alias), intern(target));
  linked_ = false;
}

bool CallIndex::addPacked(size_t file, std::string_view bytes) {
  FactsReader in(bytes);
  Builder builder(*this, file);
  linked_ = false;
  return decodeCallFacts(in, builder) && in.atEnd();
}

void CallIndex::add(size_t file, const ProjectFileView& view) {
  if (view.calls != nullptr) {
    add(file, *view.calls);
  } else if (!view.packed_calls.empty()) {
    addPacked(file, view.packed_calls);
  }
}

bool CallIndex::runsOnlyAtImport(std::string_view name) const {
  return onlyAtImport(name, 0);
}

bool CallIndex::onlyAtImport(std::string_view name, int depth) const {
  if (depth > 4 || isReferenced(name)) return false;
  std::string_view callee = name;
  if (callee.ends_with(".__init__") || callee.ends_with(".__new__")) {
    callee = callee.substr(0, callee.rfind('.'));
    if (isReferenced(callee)) return false;
  }
  const Sites sites = callsOf(callee);
  if (sites.empty()) return false;
  return std::all_of(sites.begin(), sites.end(), [&](const Site& site) {
    const std::string_view caller = text(site.caller);
    return site.at_import || (!caller.empty() && caller != name && onlyAtImport(caller, depth + 1));
  });
}

std::string CallIndex::canonical(std::string_view name) const {
  std::string current(name);
  for (int step = 0; step < 8; ++step) {
    // The longest aliased prefix: `pkg.Record.add` through an alias of `pkg.Record`.
    size_t end = current.size();
    bool moved = false;
    while (end != std::string::npos && end > 0) {
      const auto it = aliases_.find(std::string_view(current).substr(0, end));
      if (it != aliases_.end() && it->second != std::string_view(current).substr(0, end)) {
        current = concat(it->second, std::string_view(current).substr(end));
        moved = true;
        break;
      }
      end = current.rfind('.', end - 1);
    }
    if (!moved) break;
  }
  return current;
}

void CallIndex::link() const {
  if (linked_) return;
  linked_ = true;
  // The sites by the name they call, each name's in the order added; then each name's run by
  // the canonical name it stands for (a stable sort keeps the names' order within one).
  by_callee_.resize(sites_.size());
  std::iota(by_callee_.begin(), by_callee_.end(), 0U);
  std::stable_sort(by_callee_.begin(), by_callee_.end(), [&](uint32_t a, uint32_t b) {
    return text(sites_[a].callee) < text(sites_[b].callee);
  });
  std::vector<std::string_view> canonical_of_run;  // of each distinct name called, in order
  std::vector<uint32_t> run_of(sites_.size());     // by position in by_callee_
  for (uint32_t at = 0; at < by_callee_.size(); ++at) {
    const std::string_view name = text(sites_[by_callee_[at]].callee);
    if (at == 0 || sites_[by_callee_[at]].callee != sites_[by_callee_[at - 1]].callee)
      canonical_of_run.push_back(aliases_.empty() ? name : intern(canonical(name)));
    run_of[at] = static_cast<uint32_t>(canonical_of_run.size() - 1);
  }
  if (!aliases_.empty()) {
    // Positions, sorted by their run's canonical name, then mapped back to sites.
    std::vector<uint32_t> positions(by_callee_.size());
    std::iota(positions.begin(), positions.end(), 0U);
    std::stable_sort(positions.begin(), positions.end(), [&](uint32_t a, uint32_t b) {
      return canonical_of_run[run_of[a]] < canonical_of_run[run_of[b]];
    });
    std::vector<uint32_t> sorted_runs(positions.size());
    for (uint32_t i = 0; i < positions.size(); ++i) {
      sorted_runs[i] = run_of[positions[i]];
      positions[i] = by_callee_[positions[i]];
    }
    by_callee_ = std::move(positions);
    run_of = std::move(sorted_runs);
  }
  callee_starts_.clear();
  for (uint32_t at = 0; at < by_callee_.size(); ++at) {
    const std::string_view callee = canonical_of_run[run_of[at]];
    if (callee_starts_.empty() || callee_starts_.back().first != callee)
      callee_starts_.emplace_back(callee, at);
  }
  callee_starts_.shrink_to_fit();
  if (aliases_.empty()) return;
  std::set<std::string_view, std::less<>> referenced;
  for (const std::string_view name : referenced_)
    referenced.insert(intern(canonical(name)));
  referenced_ = std::move(referenced);
  std::set<std::string_view, std::less<>> cleared;
  for (const std::string_view name : cleared_)
    cleared.insert(intern(canonical(name)));
  cleared_ = std::move(cleared);
}

CallIndex::Sites CallIndex::callsOf(std::string_view callee) const {
  link();
  const auto it = std::lower_bound(callee_starts_.begin(), callee_starts_.end(), callee,
                                   [](const std::pair<std::string_view, uint32_t>& start,
                                      std::string_view name) { return start.first < name; });
  if (it == callee_starts_.end() || it->first != callee) return Sites(sites_, {});
  const uint32_t end = std::next(it) == callee_starts_.end()
                           ? static_cast<uint32_t>(by_callee_.size())
                           : std::next(it)->second;
  return Sites(sites_, std::span<const uint32_t>(by_callee_).subspan(it->second, end - it->second));
}

CallIndex::Keys CallIndex::keysFromCallers(const FunctionSignature& function,
                                           uint32_t parameters) const {
  return keysAt(function, parameters, 0);
}

CallIndex::Keys CallIndex::keysAt(const FunctionSignature& function, uint32_t parameters,
                                  int depth) const {
  Keys keys;
  std::string_view callee = function.name;
  bool constructor = false;
  if (callee.ends_with(".__init__") || callee.ends_with(".__new__")) {
    callee = callee.substr(0, callee.rfind('.'));
    constructor = true;
  }
  keys.unseen_callers = isReferenced(function.name) || (constructor && isReferenced(callee));
  bool first = true;
  for (const Site& site : callsOf(callee)) {
    const std::string_view caller = text(site.caller);
    if (caller == function.name) continue;  // recursion passes on what it was given
    keys.has_callers = true;
    const bool implicit_first =
        constructor || function.kind == MethodKind::Class ||
        (function.kind == MethodKind::Instance && site.form == CallForm::Instance) ||
        (function.kind == MethodKind::Property && site.form == CallForm::Instance);
    KeySource strongest = KeySource::Closed;
    std::string reason;
    const auto consider = [&](KeySource source, std::string_view why) {
      if (source > strongest || reason.empty()) {
        if (source >= strongest) {
          strongest = source;
          reason = why;
        }
      }
    };
    size_t positional = 0;
    std::vector<bool> given(function.slots.size(), false);
    for (const Argument& argument : argumentsOf(site)) {
      const std::string_view keyword = text(argument.keyword);
      const std::string_view argument_reason = text(argument.reason);
      size_t slot = function.slots.size();
      if (keyword.empty()) {
        slot = positional++ + (implicit_first ? 1 : 0);
        if (slot < function.slots.size() && !function.slots[slot].positional) {
          // Past the positional slots: into `*args`, which the key may iterate.
          for (size_t i = 0; i < function.slots.size(); ++i) {
            if (function.slots[i].variadic) {
              slot = i;
              break;
            }
          }
        }
      } else {
        for (size_t i = 0; i < function.slots.size(); ++i) {
          if (function.slots[i].name == keyword) slot = i;
        }
      }
      if (slot >= function.slots.size() || slot >= 32) continue;
      given[slot] = true;
      if ((parameters & (1U << slot)) == 0) continue;
      // A caller passing on its own parameters: its callers may show a closed set, or data.
      const auto forwarded = callers_.find(caller);
      if (argument.source == KeySource::Parameter && argument.parameters != 0 && depth < 3 &&
          forwarded != callers_.end()) {
        const Keys outer = keysAt(*forwarded->second, argument.parameters, depth + 1);
        const bool closed = outer.source <= KeySource::Configuration && !outer.unseen_callers;
        if (outer.has_callers && (closed || outer.source >= KeySource::Entity)) {
          consider(outer.source, outer.reason);
          continue;
        }
        // Passed on from an API or a callback: what it receives is out of sight.
        if (!outer.has_callers) {
          consider(KeySource::Unknown,
                   concat(argument_reason, ", which no caller in the project shows"));
          continue;
        }
      }
      consider(argument.source, argument_reason);
    }
    for (size_t slot = 0; slot < function.slots.size() && slot < 32; ++slot) {
      if ((parameters & (1U << slot)) == 0 || given[slot]) continue;
      if (slot == 0 && implicit_first) {
        consider(constructor ? KeySource::Object : KeySource::Unknown, "the instance");
      } else if (site.unpacked) {
        consider(KeySource::Unknown, "arguments unpacked at the call");
      } else {
        consider(function.slots[slot].when_omitted,
                 concat("the default of `", function.slots[slot].name, "`"));
      }
    }
    if (first || strongest > keys.source) {
      keys.source = strongest;
      keys.reason = reason;
      keys.file = site.file;
      keys.row = site.row;
      first = false;
    }
  }
  return keys;
}

}  // namespace heaplint
