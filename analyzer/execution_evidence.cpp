#include "analyzer/execution_evidence.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <unordered_map>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/concat.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

// Identifiers read in an expression (attribute names included): `not self._installed` gives
// `self` and `_installed`. Bounded: conditions are short.
void collectNames(const RuleContext& context, TSNode node, std::vector<std::string_view>& names) {
  std::vector<TSNode> stack = {node};
  for (int visited = 0; !stack.empty() && visited < 64; ++visited) {
    const TSNode current = stack.back();
    stack.pop_back();
    if (kindOf(current) == NodeKind::Identifier) {
      names.push_back(context.text(current));
      continue;
    }
    const uint32_t count = namedChildCount(current);
    for (uint32_t i = 0; i < count; ++i) {
      stack.push_back(nthNamedChild(current, i));
    }
  }
}

// The name a statement assigns (`_installed = True`, `finalize._registered = True`), if any;
// with `only_true`, only when it assigns `True`.
std::string_view assignedName(const RuleContext& context, TSNode statement, bool only_true) {
  if (kindOf(statement) != NodeKind::ExpressionStatement) return {};
  const TSNode assignment = nthNamedChild(statement, 0);
  const NodeKind kind = kindOf(assignment);
  if (kind != NodeKind::Assignment && kind != NodeKind::AugmentedAssignment) return {};
  if (only_true && kindOf(childByField(assignment, Field::Right)) != NodeKind::True) return {};
  const TSNode left = childByField(assignment, Field::Left);
  if (kindOf(left) == NodeKind::Identifier) return context.text(left);
  if (kindOf(left) == NodeKind::Attribute) {
    return context.text(childByField(left, Field::AttributeName));
  }
  return {};
}

// The first of `names` a block's statements assign, or empty.
std::string_view assignedOneOf(const RuleContext& context, TSNode block,
                               const std::vector<std::string_view>& names, bool only_true) {
  const uint32_t count = namedChildCount(block);
  for (uint32_t i = 0; i < count; ++i) {
    const std::string_view name = assignedName(context, nthNamedChild(block, i), only_true);
    if (!name.empty() && std::find(names.begin(), names.end(), name) != names.end()) return name;
  }
  return {};
}

std::string guardReason(std::string_view name) {
  return "under the once-guard on `" + std::string(name) + "`";
}

constexpr std::array<std::string_view, 9> kOnceHooks = {
    "main",        "setUpModule",       "setUpClass",   "setUpTestData", "setup_module",
    "setup_class", "__init_subclass__", "__set_name__", "tearDownClass"};

std::string compact(std::string_view text) {
  std::string result;
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\\') result += c;
  }
  return result;
}

// `target` is `holder` or reached through it (`holder.handlers`).
bool within(const std::string& target, const std::string& holder) {
  return !holder.empty() && target.starts_with(holder) &&
         (target.size() == holder.size() || target[holder.size()] == '.');
}

bool isEmptyValue(const RuleContext& context, TSNode value) {
  const NodeKind kind = kindOf(value);
  if (kind == NodeKind::None) return true;
  if (kind == NodeKind::List || kind == NodeKind::Dictionary || kind == NodeKind::Tuple) {
    return namedChildCountSkippingExtras(value) == 0;
  }
  if (kind != NodeKind::Call ||
      namedChildCountSkippingExtras(childByField(value, Field::Arguments)) != 0) {
    return false;
  }
  const std::string_view callee = context.text(childByField(value, Field::Function));
  return callee == "list" || callee == "dict" || callee == "set";
}

