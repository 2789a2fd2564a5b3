#include "analyzer/lifetime_evidence.h"

#include <algorithm>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/concat.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/project.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

constexpr int kMaxDepth = 8;

class LifetimeFinder {
 public:
  explicit LifetimeFinder(const RuleContext& context)
      : context_(context), library_(context.options().settings->libraries) {}

  LifetimeEvidence find(ScopeId scope, TSNode expression, int depth) const {
    LifetimeEvidence result;
    if (depth > kMaxDepth) return result;
    expression = unparenthesized(expression);
    result.display = "`" + std::string(context_.text(expression)) + "`";
    // Down the attribute and subscript chain to its head, keeping the names on the way.
    std::vector<std::string_view> tail;  // innermost last once reversed
    TSNode head = expression;
    for (int guard = 0; guard < 32; ++guard) {
      const NodeKind kind = kindOf(head);
      if (kind == NodeKind::Attribute) {
        const std::string_view name = context_.text(childByField(head, Field::AttributeName));
        if (result.last_name.empty()) result.last_name = name;
        tail.push_back(name);
        head = unparenthesized(childByField(head, Field::Object));
      } else if (kind == NodeKind::Subscript) {
        tail.push_back("[]");
        head = unparenthesized(childByField(head, Field::Value));
      } else {
        break;
      }
    }
    std::reverse(tail.begin(), tail.end());
    std::string suffix;
    for (std::string_view segment : tail) {
      suffix += '.';
      suffix += segment;
    }
    if (kindOf(head) == NodeKind::Call) return call(scope, head, tail, suffix, result);
    if (kindOf(head) != NodeKind::Identifier) return result;
    const std::string_view name = context_.text(head);
    if (result.last_name.empty()) result.last_name = name;
    return identifier(scope, head, name, tail, suffix, depth, result);
  }

 private:
  void classLifetime(TSNode class_node, const std::vector<std::string_view>& tail, size_t skip,
                     LifetimeEvidence& result) const {
    result.lifetime = Lifetime::Class;
    result.class_node = class_node;
    result.key = "class@" + std::to_string(ts_node_start_byte(class_node));
    std::string shown(context_.text(childByField(class_node, Field::Name)));
    for (size_t i = skip; i < tail.size(); ++i) {
      result.key += '.';
      result.key += tail[i];
      shown += '.';
      shown += tail[i];
    }
    result.display = (tail.size() > skip ? "class-level `" : "class `") + shown + "`";
  }

  LifetimeEvidence call(ScopeId scope, TSNode head, const std::vector<std::string_view>& tail,
                        const std::string& suffix, LifetimeEvidence& result) const {
    const TSNode callee = childByField(head, Field::Function);
    const TSNode arguments = childByField(head, Field::Arguments);
    std::string qualified = context_.semantic().qualifiedName(scope, callee);
    if (qualified.empty() && kindOf(callee) == NodeKind::Identifier &&
        context_.text(callee) == "type" &&
        context_.semantic().resolve(scope, "type", ts_node_start_byte(callee)).kind ==
            Resolution::Kind::StarImported) {
      qualified = "builtins.type";
    }
    // `type(self).registry`: the class of the instance.
    const TSNode typed = onlyNamedChildSkippingExtras(arguments);
    if (qualified == "builtins.type" && !ts_node_is_null(typed)) {
      TSNode class_node{};
      if (isInstanceReceiver(context_, scope, typed, &class_node)) {
        classLifetime(class_node, tail, 0, result);
      }
      return result;
    }
    const std::string method =
        kindOf(callee) == NodeKind::Attribute
            ? "*." + std::string(context_.text(childByField(callee, Field::AttributeName)))
            : std::string();
    if (library_.isSingletonGetter(qualified) ||
        (!method.empty() && library_.isSingletonGetter(method))) {
      result.lifetime = Lifetime::Process;
      result.qualified = qualified.empty() ? method : qualified;
      result.key = "getter:" + std::string(context_.text(callee)) + suffix;
      return result;
    }
    if (kindOf(callee) == NodeKind::Identifier && isSingletonGetterFunction(scope, callee)) {
      result.lifetime = Lifetime::Process;
      result.qualified = qualified;
      result.key = "getter:" + std::string(context_.text(callee)) + suffix;
    }
    return result;
  }

