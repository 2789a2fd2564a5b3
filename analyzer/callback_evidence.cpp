#include "analyzer/callback_evidence.h"

#include <algorithm>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

constexpr int kMaxDepth = 4;            // names and partials followed, methods delegated to
constexpr int kMaxVisitedNodes = 4000;  // a callback's body, a subscribe method's body
constexpr size_t kMaxCaptures = 4;

// The scope a function, lambda or class definition opens.
ScopeId scopeOpenedBy(const SemanticModel& semantic, TSNode definition) {
  for (ScopeId id = 0; id < semantic.scopeCount(); ++id) {
    if (ts_node_eq(semantic.scope(id).node, definition)) return id;
  }
  return kNoScope;
}

bool isFunctionScope(const SemanticModel& semantic, ScopeId scope) {
  const ScopeKind kind = semantic.scope(scope).kind;
  return kind == ScopeKind::Function || kind == ScopeKind::Lambda;
}

void addCapture(std::vector<std::string_view>& captures, std::string_view name) {
  if (captures.size() < kMaxCaptures &&
      std::find(captures.begin(), captures.end(), name) == captures.end()) {
    captures.push_back(name);
  }
}

// The names under `root`, resolved from `from`, that are variables of a function other than
// `own` (the callback's own scope): what the callback keeps of the calls around it. A name a
// function imports (`from .hooks import hooks as tg_hooks`), and binds no other way, is a module
// or a module's object, alive for the process anyway: keeping it keeps nothing of the call.
void collectCaptures(const RuleContext& context, TSNode root, ScopeId from, ScopeId own,
                     std::vector<std::string_view>& captures) {
  const SemanticModel& semantic = context.semantic();
  const auto read = [&](TSNode identifier) {
    const Resolution resolution =
        semantic.resolve(from, context.text(identifier), ts_node_start_byte(identifier));
    const bool imported = resolution.kind == Resolution::Kind::Bound &&
                          (resolution.binding->kind == BindingKind::Import ||
                           resolution.binding->kind == BindingKind::FromImport);
    if (resolution.binding != nullptr && resolution.binding->scope != own && !imported &&
        isFunctionScope(semantic, resolution.binding->scope)) {
      addCapture(captures, context.text(identifier));
    }
  };
  if (kindOf(root) == NodeKind::Identifier) {
    read(root);  // `lambda: user`
    return;
  }
  int visited = 0;
  visitSubtree(root, [&](TSNode node, TSFieldId field) {
    if (++visited > kMaxVisitedNodes) return Visit::Stop;
    if (kindOf(node) != NodeKind::Identifier) return Visit::Descend;
    const Field role = Syntax::instance().fieldOf(field);
    if (role != Field::AttributeName && role != Field::Name) read(node);
    return Visit::SkipChildren;
  });
}

// A nested function or lambda: its body's reads and its parameters' defaults.
void closureCaptures(const RuleContext& context, TSNode definition,
                     std::vector<std::string_view>& captures) {
  const SemanticModel& semantic = context.semantic();
  const ScopeId own = scopeOpenedBy(semantic, definition);
  if (own == kNoScope) return;
  const ScopeId parent = semantic.scope(own).parent;
  const TSNode parameters = childByField(definition, Field::Parameters);
  const uint32_t count = namedChildCount(parameters);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode parameter = nthNamedChild(parameters, i);
    const NodeKind kind = kindOf(parameter);
    if (kind == NodeKind::DefaultParameter || kind == NodeKind::TypedDefaultParameter) {
      // `lambda e, name=name: ...` keeps the value of the enclosing `name`.
      collectCaptures(context, childByField(parameter, Field::Value), parent, own, captures);
    }
  }
  collectCaptures(context, childByField(definition, Field::Body), own, own, captures);
}