// Whether `seen` outlives a call of `function`: an attribute (`self.seen`, `cls.registry`),
// `self` itself, or a name that is neither a parameter nor assigned in the function's body (a
// module-level set). A local or a parameter starts afresh, or with the caller, each call. Read
// from the syntax: this is asked during the walk, before names resolve.
bool outlivesTheCall(const RuleContext& context, TSNode function, TSNode seen) {
  if (kindOf(seen) == NodeKind::Attribute) return true;
  if (kindOf(seen) != NodeKind::Identifier) return false;
  const std::string_view name = context.text(seen);
  if (name == "self") return true;
  const TSNode parameters = childByField(function, Field::Parameters);
  for (uint32_t i = 0; i < namedChildCount(parameters); ++i) {
    TSNode parameter = nthNamedChild(parameters, i);
    if (kindOf(parameter) != NodeKind::Identifier) parameter = nthNamedChild(parameter, 0);
    if (context.text(parameter) == name) return false;
  }
  const TSNode body = childByField(function, Field::Body);
  for (uint32_t i = 0; i < namedChildCount(body); ++i) {
    const TSNode statement = nthNamedChild(body, i);
    if (kindOf(statement) != NodeKind::ExpressionStatement) continue;
    const TSNode assignment = nthNamedChild(statement, 0);
    if (kindOf(assignment) == NodeKind::Assignment &&
        context.text(childByField(assignment, Field::Left)) == name) {
      return false;
    }
  }
  return true;
}

// `if key in seen: return` before `seen.append(key)` (or `.add(key)`, `seen[key] = ...`) in the
// same body, with `seen` outliving the call: what follows runs once per distinct key. `guard` is
// the index of the `if` in `body`. The guard as a phrase, or empty.
std::string oncePerKeyGuard(const RuleContext& context, TSNode function, TSNode condition,
                            TSNode body, uint32_t guard) {
  if (kindOf(condition) != NodeKind::ComparisonOperator ||
      namedChildCountSkippingExtras(condition) != 2) {
    return {};
  }
  const TSNode op = childByField(condition, Field::Operators);
  if (ts_node_is_null(op) || std::string_view(ts_node_type(op)) != "in") return {};
  const TSNode key = nthNamedChildSkippingExtras(condition, 0);
  const TSNode seen = nthNamedChildSkippingExtras(condition, 1);
  if (!outlivesTheCall(context, function, seen)) return {};
  const std::string_view key_text = context.text(key);
  const std::string_view seen_text = context.text(seen);
  const uint32_t count = namedChildCount(body);
  for (uint32_t i = guard + 1; i < count; ++i) {
    const TSNode statement = nthNamedChild(body, i);
    if (kindOf(statement) != NodeKind::ExpressionStatement) continue;
    const TSNode expression = nthNamedChild(statement, 0);
    bool records = false;
    if (kindOf(expression) == NodeKind::Call) {
      const TSNode callee = childByField(expression, Field::Function);
      const TSNode arguments = childByField(expression, Field::Arguments);
      const std::string_view method = context.text(childByField(callee, Field::AttributeName));
      records = kindOf(callee) == NodeKind::Attribute &&
                context.text(childByField(callee, Field::Object)) == seen_text &&
                (method == "append" || method == "add") &&
                context.text(onlyNamedChildSkippingExtras(arguments)) == key_text;
    } else if (kindOf(expression) == NodeKind::Assignment) {
      const TSNode left = childByField(expression, Field::Left);
      records = kindOf(left) == NodeKind::Subscript &&
                context.text(childByField(left, Field::Value)) == seen_text &&
                context.text(childByField(left, Field::SubscriptIndex)) == key_text;
    }
    if (records) {
      return "once per distinct `" + std::string(key_text) + "`, under the guard `" +
             std::string(key_text) + " in " + std::string(seen_text) + "`";
    }
  }
  return {};
}

}  // namespace

