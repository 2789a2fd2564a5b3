#include "analyzer/registration_evidence.h"

#include <algorithm>
#include <array>

#include "analyzer/analyze.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/settings.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

std::string_view lastName(std::string_view dotted) {
  const size_t dot = dotted.rfind('.');
  return dot == std::string_view::npos ? dotted : dotted.substr(dot + 1);
}

// `int`, `Symbol`, `ast.AST`, `(int, float)`: a builtin type by what the name resolves to (not a
// parameter called `type`), other types by the capital of their last name.
bool isTypeLike(const RuleContext& context, ScopeId scope, TSNode node, int depth) {
  node = unparenthesized(node);
  if (kindOf(node) == NodeKind::Tuple) {
    const uint32_t count = namedChildCount(node);
    for (uint32_t i = 0; i < count; ++i) {
      if (depth > 8 || !isTypeLike(context, scope, nthNamedChild(node, i), depth + 1)) {
        return false;
      }
    }
    return count > 0;
  }
  if (kindOf(node) != NodeKind::Identifier && kindOf(node) != NodeKind::Attribute) return false;
  std::string qualified = context.semantic().qualifiedName(scope, node);
  if (qualified.empty() && kindOf(node) == NodeKind::Identifier &&
      SemanticModel::isBuiltinName(context.text(node)) &&
      context.semantic().resolve(scope, context.text(node), ts_node_start_byte(node)).kind ==
          Resolution::Kind::StarImported) {
    qualified = "builtins." + std::string(context.text(node));  // `from x import *` keeps it
  }
  if (qualified.starts_with("builtins.")) {
    static constexpr std::array<std::string_view, 14> kTypes = {
        "bool", "bytearray", "bytes",  "complex", "dict", "float", "frozenset",
        "int",  "list",      "object", "set",     "str",  "tuple", "type"};
    return std::find(kTypes.begin(), kTypes.end(), qualified.substr(9)) != kTypes.end();
  }
  const std::string_view text = context.text(node);
  const size_t dot = text.rfind('.');
  const std::string_view name = dot == std::string_view::npos ? text : text.substr(dot + 1);
  return !name.empty() && name[0] >= 'A' && name[0] <= 'Z';
}

}  // namespace

RegistrationEvidence registrationOf(const RuleContext& context, const RegistrationSite& site) {
  const ScopeId scope = site.scope;
  RegistrationEvidence registration;
  registration.keys_are_types = true;
  TSNode arguments{};
  if (!ts_node_is_null(site.decorated)) {
    registration.callback = callbackOf(context, scope, site.decorated);
    const TSNode decorator = unparenthesized(decoratorExpression(site.site));
    if (kindOf(decorator) == NodeKind::Call) arguments = childByField(decorator, Field::Arguments);
  } else {
    arguments = childByField(site.site, Field::Arguments);
  }
  const uint32_t count = namedChildCount(arguments);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode argument = nthNamedChild(arguments, i);
    if (kindOf(argument) == NodeKind::Comment) continue;
    if (kindOf(argument) == NodeKind::KeywordArgument) {
      const std::string_view name = context.text(childByField(argument, Field::Name));
      argument = childByField(argument, Field::Value);
      registration.keyed_by_uid = registration.keyed_by_uid || name == "dispatch_uid";
      registration.weak_refused =
          registration.weak_refused || (name == "weak" && kindOf(argument) == NodeKind::False);
    }
    if (registration.callback.kind == CallbackKind::None) {
      registration.callback = callbackOf(context, scope, argument);
      if (registration.callback.kind != CallbackKind::None) continue;
    }
    if (kindOf(nthNamedChild(arguments, i)) == NodeKind::KeywordArgument) continue;
    ++registration.keys;
    registration.keys_are_types =
        registration.keys_are_types && isTypeLike(context, scope, argument, 0);
  }
  registration.keys_are_types = registration.keys_are_types && registration.keys > 0;
  return registration;
}

bool undoesRegistration(const LintSettings& settings, std::string_view removal,
                        std::string_view method) {
  if ((removal == "pop" || removal == "clear") && (method.empty() || method == "append")) {
    return true;
  }
  return std::any_of(settings.subscription_pairs.begin(), settings.subscription_pairs.end(),
                     [&](const SubscriptionPair& pair) {
                       return pair.unsubscribe == removal &&
                              (method.empty() || pair.subscribe == method);
                     });
}

