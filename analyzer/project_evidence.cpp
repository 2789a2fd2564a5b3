#include "analyzer/project_evidence.h"

#include <algorithm>

#include "analyzer/analyze.h"
#include "analyzer/callback_evidence.h"
#include "analyzer/code_model.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/lifetime_evidence.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

using NamePairs = std::vector<std::pair<std::string, std::string>>;

void addPairs(StringTableWriter& table, const NamePairs& pairs) {
  for (const auto& [first, second] : pairs) {
    table.add(first);
    table.add(second);
  }
}

void writePairs(FactsWriter& out, const StringTableWriter& table, const NamePairs& pairs) {
  out.u32(static_cast<uint32_t>(pairs.size()));
  for (const auto& [first, second] : pairs) {
    table.ref(out, first);
    table.ref(out, second);
  }
}

void readPairs(FactsReader& in, const StringTableReader& table, NamePairs& pairs) {
  pairs.resize(in.count());
  for (auto& [first, second] : pairs) {
    first = table.string(in);
    second = table.string(in);
  }
}

template <typename T>
void appendAll(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

std::string inModule(const RuleContext& context, std::string_view name) {
  const std::string& module = context.options().module.name;
  return module.empty() ? std::string(name) : module + "." + std::string(name);
}

bool capitalised(std::string_view name) {
  return !name.empty() && name[0] >= 'A' && name[0] <= 'Z';
}

}  // namespace

// Every name once, in a table (facts_io.h): a module's definitions repeat its name and each
// other's (MEM301's facts of the standard library: 460 bytes a file before, 220 in a table).
void ProjectDefinitions::write(FactsWriter& out) const {
  StringTableWriter table;
  for (const Class& fact : classes) {
    table.add(fact.name);
    table.add(fact.bases);
    table.add(fact.weak_methods);
    table.add(fact.other_methods);
  }
  addPairs(table, made_by);
  addPairs(table, singleton_getters);
  for (const auto& [name, repeats] : instantiations)
    table.add(name);
  addPairs(table, reexports);
  table.write(out);

  out.u32(static_cast<uint32_t>(classes.size()));
  for (const Class& fact : classes) {
    table.ref(out, fact.name);
    table.refs(out, fact.bases);
    table.refs(out, fact.weak_methods);
    table.refs(out, fact.other_methods);
  }
  writePairs(out, table, made_by);
  writePairs(out, table, singleton_getters);
  out.u32(static_cast<uint32_t>(instantiations.size()));
  for (const auto& [name, repeats] : instantiations) {
    table.ref(out, name);
    out.boolean(repeats);
  }
  writePairs(out, table, reexports);
}

bool ProjectDefinitions::read(FactsReader& in) {
  StringTableReader table;
  if (!table.read(in)) return false;
  classes.resize(in.count());
  for (Class& fact : classes) {
    fact.name = table.string(in);
    fact.bases = table.strings(in);
    fact.weak_methods = table.strings(in);
    fact.other_methods = table.strings(in);
  }
  readPairs(in, table, made_by);
  readPairs(in, table, singleton_getters);
  instantiations.resize(in.count());
  for (auto& [name, repeats] : instantiations) {
    name = table.string(in);
    repeats = in.boolean();
  }
  readPairs(in, table, reexports);
  return in.ok();
}

void ProjectDefinitions::append(const ProjectDefinitions& next) {
  appendAll(classes, next.classes);
  appendAll(made_by, next.made_by);
  appendAll(singleton_getters, next.singleton_getters);
  appendAll(instantiations, next.instantiations);
  appendAll(reexports, next.reexports);
}