bool testsForMain(const RuleContext& context, TSNode condition, bool either_way) {
  condition = unparenthesized(condition);
  if (kindOf(condition) != NodeKind::ComparisonOperator ||
      !hasNamedChildrenSkippingExtras(condition, 2)) {
    return false;
  }
  const std::string_view comparison = context.text(childByField(condition, Field::Operators));
  if (comparison != "==" && (!either_way || comparison != "!=")) return false;
  const auto isMain = [](std::string_view text) {
    return text == R"("__main__")" || text == "'__main__'";
  };
  const std::string_view left = context.text(nthNamedChildSkippingExtras(condition, 0));
  const std::string_view right = context.text(nthNamedChildSkippingExtras(condition, 1));
  return (left == "__name__" && isMain(right)) || (right == "__name__" && isMain(left));
}

bool isMainGuard(const RuleContext& context, TSNode condition) {
  return testsForMain(context, condition, false);
}

namespace {

// Whether `accepts` holds for the callee of one of a decorated definition's decorators
// (`click.group` for `@click.group()` as for `@click.group`).
template <typename Accepts>
bool anyDecoratorCallee(TSNode decorated_definition, const Accepts& accepts) {
  for (uint32_t i = 0, count = namedChildCount(decorated_definition); i < count; ++i) {
    const TSNode decorator = nthNamedChild(decorated_definition, i);
    if (kindOf(decorator) != NodeKind::Decorator) continue;
    TSNode callee = firstNamedChildSkippingExtras(decorator);
    if (kindOf(callee) == NodeKind::Call) callee = childByField(callee, Field::Function);
    if (accepts(callee)) return true;
  }
  return false;
}

// Whether a module-level binding of `receiver` makes a click group or a typer app: `app =
// typer.Typer()`, `cli = click.Group()`, or `def cli():` under `@click.group()`.
bool isClickOrTyperReceiver(const RuleContext& context, ScopeId module, std::string_view receiver) {
  const SemanticModel& semantic = context.semantic();
  const std::vector<const Binding*> bindings = semantic.bindingsIn(module, receiver);
  if (bindings.size() != 1 || bindings[0]->prelude) return false;
  const Binding& binding = *bindings[0];
  const auto fromClickOrTyper = [&](TSNode callee, bool group) {
    const std::string name = semantic.qualifiedName(module, callee);
    return group ? name == "click.group"
                 : name == "typer.Typer" || name == "click.Group" || name == "click.group";
  };
  if (binding.kind == BindingKind::Assignment) {
    const TSNode assignment = parentOf(binding.node);
    const TSNode value = childByField(assignment, Field::Right);
    return kindOf(assignment) == NodeKind::Assignment &&
           ts_node_eq(childByField(assignment, Field::Left), binding.node) &&
           kindOf(value) == NodeKind::Call &&
           fromClickOrTyper(childByField(value, Field::Function), false);
  }
  if (binding.kind != BindingKind::FunctionDefinition) return false;
  TSNode function = binding.node;
  if (kindOf(function) != NodeKind::FunctionDefinition) function = parentOf(function);
  const TSNode definition = parentOf(function);
  if (kindOf(function) != NodeKind::FunctionDefinition ||
      kindOf(definition) != NodeKind::DecoratedDefinition) {
    return false;
  }
  return anyDecoratorCallee(definition,
                            [&](TSNode callee) { return fromClickOrTyper(callee, true); });
}

// A decorator (its callee) that makes a click or typer command: `@click.command()`,
// `@click.group()` (through any import of click), or `@cli.command()` / `@app.command()` on a
// group or app that click or typer made (isClickOrTyperReceiver). Not discord.py's
// `@bot.command()` nor Slack Bolt's `@app.command("/x")`.
bool isClickOrTyperCommand(const RuleContext& context, TSNode callee) {
  const SemanticModel& semantic = context.semantic();
  constexpr ScopeId kModule = 0;
  if (semantic.scope(kModule).kind != ScopeKind::Module) return false;
  const std::string name = semantic.qualifiedName(kModule, callee);
  if (name == "click.command" || name == "click.group") return true;
  if (kindOf(callee) != NodeKind::Attribute) return false;
  const std::string_view method = context.text(childByField(callee, Field::AttributeName));
  const TSNode receiver = childByField(callee, Field::Object);
  return (method == "command" || method == "group") && kindOf(receiver) == NodeKind::Identifier &&
         isClickOrTyperReceiver(context, kModule, context.text(receiver));
}

}  // namespace