bool keepsAnotherCallback(std::optional<RegistryHold> hold, bool bound_method, bool weak_refused) {
  return hold != RegistryHold::Replaces && (hold != RegistryHold::WeakByDefault || weak_refused) &&
         (hold != RegistryHold::WeakBoundMethods || !bound_method);
}

bool isSubscribeMethod(const LintSettings& settings, std::string_view name) {
  return std::any_of(settings.subscription_pairs.begin(), settings.subscription_pairs.end(),
                     [&](const SubscriptionPair& pair) { return pair.subscribe == name; });
}

std::string removalMethodFor(const LintSettings& settings, std::string_view method) {
  for (const SubscriptionPair& pair : settings.subscription_pairs) {
    if (pair.subscribe == method) return pair.unsubscribe;
  }
  return "remove";
}

bool sameRegistry(std::string_view key_a, std::string_view name_a, std::string_view key_b,
                  std::string_view name_b) {
  return (!key_a.empty() && key_a == key_b) || (!name_a.empty() && name_a == name_b);
}

std::string registrationPhrase(const RuleContext& context, const RegistrationSite& site,
                               const CallbackEvidence& callback) {
  const RegistryEvidence& registry = site.registry;
  const Lifetime lifetime = registry.lifetime.lifetime;
  std::string where = registry.lifetime.display;
  const std::string receiver(context.text(site.receiver));
  if (lifetime == Lifetime::Process || !registry.getter.empty()) {
    const std::string source =
        registry.getter.empty() ? where : "`" + std::string(lastName(registry.getter)) + "()`";
    where = "`" + receiver + "`" == source
                ? source + " (a process-wide singleton)"
                : "`" + receiver + "` (" + source + ", a process-wide singleton)";
  } else if (!ts_node_is_null(site.receiver) && lifetime == Lifetime::Module &&
             registry.key == registry.lifetime.qualified &&
             lastName(registry.key) != lastName(receiver)) {
    where += " (`" + registry.key + "`)";  // an alias
  }
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kVerbs = {{
      {"subscribe", " is subscribed to "},
      {"connect", " is connected to "},
      {"register", " is registered with "},
      {"append", " is appended to "},
  }};
  const auto* verb = std::find_if(kVerbs.begin(), kVerbs.end(), [&](const auto& entry) {
    return entry.first == registry.method;
  });
  const std::string what = !callback.display.empty()               ? "`" + callback.display + "`"
                           : callback.kind == CallbackKind::Lambda ? "A lambda"
                                                                   : "A callback";
  const bool lists_captures =
      callback.kind != CallbackKind::BoundMethod && !callback.captures.empty();
  return what + (lists_captures ? " (capturing " + capturedList(callback) + ")" : "") +
         (verb != kVerbs.end()
              ? std::string(verb->second) + where
              : " is registered on " + where + " with `." + registry.method + "()`");
}

void RegistrationCollector::collect(TSNode node, NodeKind kind, const RuleContext& context) {
  const LintSettings& settings = *context.options().settings;
  switch (kind) {
    case NodeKind::Call:
      onCall(node, context);
      return;
    case NodeKind::Decorator:
      onDecorator(node, context);
      return;
    case NodeKind::Attribute:
      if (undoesRegistration(settings, context.text(childByField(node, Field::AttributeName)),
                             {})) {
        removals_.push_back(Removal{node, childByField(node, Field::Object), context.scope()});
      }
      return;
    case NodeKind::ReturnStatement: {
      const TSNode value = unparenthesized(nthNamedChild(node, 0));
      const ExecutionContext* function = context.enclosingFunction();
      if (function == nullptr) return;
      // `return wrapper`, and `return on_start, on_stop`: the caller gets the callbacks, and
      // with them the means to remove them.
      const bool several = kindOf(value) == NodeKind::ExpressionList ||
                           kindOf(value) == NodeKind::Tuple || kindOf(value) == NodeKind::List;
      const uint32_t count = several ? namedChildCount(value) : 1;
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode item = several ? unparenthesized(nthNamedChild(value, i)) : value;
        if (kindOf(item) == NodeKind::Identifier) {
          returned_.emplace(ts_node_start_byte(function->node), context.text(item));
        }
      }
      return;
    }
    case NodeKind::ImportFromStatement:
      // `from atexit import register as on_exit`: `on_exit(cb)` registers.
      for (uint32_t i = 1; i < namedChildCount(node); ++i) {
        const TSNode child = nthNamedChild(node, i);
        const bool aliased = kindOf(child) == NodeKind::AliasedImport;
        const TSNode imported = aliased ? childByField(child, Field::Name) : child;
        if (kindOf(imported) == NodeKind::DottedName &&
            isSubscribeMethod(settings, lastName(context.text(imported)))) {
          imported_subscribe_names_.insert(
              context.text(aliased ? childByField(child, Field::Alias) : child));
        }
      }
      return;
    default:
      return;
  }
}