CallbackEvidence describe(const RuleContext& context, ScopeId scope, TSNode expression, int depth) {
  CallbackEvidence callback;
  const SemanticModel& semantic = context.semantic();
  expression = unparenthesized(expression);
  switch (kindOf(expression)) {
    case NodeKind::FunctionDefinition:  // a nested function decorated by a registry
      callback.kind = CallbackKind::NestedFunction;
      callback.display = std::string(context.text(childByField(expression, Field::Name)));
      closureCaptures(context, expression, callback.captures);
      return callback;
    case NodeKind::Lambda:
      callback.kind = CallbackKind::Lambda;
      closureCaptures(context, expression, callback.captures);
      return callback;
    case NodeKind::Identifier: {
      const std::string_view name = context.text(expression);
      const Resolution resolution = semantic.resolve(scope, name, ts_node_start_byte(expression));
      if (resolution.kind != Resolution::Kind::Bound ||
          !isFunctionScope(semantic, resolution.binding->scope)) {
        return callback;  // module-level functions keep nothing per call
      }
      const Binding& binding = *resolution.binding;
      if (binding.kind == BindingKind::FunctionDefinition) {
        callback.kind = CallbackKind::NestedFunction;
        callback.display = std::string(name);
        closureCaptures(context, binding.node, callback.captures);
        return callback;
      }
      // `handler = lambda e: ...`, `handler = functools.partial(self.on_event, key)`.
      ScopeId value_scope = kNoScope;
      const TSNode value = singleAssignedValue(context, binding, &value_scope);
      if (ts_node_is_null(value) || depth >= kMaxDepth) return callback;
      callback = describe(context, value_scope, value, depth + 1);
      if (callback.kind != CallbackKind::None) callback.display = std::string(name);
      return callback;
    }
    case NodeKind::Attribute: {
      // `self.on_event`, where the class defines `on_event` as an instance method.
      TSNode class_node{};
      const TSNode object = unparenthesized(childByField(expression, Field::Object));
      if (!isInstanceReceiver(context, scope, object, &class_node)) return callback;
      const TSNode method = methodNamed(
          context, class_node, context.text(childByField(expression, Field::AttributeName)));
      if (ts_node_is_null(method)) return callback;
      const ScopeId method_scope = scopeOpenedBy(semantic, method);
      if (method_scope == kNoScope || methodKind(context, method_scope) != MethodKind::Instance) {
        return callback;
      }
      callback.kind = CallbackKind::BoundMethod;
      callback.display = std::string(context.text(expression));
      callback.instance_class = class_node;
      addCapture(callback.captures, context.text(object));
      return callback;
    }
    case NodeKind::Call: {
      // `functools.partial(f, *args)` keeps `f` and what it binds.
      const TSNode function = childByField(expression, Field::Function);
      if (depth >= kMaxDepth || semantic.qualifiedName(scope, function) != "functools.partial") {
        return callback;
      }
      const TSNode arguments = childByField(expression, Field::Arguments);
      const uint32_t count = namedChildCount(arguments);
      uint32_t first = 0;
      while (first < count && kindOf(nthNamedChild(arguments, first)) == NodeKind::Comment) {
        ++first;
      }
      if (first == count) return callback;
      const TSNode wrapped = nthNamedChild(arguments, first);
      callback = describe(context, scope, wrapped, depth + 1);
      if (callback.kind == CallbackKind::None) return callback;
      for (uint32_t i = first + 1; i < count; ++i) {
        collectCaptures(context, nthNamedChild(arguments, i), scope, kNoScope, callback.captures);
      }
      std::string text(context.text(expression));
      if (text.size() > 48 || text.find('\n') != std::string::npos) {
        text = std::string(context.text(function)) + "(" + std::string(context.text(wrapped)) +
               ", ...)";
      }
      callback.display = std::move(text);
      return callback;
    }
    default:
      return callback;
  }
}

// --- what a subscribe method does with its callback ---

// The names of a function's parameters, without the instance or class of a method.
std::vector<std::string_view> parameterNames(const RuleContext& context, TSNode function,
                                             bool skip_first) {
  std::vector<std::string_view> names;
  const TSNode parameters = childByField(function, Field::Parameters);
  const uint32_t count = namedChildCount(parameters);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode parameter = nthNamedChild(parameters, i);
    const NodeKind kind = kindOf(parameter);
    if (kind == NodeKind::DefaultParameter || kind == NodeKind::TypedDefaultParameter) {
      parameter = childByField(parameter, Field::Name);
    } else if (kind == NodeKind::TypedParameter) {
      parameter = nthNamedChild(parameter, 0);
    }
    if (kindOf(parameter) != NodeKind::Identifier) continue;
    if (skip_first) {
      skip_first = false;
      continue;
    }
    names.push_back(context.text(parameter));
  }
  return names;
}