  // A function of this module that hands out one shared object: it returns a module-level name
  // (`return _settings`), or it is a cached function without parameters (the lazy singleton).
  bool isSingletonGetterFunction(ScopeId scope, TSNode callee) const {
    const SemanticModel& semantic = context_.semantic();
    const Resolution resolution =
        semantic.resolve(scope, context_.text(callee), ts_node_start_byte(callee));
    if (resolution.kind != Resolution::Kind::Bound ||
        resolution.binding->kind != BindingKind::FunctionDefinition ||
        semantic.scope(resolution.binding->scope).kind != ScopeKind::Module) {
      return false;
    }
    return isSingletonGetter(context_, resolution.binding->node, nullptr);
  }

  LifetimeEvidence identifier(ScopeId scope, TSNode head, std::string_view name,
                              const std::vector<std::string_view>& tail, const std::string& suffix,
                              int depth, LifetimeEvidence& result) const {
    const SemanticModel& semantic = context_.semantic();
    const Resolution resolution = semantic.resolve(scope, name, ts_node_start_byte(head));
    if (resolution.binding == nullptr) {
      if (resolution.kind == Resolution::Kind::Builtin) {
        result.lifetime = Lifetime::Module;
        result.key = "builtins." + std::string(name) + suffix;
      }
      return result;
    }
    const Binding& binding = *resolution.binding;
    TSNode class_node{};
    if (isClassReceiver(context_, scope, head, &class_node)) {
      classLifetime(class_node, tail, 0, result);
      return result;
    }
    if (isInstanceReceiver(context_, scope, head, &class_node)) {
      if (!tail.empty() && tail.front() == "__class__") {
        classLifetime(class_node, tail, 1, result);
        return result;
      }
      result.lifetime = Lifetime::Instance;
      result.class_node = class_node;
      result.key = "self@" + std::to_string(ts_node_start_byte(class_node)) + suffix;
      return result;
    }
    // `import atexit` inside a function still names the one module object.
    const bool imported =
        binding.kind == BindingKind::Import || binding.kind == BindingKind::FromImport;
    if (imported) {
      result.lifetime = Lifetime::Module;
      result.qualified = std::string(semantic.importedName(binding)) + suffix;
      result.key = result.qualified;
      return result;
    }
    if (semantic.scope(binding.scope).kind != ScopeKind::Module) {
      if (binding.kind == BindingKind::Parameter) {
        result.lifetime = Lifetime::Parameter;
        result.key = "parameter@" + std::to_string(binding.offset) + suffix;
        return result;
      }
      // `settings = get_settings()`: a local name for a long-lived object is that object.
      ScopeId value_scope = kNoScope;
      const TSNode value = singleAssignedValue(context_, binding, &value_scope);
      if (!ts_node_is_null(value) && tail.empty()) {
        LifetimeEvidence bound = find(value_scope, value, depth + 1);
        if (bound.lifetime == Lifetime::Process || bound.lifetime == Lifetime::Module ||
            bound.lifetime == Lifetime::Class) {
          bound.last_name = name;
          return bound;
        }
      }
      result.lifetime = Lifetime::Local;
      result.key = "local@" + std::to_string(binding.offset) + suffix;
      return result;
    }
    if (binding.kind == BindingKind::ClassDefinition &&
        resolution.kind != Resolution::Kind::Ambiguous) {
      // Rules read the whole class of a class lifetime (MEM304 looks for a `raise` of the
      // attribute in every method), not only its outline.
      if (binding.prelude) context_.dependsOnTextOf(name);
      classLifetime(binding.node, tail, 0, result);
      return result;
    }
    result.lifetime = Lifetime::Module;
    result.key = "module:" + std::string(name) + suffix;
    result.display = "module-level " + result.display;
    if (tail.empty()) {
      result.is_function = binding.kind == BindingKind::FunctionDefinition;
      // What made it: `sig = Signal()` with `Signal` from blinker.
      ScopeId value_scope = kNoScope;
      const TSNode value = singleAssignedValue(context_, binding, &value_scope);
      if (kindOf(value) == NodeKind::Call) {
        result.qualified =
            semantic.qualifiedName(value_scope, childByField(value, Field::Function));
      }
    }
    return result;
  }