bool isCommandLineEntryPoint(const RuleContext& context, TSNode function) {
  // Defined at module level, or in the body of the main guard itself (a script's `def main`
  // under `if __name__ == "__main__":`).
  const TSNode definition =
      kindOf(parentOf(function)) == NodeKind::DecoratedDefinition ? parentOf(function) : function;
  const TSNode holder = parentOf(definition);
  const bool in_main_guard = kindOf(holder) == NodeKind::Block &&
                             kindOf(parentOf(holder)) == NodeKind::IfStatement &&
                             kindOf(parentOf(parentOf(holder))) == NodeKind::Module &&
                             isMainGuard(context, childByField(parentOf(holder), Field::Condition));
  if (kindOf(holder) != NodeKind::Module && !in_main_guard) return false;
  const std::string_view name = context.text(childByField(function, Field::Name));
  if (name == "main" || name == "_main" || name == "cli") return true;
  if (kindOf(definition) != NodeKind::DecoratedDefinition) return false;
  return anyDecoratorCallee(definition,
                            [&](TSNode callee) { return isClickOrTyperCommand(context, callee); });
}

namespace {

std::string mainGuardCallKey(std::string_view name) {
  return concat("main guard calls ", name);
}

bool isWordCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

}  // namespace

void noteMainGuardCall(const RuleContext& context, TSNode call) {
  if (context.executions().size() != 1) return;
  const TSNode callee = childByField(call, Field::Function);
  if (kindOf(callee) != NodeKind::Identifier) return;
  TSNode child = call;
  TSNode parent = parentOf(call);
  while (!ts_node_is_null(parent) && kindOf(parent) != NodeKind::Module) {
    if (kindOf(parent) == NodeKind::IfStatement && kindOf(parentOf(parent)) == NodeKind::Module) {
      if (ts_node_eq(childByField(parent, Field::Consequence), child) &&
          isMainGuard(context, childByField(parent, Field::Condition))) {
        context.provides(mainGuardCallKey(context.text(callee)));
      }
      return;
    }
    child = parent;
    parent = parentOf(parent);
  }
}

size_t WordCounts::count(std::string_view text, std::string_view word) {
  if (!made_) {
    made_ = true;
    size_t at = 0;
    while (at < text.size()) {
      if (!isWordCharacter(text[at])) {
        ++at;
        continue;
      }
      const size_t start = at;
      while (at < text.size() && isWordCharacter(text[at]))
        ++at;
      ++counts_[text.substr(start, at - start)];
    }
  }
  const auto found = counts_.find(word);
  return found == counts_.end() ? 0 : found->second;
}

bool isInPackage(const RuleContext& context) {
  const ModuleInfo& module = context.options().module;
  if (module.is_package) return true;
  std::string_view name = module.name;
  // A file no import root reaches is named from `<where>`, its package chain's start (no dots).
  if (name.starts_with('<')) {
    const size_t head = name.find('>');
    if (head == std::string_view::npos) return false;
    name.remove_prefix(std::min(name.size(), head + 2));
  }
  return name.find('.') != std::string_view::npos;
}

bool calledOnlyFromMainGuard(const RuleContext& context, TSNode function, WordCounts& words) {
  const TSNode definition =
      kindOf(parentOf(function)) == NodeKind::DecoratedDefinition ? parentOf(function) : function;
  if (kindOf(parentOf(definition)) != NodeKind::Module) return false;
  // A package's module is imported: the function may be a library's, which other modules call.
  if (isInPackage(context)) return false;
  const std::string_view name = context.text(childByField(function, Field::Name));
  // The definition's own name and the one call: nothing else, in the whole text.
  if (words.count(context.source().text(), name) != 2) return false;
  const std::string key = mainGuardCallKey(name);
  context.dependsOn(key);
  return context.moduleProvides(key);
}