// Whether `expression` is one of `names` (a parameter of the method).
bool namesOneOf(const RuleContext& context, TSNode expression,
                const std::vector<std::string_view>& names) {
  expression = unparenthesized(expression);
  if (kindOf(expression) == NodeKind::KeywordArgument) {
    expression = childByField(expression, Field::Value);
  }
  return kindOf(expression) == NodeKind::Identifier &&
         std::find(names.begin(), names.end(), context.text(expression)) != names.end();
}

class WeakHoldFinder {
 public:
  explicit WeakHoldFinder(const RuleContext& context)
      : context_(context), library_(context.options().settings->libraries) {}

  std::string find(TSNode function, int depth) const {
    if (depth > kMaxDepth || kindOf(function) != NodeKind::FunctionDefinition) return {};
    const TSNode class_node = classAround(function);
    if (ts_node_is_null(class_node)) return {};
    if (std::string reason = weakByDefault(function); !reason.empty()) return reason;
    const std::vector<std::string_view> parameters = parameterNames(context_, function, true);
    if (parameters.empty()) return {};
    const std::string_view self = context_.text(firstParameterName(function));
    std::string reason;
    int visited = 0;
    visitSubtree(childByField(function, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      if (++visited > kMaxVisitedNodes) return Visit::Stop;
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
          kind == NodeKind::Lambda) {
        return Visit::SkipChildren;
      }
      if (kind == NodeKind::Call) {
        reason = fromCall(node, class_node, self, parameters, depth);
      } else if (kind == NodeKind::Assignment) {
        reason = fromStore(node, class_node, self, parameters);
      }
      return reason.empty() ? Visit::Descend : Visit::Stop;
    });
    return reason;
  }

 private:
  static TSNode classAround(TSNode function) {
    TSNode parent = parentOf(function);
    if (kindOf(parent) == NodeKind::DecoratedDefinition) parent = parentOf(parent);
    if (kindOf(parent) != NodeKind::Block) return TSNode{};
    parent = parentOf(parent);
    return kindOf(parent) == NodeKind::ClassDefinition ? parent : TSNode{};
  }

  // `def connect(self, receiver, sender=None, weak=True)`: Django's dispatcher and its forks; or
  // `def connect(self, *args, **kwargs)` that reads its options through a nested
  // `def _handle_options(sender=None, weak=True)` (Celery's).
  std::string weakByDefault(TSNode function) const {
    if (takesWeakTrue(function)) return "takes `weak=True` by default";
    std::string reason;
    int visited = 0;
    visitSubtree(childByField(function, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      if (++visited > kMaxVisitedNodes) return Visit::Stop;
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::ClassDefinition || kind == NodeKind::Lambda) {
        return Visit::SkipChildren;
      }
      if (kind == NodeKind::FunctionDefinition && takesWeakTrue(node)) {
        reason = "reads its options through `" +
                 std::string(context_.text(childByField(node, Field::Name))) +
                 "()`, which takes `weak=True` by default";
        return Visit::Stop;
      }
      return Visit::Descend;
    });
    return reason;
  }

  bool takesWeakTrue(TSNode function) const {
    return anyDefaultParameter(function, [&](TSNode, TSNode name, TSNode value) {
      return context_.text(name) == "weak" && kindOf(value) == NodeKind::True;
    });
  }

  std::string fromCall(TSNode call, TSNode class_node, std::string_view self,
                       const std::vector<std::string_view>& parameters, int depth) const {
    const TSNode callee = childByField(call, Field::Function);
    const TSNode arguments = childByField(call, Field::Arguments);
    const uint32_t count = namedChildCount(arguments);
    TSNode passed{};
    for (uint32_t i = 0; i < count && ts_node_is_null(passed); ++i) {
      if (namesOneOf(context_, nthNamedChild(arguments, i), parameters)) {
        passed = unparenthesized(nthNamedChild(arguments, i));
        if (kindOf(passed) == NodeKind::KeywordArgument) {
          passed = childByField(passed, Field::Value);
        }
      }
    }
    if (ts_node_is_null(passed)) return {};
    const std::string qualified = context_.semantic().qualifiedName(0, callee);
    if (qualified == "weakref.WeakMethod" || qualified == "weakref.ref" ||
        qualified == "weakref.proxy") {
      return "wraps `" + std::string(context_.text(passed)) + "` in `" + qualified + "`";
    }
    if (kindOf(callee) != NodeKind::Attribute) return {};
    const TSNode object = unparenthesized(childByField(callee, Field::Object));
    const std::string_view method = context_.text(childByField(callee, Field::AttributeName));
    // `self.connect_signal(name, func)`: another method of the class decides.
    if (kindOf(object) == NodeKind::Identifier && context_.text(object) == self) {
      const TSNode delegate = methodNamed(context_, class_node, method);
      if (ts_node_is_null(delegate)) return {};
      std::string reason = find(delegate, depth + 1);
      if (reason.empty()) return {};
      return "hands its arguments to `" + std::string(method) + "()`, which " + reason;
    }
    // `self._receivers.add(func)` into a `weakref.WeakSet`.
    if (method == "add" || method == "append" || method == "setdefault" || method == "update") {
      const std::string container = weakContainer(object, class_node, self);
      if (!container.empty()) {
        return "stores `" + std::string(context_.text(passed)) + "` in a `" + container + "`";
      }
    }
    return {};
  }

  // `self._receivers[func] = ...` or `self._receivers[key] = func` into a weak dictionary.
  std::string fromStore(TSNode assignment, TSNode class_node, std::string_view self,
                        const std::vector<std::string_view>& parameters) const {
    const TSNode left = childByField(assignment, Field::Left);
    if (kindOf(left) != NodeKind::Subscript) return {};
    const TSNode key = childByField(left, Field::SubscriptIndex);
    const TSNode right = childByField(assignment, Field::Right);
    TSNode stored{};
    if (namesOneOf(context_, key, parameters)) stored = key;
    if (namesOneOf(context_, right, parameters)) stored = right;
    if (ts_node_is_null(stored)) return {};
    const std::string container =
        weakContainer(unparenthesized(childByField(left, Field::Value)), class_node, self);
    if (container.empty()) return {};
    return "stores `" + std::string(context_.text(stored)) + "` in a `" + container + "`";
  }

  // What weak container `holder` (`self._receivers`, or a module-level name) is, if any: the
  // class assigns one to that attribute (in any method, or in its body), or the module binds the
  // name to one.
  std::string weakContainer(TSNode holder, TSNode class_node, std::string_view self) const {
    std::string_view attribute;
    if (kindOf(holder) == NodeKind::Attribute &&
        context_.text(unparenthesized(childByField(holder, Field::Object))) == self) {
      attribute = context_.text(childByField(holder, Field::AttributeName));
    } else if (kindOf(holder) == NodeKind::Identifier) {
      const Resolution resolution =
          context_.semantic().resolve(0, context_.text(holder), ts_node_start_byte(holder));
      if (resolution.kind != Resolution::Kind::Bound) return {};
      const TSNode value = singleAssignedValue(context_, *resolution.binding);
      return containerMadeBy(value);
    } else {
      return {};
    }
    std::string found;
    int visited = 0;
    visitSubtree(childByField(class_node, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      if (++visited > kMaxVisitedNodes) return Visit::Stop;
      if (kindOf(node) != NodeKind::Assignment) return Visit::Descend;
      const TSNode left = childByField(node, Field::Left);
      const std::string_view name =
          kindOf(left) == NodeKind::Attribute
              ? context_.text(childByField(left, Field::AttributeName))
              : (kindOf(left) == NodeKind::Identifier ? context_.text(left) : std::string_view());
      if (name == attribute) found = containerMadeBy(childByField(node, Field::Right));
      return found.empty() ? Visit::SkipChildren : Visit::Stop;
    });
    return found;
  }

  std::string containerMadeBy(TSNode value) const {
    value = unparenthesized(value);
    if (kindOf(value) != NodeKind::Call) return {};
    const std::string qualified =
        context_.semantic().qualifiedName(0, childByField(value, Field::Function));
    return library_.isWeakContainer(qualified) ? qualified : std::string();
  }

  const RuleContext& context_;
  LibraryKnowledge library_;
};

}  // namespace

CallbackEvidence callbackOf(const RuleContext& context, ScopeId scope, TSNode expression) {
  return describe(context, scope, expression, 0);
}

std::string capturedList(const CallbackEvidence& callback) {
  std::string list;
  for (const std::string_view name : callback.captures) {
    list += (list.empty() ? "`" : ", `") + std::string(name) + "`";
  }
  return list;
}

std::string weakCallbackHold(const RuleContext& context, TSNode function) {
  return WeakHoldFinder(context).find(function, 0);
}

}  // namespace heaplint