  const RuleContext& context_;
  LibraryKnowledge library_;
};

}  // namespace

LifetimeEvidence lifetimeOf(const RuleContext& context, ScopeId scope, TSNode expression) {
  return LifetimeFinder(context).find(scope, expression, 0);
}

// --- Across the files of a project ---

namespace {

std::string inModule(const RuleContext& context, std::string_view name) {
  const std::string& module = context.options().module.name;
  return module.empty() ? std::string(name) : module + "." + std::string(name);
}

}  // namespace

std::string projectName(const RuleContext& context, ScopeId scope, TSNode expression) {
  const SemanticModel& semantic = context.semantic();
  expression = unparenthesized(expression);
  const std::string qualified = semantic.qualifiedName(scope, expression);
  if (!qualified.empty()) return absoluteName(qualified, context.options().module);
  std::string tail;
  TSNode head = expression;
  for (int guard = 0; guard < 32 && kindOf(head) == NodeKind::Attribute; ++guard) {
    tail = concat(".", context.text(childByField(head, Field::AttributeName)), tail);
    head = unparenthesized(childByField(head, Field::Object));
  }
  if (kindOf(head) != NodeKind::Identifier) return {};
  const Resolution resolution =
      semantic.resolve(scope, context.text(head), ts_node_start_byte(head));
  if (resolution.binding == nullptr || resolution.binding->scope != 0) return {};
  return inModule(context, context.text(head)) + tail;
}

std::string classProjectName(const RuleContext& context, TSNode class_node) {
  std::string name(context.text(childByField(class_node, Field::Name)));
  TSNode node = parentOf(class_node);
  for (int guard = 0; guard < 64 && !ts_node_is_null(node); ++guard) {
    const NodeKind kind = kindOf(node);
    if (kind == NodeKind::Module) return inModule(context, name);
    if (kind == NodeKind::FunctionDefinition || kind == NodeKind::Lambda) return {};
    if (kind == NodeKind::ClassDefinition) {
      name = concat(context.text(childByField(node, Field::Name)), ".", name);
    }
    node = parentOf(node);
  }
  return {};
}

std::string getterCalled(const RuleContext& context, ScopeId scope, TSNode expression) {
  expression = unparenthesized(expression);
  for (int depth = 0; depth < kMaxDepth && kindOf(expression) == NodeKind::Identifier; ++depth) {
    const Resolution resolution =
        context.semantic().resolve(scope, context.text(expression), ts_node_start_byte(expression));
    if (resolution.kind != Resolution::Kind::Bound || resolution.binding->scope == 0) return {};
    ScopeId value_scope = kNoScope;
    expression = unparenthesized(singleAssignedValue(context, *resolution.binding, &value_scope));
    scope = value_scope;
  }
  if (kindOf(expression) != NodeKind::Call ||
      namedChildCountSkippingExtras(childByField(expression, Field::Arguments)) != 0) {
    return {};
  }
  const TSNode callee = childByField(expression, Field::Function);
  if (kindOf(callee) != NodeKind::Identifier && kindOf(callee) != NodeKind::Attribute) return {};
  // `Gtk.AccelGroup()`: a class makes a new object, by the naming convention.
  const std::string_view called = context.text(
      kindOf(callee) == NodeKind::Attribute ? childByField(callee, Field::AttributeName) : callee);
  if (called.empty() || (called[0] >= 'A' && called[0] <= 'Z')) return {};
  return projectName(context, scope, callee);
}