bool isDjangoCommandHandle(const RuleContext& context, TSNode function) {
  if (context.text(childByField(function, Field::Name)) != "handle") return false;
  TSNode body = parentOf(function);
  if (kindOf(body) == NodeKind::DecoratedDefinition) body = parentOf(body);
  const TSNode class_node = parentOf(body);
  if (kindOf(class_node) != NodeKind::ClassDefinition ||
      context.text(childByField(class_node, Field::Name)) != "Command" ||
      kindOf(parentOf(class_node)) != NodeKind::Module) {
    return false;
  }
  const std::string_view path = context.options().path;
  for (size_t at = path.find("management"); at != std::string_view::npos;
       at = path.find("management", at + 1)) {
    const std::string_view rest = path.substr(at + 10);
    if ((at == 0 || path[at - 1] == '/' || path[at - 1] == '\\') &&
        (rest.starts_with("/commands/") || rest.starts_with("\\commands\\"))) {
      return true;
    }
  }
  return false;
}

bool isMemoryProfilerModule(std::string_view imported) {
  for (const std::string_view module :
       {"tracemalloc", "objgraph", "pympler", "guppy", "memory_profiler", "memray"}) {
    if (imported.starts_with(module) &&
        (imported.size() == module.size() || imported[module.size()] == '.')) {
      return true;
    }
  }
  return false;
}

bool neverRuns(const RuleContext& context, ScopeId scope, TSNode node) {
  for (TSNode child = node, parent = parentOf(node); !ts_node_is_null(parent);
       child = parent, parent = parentOf(parent)) {
    if (kindOf(parent) != NodeKind::IfStatement ||
        !ts_node_eq(childByField(parent, Field::Consequence), child)) {
      continue;
    }
    const TSNode condition = unparenthesized(childByField(parent, Field::Condition));
    const NodeKind kind = kindOf(condition);
    if (kind == NodeKind::False || (kind == NodeKind::Integer && context.text(condition) == "0")) {
      return true;
    }
    if (kind != NodeKind::Identifier && kind != NodeKind::Attribute) continue;
    const std::string qualified = context.semantic().qualifiedName(scope, condition);
    if (qualified == "typing.TYPE_CHECKING" || qualified == "typing_extensions.TYPE_CHECKING" ||
        (kind == NodeKind::Identifier && context.text(condition) == "TYPE_CHECKING")) {
      return true;
    }
  }
  return false;
}

namespace {

// The guards of a function's body for onceGuardAt: each `if ...: return`, not yet read.
std::vector<OnceGuardMemo::Guard> functionGuards(TSNode function) {
  std::vector<OnceGuardMemo::Guard> guards;
  const TSNode body = childByField(function, Field::Body);
  const uint32_t count = namedChildCount(body);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode statement = nthNamedChild(body, i);
    if (kindOf(statement) != NodeKind::IfStatement) continue;
    const TSNode consequence = childByField(statement, Field::Consequence);
    if (kindOf(nthNamedChild(consequence, 0)) != NodeKind::ReturnStatement) continue;
    OnceGuardMemo::Guard guard;
    guard.statement = statement;
    guard.index = i;
    guards.push_back(guard);
  }
  return guards;
}

// What a guard says: `if key in seen: return` speaks for what runs after it, `if _installed:
// return` (a name the function assigns) wherever it is.
void readGuard(const RuleContext& context, TSNode function, OnceGuardMemo::Guard& guard) {
  guard.read = true;
  const TSNode body = childByField(function, Field::Body);
  const TSNode condition = childByField(guard.statement, Field::Condition);
  guard.per_key = oncePerKeyGuard(context, function, condition, body, guard.index);
  std::vector<std::string_view> names;
  collectNames(context, condition, names);
  const std::string_view name = assignedOneOf(context, body, names, true);
  if (!name.empty()) guard.assigned = guardReason(name);
}