void ProjectDefinitionsCollector::collect(TSNode node, NodeKind kind, const RuleContext& context) {
  switch (kind) {
    case NodeKind::Assignment: {
      // Module-level names, and attributes of anything but the instance.
      const TSNode left = childByField(node, Field::Left);
      const bool annotated = !ts_node_is_null(childByField(node, Field::TypeAnnotation));
      if (kindOf(childByField(node, Field::Right)) != NodeKind::Call && !annotated) return;
      if ((kindOf(left) == NodeKind::Identifier && context.execution().kind == NodeKind::Module) ||
          kindOf(left) == NodeKind::Attribute) {
        assignments_.push_back(Site{node, context.scope(), false});
      }
      return;
    }
    case NodeKind::Call: {
      const TSNode callee = childByField(node, Field::Function);
      const TSNode name = kindOf(callee) == NodeKind::Attribute
                              ? childByField(callee, Field::AttributeName)
                              : callee;
      if (kindOf(name) == NodeKind::Identifier && capitalised(context.text(name))) {
        calls_.push_back(Site{callee, context.scope(), context.loopDepth() > 0});
      }
      return;
    }
    case NodeKind::ClassDefinition:
      if (context.enclosingFunction() == nullptr) classes_.push_back(node);
      return;
    case NodeKind::FunctionDefinition:
      // Singleton getters are module functions without arguments.
      if (context.execution().kind == NodeKind::Module &&
          requiredParameters(childByField(node, Field::Parameters)) == 0) {
        functions_.push_back(node);
      }
      return;
    case NodeKind::ReturnStatement:
      // In the body of the last of functions_, not of a function or class inside it.
      for (size_t up = 1; up < context.depth() && !functions_.empty(); ++up) {
        const Frame& frame = context.frame(up);
        if (frame.kind == NodeKind::FunctionDefinition) {
          if (frame.node.id == functions_.back().id && context.frame(up - 1).field == Field::Body) {
            returns_.emplace_back(functions_.size() - 1, node);
          }
          break;
        }
        if (frame.kind == NodeKind::ClassDefinition || frame.kind == NodeKind::Lambda) break;
      }
      return;
    default:
      return;
  }
}

ProjectDefinitions ProjectDefinitionsCollector::finish(
    const RuleContext& context, const std::function<bool(std::string_view)>& asks) const {
  ProjectDefinitions definitions;
  const SemanticModel& semantic = context.semantic();
  for (const TSNode class_node : classes_) {
    ProjectDefinitions::Class fact;
    fact.name = classProjectName(context, class_node);
    if (fact.name.empty()) continue;
    const TSNode bases = childByField(class_node, Field::Superclasses);
    for (uint32_t i = 0; i < namedChildCount(bases); ++i) {
      std::string base = projectName(context, 0, nthNamedChild(bases, i));
      if (!base.empty()) fact.bases.push_back(std::move(base));
    }
    forEachMethod(class_node, [&](TSNode method) {
      const std::string_view name = context.text(childByField(method, Field::Name));
      if (asks(name)) {
        (weakCallbackHold(context, method).empty() ? fact.other_methods : fact.weak_methods)
            .emplace_back(name);
      }
      return true;
    });
    if (!fact.bases.empty() || !fact.weak_methods.empty() || !fact.other_methods.empty()) {
      definitions.classes.push_back(std::move(fact));
    }
  }
  for (const Site& assignment : assignments_) {
    const TSNode left = childByField(assignment.node, Field::Left);
    std::string target = kindOf(left) == NodeKind::Identifier
                             ? inModule(context, context.text(left))
                             : projectName(context, assignment.scope, left);
    if (target.empty()) continue;
    TSNode type = childByField(assignment.node, Field::TypeAnnotation);
    type = ts_node_is_null(type) ? childByField(assignment.node, Field::Right)
                                 : nthNamedChild(type, 0);
    if (kindOf(type) == NodeKind::Call) {
      const TSNode callee = childByField(type, Field::Function);
      // `cast(ChatCommands, None)` says what the name will hold.
      type = semantic.qualifiedName(assignment.scope, callee) == "typing.cast"
                 ? nthNamedChildSkippingExtras(childByField(type, Field::Arguments), 0)
                 : callee;
    }
    std::string maker = projectName(context, assignment.scope, type);
    if (!maker.empty()) definitions.made_by.emplace_back(std::move(target), std::move(maker));
  }
  auto returns = returns_.begin();
  std::vector<TSNode> function_returns;
  for (size_t index = 0; index < functions_.size(); ++index) {
    const TSNode function = functions_[index];
    function_returns.clear();
    for (; returns != returns_.end() && returns->first == index; ++returns)
      function_returns.push_back(returns->second);
    std::string returned;
    if (!isSingletonGetter(context, function, function_returns, &returned)) continue;
    definitions.singleton_getters.emplace_back(
        inModule(context, context.text(childByField(function, Field::Name))), std::move(returned));
  }
  std::map<std::string, bool> repeats;
  for (const Site& call : calls_) {
    std::string name = projectName(context, call.scope, call.node);
    if (name.empty()) continue;
    const bool once = !call.in_loop && !runsOnceReason(context, call.scope).empty();
    repeats[std::move(name)] |= !once;
  }
  definitions.instantiations.assign(repeats.begin(), repeats.end());
  // Classes (capitalised names) of the project (a relative import, or one under the file's own
  // top-level package): the rest can never name a class the index holds.
  const std::string& module = context.options().module.name;
  const std::string_view top_package = std::string_view(module).substr(0, module.find('.'));
  for (const Binding& binding : semantic.bindings()) {
    if (binding.scope != 0 || binding.prelude || binding.kind != BindingKind::FromImport ||
        !capitalised(binding.name)) {
      continue;
    }
    const std::string_view imported = semantic.importedName(binding);
    std::string target = absoluteName(imported, context.options().module);
    if (target.empty() || (!imported.starts_with('.') && !(target.starts_with(top_package) &&
                                                           target.size() > top_package.size() &&
                                                           target[top_package.size()] == '.'))) {
      continue;
    }
    std::string alias = inModule(context, binding.name);
    if (target != alias) definitions.reexports.emplace_back(std::move(alias), std::move(target));
  }
  return definitions;
}