bool isSingletonGetter(const RuleContext& context, TSNode function, std::string* returned) {
  std::vector<TSNode> returns;
  visitSubtree(childByField(function, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
    const NodeKind kind = kindOf(node);
    if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
        kind == NodeKind::Lambda) {
      return Visit::SkipChildren;
    }
    if (kind != NodeKind::ReturnStatement) return Visit::Descend;
    returns.push_back(node);
    return Visit::SkipChildren;
  });
  return isSingletonGetter(context, function, returns, returned);
}

bool isSingletonGetter(const RuleContext& context, TSNode function, std::span<const TSNode> returns,
                       std::string* returned) {
  const SemanticModel& semantic = context.semantic();
  const TSNode parameters = childByField(function, Field::Parameters);
  if (requiredParameters(parameters) == 0 &&
      hasDecorator(context, function, 0, [](std::string_view name) {
        return name == "functools.cache" || name == "functools.lru_cache";
      })) {
    return true;
  }
  bool returns_global = false;
  bool returns_other = false;
  std::string_view global_name;
  for (const TSNode statement : returns) {
    const TSNode value = unparenthesized(nthNamedChild(statement, 0));
    if (kindOf(value) == NodeKind::Identifier) {
      const Resolution resolved =
          semantic.resolve(0, context.text(value), ts_node_start_byte(value));
      const bool module_level = resolved.binding != nullptr && resolved.binding->scope == 0 &&
                                (resolved.binding->kind == BindingKind::Assignment ||
                                 resolved.binding->kind == BindingKind::GlobalDeclaration);
      (module_level ? returns_global : returns_other) = true;
      if (module_level) global_name = context.text(value);
    } else if (kindOf(value) != NodeKind::None) {
      returns_other = true;
    }
  }
  if (!returns_global || returns_other) return false;
  if (returned != nullptr) *returned = inModule(context, global_name);
  return true;
}

std::string singletonInstanceReason(const RuleContext& context, TSNode class_node) {
  const SemanticModel& semantic = context.semantic();
  std::string reason;
  forEachMethod(class_node, [&](TSNode method) {
    const std::string_view self = context.text(firstParameterName(method));
    const std::string_view method_name = context.text(childByField(method, Field::Name));
    ScopeId method_scope = kNoScope;
    for (ScopeId id = 0; id < semantic.scopeCount(); ++id) {
      if (ts_node_eq(semantic.scope(id).node, method)) method_scope = id;
    }
    if (self.empty() || method_scope == kNoScope) return true;
    int visited = 0;
    visitSubtree(childByField(method, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      if (++visited > 4000) return Visit::Stop;
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
          kind == NodeKind::Lambda) {
        return Visit::SkipChildren;
      }
      if (kind != NodeKind::Assignment) return Visit::Descend;
      const TSNode left = childByField(node, Field::Left);
      const TSNode right = unparenthesized(childByField(node, Field::Right));
      // `app.window = self`; in `__new__`, `cls._instance = super().__new__(cls)`.
      const bool stores_self = kindOf(right) == NodeKind::Identifier && context.text(right) == self;
      const bool caches_new = method_name == "__new__" && kindOf(right) == NodeKind::Call &&
                              context.text(childByField(childByField(right, Field::Function),
                                                        Field::AttributeName)) == "__new__";
      if (!stores_self && !caches_new) return Visit::Descend;
      // `__new__` receives the class as a plain first parameter.
      const bool on_class = caches_new && kindOf(left) == NodeKind::Attribute &&
                            context.text(childByField(left, Field::Object)) == self;
      const Lifetime lifetime = lifetimeOf(context, method_scope, left).lifetime;
      if (on_class || lifetime == Lifetime::Module || lifetime == Lifetime::Class ||
          lifetime == Lifetime::Process) {
        reason = "`" + functionDisplayName(context, method_scope) + "` stores " +
                 (stores_self ? "`" + std::string(self) + "`" : std::string("the instance")) +
                 " in `" + std::string(context.text(left)) + "`";
        return Visit::Stop;
      }
      return Visit::SkipChildren;
    });
    return reason.empty();
  });
  return reason;
}

}  // namespace heaplint