// What the `if` whose body is `branch` says of the code in it: a once-guard on a name the body
// assigns, or empty.
std::string branchGuard(const RuleContext& context, TSNode statement, TSNode branch) {
  std::vector<std::string_view> names;
  collectNames(context, childByField(statement, Field::Condition), names);
  const std::string_view name = assignedOneOf(context, branch, names, false);
  return name.empty() ? std::string() : guardReason(name);
}

}  // namespace

std::string onceGuardAt(const RuleContext& context, OnceGuardMemo& memo) {
  for (size_t up = 1; up + 1 < context.depth(); ++up) {
    const Frame& frame = context.frame(up);
    if (frame.kind == NodeKind::FunctionDefinition || frame.kind == NodeKind::Lambda) {
      // `if _installed: return` early in the function, which sets `_installed = True`. The
      // guards are read in order, each once, until one answers.
      const auto [entry, fresh] = memo.functions.try_emplace(frame.node.id);
      if (fresh) entry->second = functionGuards(frame.node);
      const uint32_t here = ts_node_start_byte(context.frame().node);
      for (OnceGuardMemo::Guard& guard : entry->second) {
        if (!guard.read) readGuard(context, frame.node, guard);
        if (ts_node_end_byte(guard.statement) <= here && !guard.per_key.empty()) {
          return guard.per_key;
        }
        if (!guard.assigned.empty()) return guard.assigned;
      }
      return {};
    }
    if (frame.kind == NodeKind::IfStatement && context.frame(up - 1).field == Field::Consequence) {
      const TSNode branch = context.frame(up - 1).node;
      const auto [entry, fresh] = memo.branches.try_emplace(branch.id);
      if (fresh) entry->second = branchGuard(context, frame.node, branch);
      if (!entry->second.empty()) return entry->second;
    }
  }
  return {};
}

namespace {

// `pytest.fixture`, `pytest_asyncio.fixture`: pytest runs the function per test, whatever its
// name.
bool isFixtureDecorator(std::string_view qualified) {
  return qualified == "fixture" || qualified.ends_with(".fixture");
}

std::string onceHookReason(const RuleContext& context, ScopeId function_scope) {
  const SemanticModel& semantic = context.semantic();
  if (semantic.scope(function_scope).kind != ScopeKind::Function) return {};
  const TSNode function = semantic.scope(function_scope).node;
  const std::string_view name = context.text(childByField(function, Field::Name));
  if (std::find(kOnceHooks.begin(), kOnceHooks.end(), name) != kOnceHooks.end()) {
    return "in `" + std::string(name) + "()`, which runs once";
  }
  const TSNode class_node = classOfMethod(semantic, function_scope);
  // A module function named for setting up (`setup_logging`, `setup_tracing`) is the program's
  // start-up step, called from its `main()`. pytest's `setup_function` and `setup_method` run
  // before each test, and a method's set-up runs per instance.
  if (ts_node_is_null(class_node) && name.starts_with("setup_") && name != "setup_function" &&
      name != "setup_method" &&
      !hasDecorator(context, function, semantic.scope(function_scope).parent, isFixtureDecorator) &&
      semantic.scope(semantic.scope(function_scope).parent).kind == ScopeKind::Module) {
    return "in `" + std::string(name) + "()`, a start-up step";
  }
  if (name != "ready" || ts_node_is_null(class_node)) return {};
  // Django calls `AppConfig.ready()` once per process.
  const ScopeId class_scope = semantic.scope(function_scope).parent;
  const TSNode bases = childByField(class_node, Field::Superclasses);
  const uint32_t count = namedChildCount(bases);
  for (uint32_t i = 0; i < count; ++i) {
    const std::string qualified =
        semantic.qualifiedName(semantic.scope(class_scope).parent, nthNamedChild(bases, i));
    if (qualified == "django.apps.AppConfig" || qualified == "django.apps.config.AppConfig") {
      return "in `ready()` of a Django `AppConfig`, which runs once per process";
    }
  }
  return {};
}

bool takesInput(const RuleContext& context, ScopeId function_scope) {
  const SemanticModel& semantic = context.semantic();
  for (ScopeId current = function_scope; current != kNoScope;
       current = semantic.scope(current).parent) {
    const ScopeKind kind = semantic.scope(current).kind;
    if (kind != ScopeKind::Function && kind != ScopeKind::Lambda) continue;
    uint32_t required =
        requiredParameters(childByField(semantic.scope(current).node, Field::Parameters));
    if (required > 0 && methodKind(context, current) == MethodKind::Class) --required;
    if (required > 0) return true;
  }
  return false;
}

}  // namespace