void ProjectIndex::add(const ProjectDefinitions& definitions) {
  for (const ProjectDefinitions::Class& fact : definitions.classes) {
    classes_.emplace(fact.name, &fact);
    for (const std::string& base : fact.bases)
      subclasses_.emplace(base, fact.name);
  }
  for (const auto& [target, maker] : definitions.made_by)
    made_by_.emplace(target, maker);
  for (const auto& [getter, returned] : definitions.singleton_getters) {
    getters_.emplace(getter, returned);
  }
  for (const auto& [name, repeats] : definitions.instantiations)
    repeats_[name] |= repeats;
  for (const auto& [alias, target] : definitions.reexports)
    reexports_.emplace(alias, target);
}

std::vector<std::string_view> ProjectIndex::madeBy(std::string_view name) const {
  std::vector<std::string_view> makers;
  const auto [first, last] = made_by_.equal_range(name);
  for (auto it = first; it != last; ++it)
    makers.push_back(it->second);
  return makers;
}

std::optional<std::string_view> ProjectIndex::singletonGetter(std::string_view name) const {
  const auto found = getters_.find(name);
  if (found == getters_.end()) return std::nullopt;
  return found->second;
}

bool ProjectIndex::onlyMadeOnce(std::string_view class_name) const {
  std::vector<std::string_view> pending = {class_name};
  bool made = false;
  // Bounded: class hierarchies are shallow, and a cycle of bases must not loop.
  for (size_t visited = 0; !pending.empty(); ++visited) {
    if (visited > 256) return false;
    const std::string_view name = pending.back();
    pending.pop_back();
    if (const auto found = repeats_.find(name); found != repeats_.end()) {
      if (found->second) return false;
      made = true;
    }
    const auto [first, last] = subclasses_.equal_range(name);
    for (auto it = first; it != last; ++it)
      pending.push_back(it->second);
  }
  return made;
}

std::optional<RegistryHold> ProjectIndex::registryHold(const LibraryKnowledge& library,
                                                       std::string_view name,
                                                       std::string_view method) const {
  return classHold(library, name, method, 0);
}

std::optional<RegistryHold> ProjectIndex::registryHoldOfAny(const LibraryKnowledge& library,
                                                            std::span<const std::string_view> names,
                                                            std::string_view method) const {
  for (const std::string_view name : names) {
    std::optional<RegistryHold> hold = registryHold(library, name, method);
    for (const std::string_view maker : madeBy(name)) {
      if (!hold) hold = registryHold(library, maker, method);
    }
    if (hold) return hold;
  }
  return std::nullopt;
}

std::optional<RegistryHold> ProjectIndex::classHold(const LibraryKnowledge& library,
                                                    std::string_view name, std::string_view method,
                                                    int depth) const {
  if (const std::optional<RegistryHold> hold = library.registry(name, method)) return hold;
  if (depth > 8) return std::nullopt;
  const auto found = classes_.find(name);
  if (found == classes_.end()) {
    // A re-export (`from .signal import Signal` in `pkg/dispatch/__init__.py`).
    const auto reexported = reexports_.find(name);
    if (reexported == reexports_.end()) return std::nullopt;
    return classHold(library, reexported->second, method, depth + 1);
  }
  const ProjectDefinitions::Class& fact = *found->second;
  const auto defines = [&](const std::vector<std::string>& methods) {
    return std::find(methods.begin(), methods.end(), method) != methods.end();
  };
  if (defines(fact.weak_methods)) return RegistryHold::WeakByDefault;
  if (defines(fact.other_methods)) return RegistryHold::Strong;
  for (const std::string& base : fact.bases) {
    if (const auto hold = classHold(library, base, method, depth + 1)) return hold;
  }
  return std::nullopt;
}

}  // namespace heaplint