void RegistrationCollector::onCall(TSNode call, const RuleContext& context) {
  const LintSettings& settings = *context.options().settings;
  const TSNode callee = childByField(call, Field::Function);
  const TSNode arguments = childByField(call, Field::Arguments);
  if (kindOf(arguments) != NodeKind::ArgumentList) return;
  // `unregister(f)`, `self.addCleanup(unregister, f)` after `from atexit import unregister`.
  for (uint32_t i = 0; i < namedChildCount(arguments); ++i) {
    const TSNode argument = nthNamedChild(arguments, i);
    if (kindOf(argument) == NodeKind::Identifier &&
        undoesRegistration(settings, context.text(argument), {})) {
      removals_.push_back(Removal{argument, {}, context.scope()});
    }
  }
  if (kindOf(callee) == NodeKind::Identifier &&
      undoesRegistration(settings, context.text(callee), {})) {
    removals_.push_back(Removal{callee, {}, context.scope()});
  }
  if (kindOf(callee) == NodeKind::Attribute &&
      isSubscribeMethod(settings, context.text(childByField(callee, Field::AttributeName)))) {
    add(call, childByField(callee, Field::Object), {}, context);
  } else if (kindOf(callee) == NodeKind::Identifier &&
             namedChildCountSkippingExtras(arguments) > 0 &&
             isImportedSubscribeName(callee, context)) {
    add(call, {}, {}, context);
  }
}

// `register` after `from atexit import register` (or `as on_exit`): in this run's imports so
// far, or bound by an import in another run of the document (the language server's analysis in
// runs: the prelude bindings, which the model holds before the walk starts).
bool RegistrationCollector::isImportedSubscribeName(TSNode name, const RuleContext& context) {
  const std::string_view text = context.text(name);
  if (imported_subscribe_names_.contains(text)) return true;
  if (!prelude_read_) {
    prelude_read_ = true;
    const SemanticModel& semantic = context.semantic();
    for (const Binding& binding : semantic.bindings()) {
      if (binding.prelude && binding.kind == BindingKind::FromImport &&
          isSubscribeMethod(*context.options().settings,
                            lastName(semantic.importedName(binding)))) {
        prelude_subscribe_names_.insert(binding.name);
      }
    }
  }
  return prelude_subscribe_names_.contains(text);
}

void RegistrationCollector::onDecorator(TSNode decorator, const RuleContext& context) {
  if (context.enclosingFunction() == nullptr || context.depth() < 2) return;
  const TSNode decorated = childByField(context.frame(1).node, Field::Definition);
  if (kindOf(decorated) != NodeKind::FunctionDefinition) return;
  TSNode expression = unparenthesized(decoratorExpression(decorator));
  if (kindOf(expression) == NodeKind::Call) expression = childByField(expression, Field::Function);
  if (kindOf(expression) == NodeKind::Attribute &&
      isSubscribeMethod(*context.options().settings,
                        context.text(childByField(expression, Field::AttributeName)))) {
    add(decorator, childByField(expression, Field::Object), decorated, context);
  } else if (kindOf(expression) == NodeKind::Identifier &&
             isImportedSubscribeName(expression, context)) {
    add(decorator, {}, decorated, context);
  }
}