std::string runsOnceReason(const RuleContext& context, ScopeId scope) {
  const ScopeId function_scope = enclosingFunctionScope(context.semantic(), scope);
  if (function_scope == kNoScope) return "at module level";
  std::string reason = onceHookReason(context, function_scope);
  if (!reason.empty() || takesInput(context, function_scope)) return reason;
  return "in `" + functionDisplayName(context, function_scope) + "()`, which takes no arguments";
}

std::string_view emptiedIn(const RuleContext& context, TSNode function, TSNode target) {
  const std::string registry = compact(context.text(target));
  std::string_view statement;
  int visited = 0;
  visitSubtree(childByField(function, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
    if (++visited > 20000) return Visit::Stop;
    const NodeKind kind = kindOf(node);
    if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition ||
        kind == NodeKind::Lambda) {
      return Visit::SkipChildren;
    }
    if (kind == NodeKind::Call) {
      // `handlers.clear()`, `working_set.__init__()`.
      const TSNode callee = childByField(node, Field::Function);
      const std::string_view method = context.text(childByField(callee, Field::AttributeName));
      if (kindOf(callee) == NodeKind::Attribute && (method == "clear" || method == "__init__") &&
          within(registry, compact(context.text(childByField(callee, Field::Object))))) {
        statement = context.text(node);
      }
    } else if (kind == NodeKind::Assignment) {
      // `atexit._exithandlers = []`.
      const TSNode left = childByField(node, Field::Left);
      if (kindOf(left) == NodeKind::Attribute &&
          isEmptyValue(context, childByField(node, Field::Right)) &&
          (within(registry, compact(context.text(childByField(left, Field::Object)))) ||
           within(registry, compact(context.text(left))))) {
        statement = context.text(node);
      }
    }
    return statement.empty() ? Visit::Descend : Visit::Stop;
  });
  return statement;
}

namespace {

// Whether a directory of `path` (not its last component, the file) is one of `names`.
template <size_t N>
bool underDirectoryNamed(std::string_view path, const std::array<std::string_view, N>& names) {
  size_t start = 0;
  while (true) {
    const size_t end = path.find_first_of("/\\", start);
    if (end == std::string_view::npos) return false;  // the last component is the file
    const std::string_view component = path.substr(start, end - start);
    if (std::find(names.begin(), names.end(), component) != names.end()) return true;
    start = end + 1;
  }
}

}  // namespace

bool isVendoredPath(std::string_view path) {
  static constexpr std::array<std::string_view, 7> kVendorDirectories = {
      "vendor", "_vendor", "vendored", "_vendored", "third_party", "thirdparty", "externals"};
  return underDirectoryNamed(path, kVendorDirectories);
}

bool isMigrationPath(std::string_view path) {
  static constexpr std::array<std::string_view, 2> kMigrationDirectories = {"migrations",
                                                                            "alembic"};
  return underDirectoryNamed(path, kMigrationDirectories);
}

}  // namespace heaplint