void RegistrationCollector::add(TSNode site, TSNode receiver, TSNode decorated,
                                const RuleContext& context) {
  size_t up = 1;  // `await bus.subscribe(...)`
  if (context.depth() > up + 1 && context.frame(up).kind == NodeKind::Await) ++up;
  const bool discarded =
      !ts_node_is_null(decorated) ||
      (context.depth() > up && context.frame(up).kind == NodeKind::ExpressionStatement);
  RegistrationSite registration;
  registration.site = site;
  registration.receiver = receiver;
  registration.decorated = decorated;
  registration.scope = context.scope();
  registration.may_repeat = context.enclosingFunction() != nullptr && discarded &&
                            onceGuardAt(context, once_guards_).empty();
  registrations_.push_back(std::move(registration));
}

RegistryEvidence RegistrationCollector::registryOf(const RuleContext& context, TSNode callee,
                                                   TSNode receiver, ScopeId scope) const {
  RegistryEvidence registry;
  const SemanticModel& semantic = context.semantic();
  ScopeId top = scope;
  while (top != 0 && semantic.scope(top).parent != 0)
    top = semantic.scope(top).parent;
  if (top != 0) {
    registry.in_function = semantic.scope(top).kind != ScopeKind::Class;
    registry.region = context.text(childByField(semantic.scope(top).node, Field::Name));
  }
  if (ts_node_is_null(receiver)) {
    // `register(cb)` from atexit: the registry is the module, the method the name's.
    const std::string qualified = projectName(context, scope, callee);
    const size_t dot = qualified.rfind('.');
    if (dot == std::string::npos || qualified.starts_with("builtins.")) return registry;
    registry.key = qualified.substr(0, dot);
    registry.method = qualified.substr(dot + 1);
    registry.name = lastName(registry.key);
    registry.lifetime.lifetime = Lifetime::Module;
    registry.lifetime.display = "`" + registry.key + "`";
    return registry;
  }
  registry.lifetime = lifetimeOf(context, scope, receiver);
  const LifetimeEvidence& lifetime = registry.lifetime;
  registry.method = context.text(childByField(callee, Field::AttributeName));
  registry.name = lifetime.last_name;
  registry.key = projectName(context, scope, receiver);
  if (registry.key.empty() && lifetime.lifetime == Lifetime::Class) {
    // "class@120.handlers": offsets move between runs of a document, names do not.
    const size_t dot = lifetime.key.find('.');
    registry.key = "class:" + classProjectName(context, lifetime.class_node) +
                   (dot == std::string::npos ? "" : lifetime.key.substr(dot));
  } else if (registry.key.empty() && lifetime.lifetime == Lifetime::Process) {
    registry.key = lifetime.key;
  } else if (lifetime.lifetime == Lifetime::Local || lifetime.lifetime == Lifetime::Unknown) {
    registry.getter = getterCalled(context, scope, receiver);
  }
  return registry;
}

std::vector<RegistrationSite> RegistrationCollector::registrations(
    const RuleContext& context) const {
  std::vector<RegistrationSite> sites = registrations_;
  for (RegistrationSite& site : sites) {
    TSNode callee = site.site;
    if (kindOf(callee) == NodeKind::Decorator)
      callee = unparenthesized(decoratorExpression(callee));
    if (kindOf(callee) == NodeKind::Call) callee = childByField(callee, Field::Function);
    site.registry = registryOf(context, callee, site.receiver, site.scope);
  }
  return sites;
}

std::vector<RegistryEvidence> RegistrationCollector::removals(const RuleContext& context) const {
  const std::vector<RegistrationSite> registrations = this->registrations(context);
  std::vector<RegistryEvidence> removals;
  for (const Removal& removal : removals_) {
    RegistryEvidence registry = registryOf(context, removal.node, removal.receiver, removal.scope);
    if (registry.method.empty()) continue;  // a bare name that stands for no import
    registry.undoes_elsewhere =
        registry.region.empty() ||
        (registry.in_function && std::none_of(registrations.begin(), registrations.end(),
                                              [&](const RegistrationSite& other) {
                                                return other.registry.region == registry.region &&
                                                       sameRegistry(other.registry.key,
                                                                    other.registry.name,
                                                                    registry.key, registry.name);
                                              }));
    removals.push_back(std::move(registry));
  }
  return removals;
}

}  // namespace heaplint
