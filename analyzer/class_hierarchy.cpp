#include "analyzer/class_hierarchy.h"

#include <algorithm>
#include <array>
#include <unordered_set>

#include "analyzer/analyze.h"
#include "analyzer/class_layout.h"
#include "analyzer/concat.h"
#include "analyzer/facts_io.h"
#include "analyzer/project_modules.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

struct StdlibEntry {
  std::string_view name;  // a trailing "." matches every class under the prefix
  Presence dict;
  Presence weakref;
};

// What a slotted subclass of each class inherits, measured on CPython 3.11 (a subclass with
// `__slots__ = ("x",)`, then `__dictoffset__` and `__weakrefoffset__`). `int`, `tuple` and `bytes`
// are absent: their subclasses cannot take non-empty slots or `__weakref__` at all.
constexpr std::array<StdlibEntry, 52> kStdlibLayouts = {{
    // Empty `__slots__` (or none needed): slots in a subclass are all there is.
    {"builtins.object", Presence::No, Presence::No},
    {"abc.ABC", Presence::No, Presence::No},
    {"typing.Generic", Presence::No, Presence::No},
    {"typing.Protocol", Presence::No, Presence::No},
    {"typing_extensions.Generic", Presence::No, Presence::No},
    {"typing_extensions.Protocol", Presence::No, Presence::No},
    {"collections.abc.", Presence::No, Presence::No},
    {"_collections_abc.", Presence::No, Presence::No},
    {"builtins.list", Presence::No, Presence::No},
    {"builtins.dict", Presence::No, Presence::No},
    {"builtins.str", Presence::No, Presence::No},
    {"builtins.float", Presence::No, Presence::No},
    {"builtins.complex", Presence::No, Presence::No},
    {"collections.defaultdict", Presence::No, Presence::No},
    // No `__dict__`, but weakly referable already.
    {"builtins.set", Presence::No, Presence::Yes},
    {"builtins.frozenset", Presence::No, Presence::Yes},
    {"collections.deque", Presence::No, Presence::Yes},
    {"threading.local", Presence::No, Presence::Yes},
    // Classes whose instances keep a `__dict__`, whatever a subclass's `__slots__` say.
    {"types.SimpleNamespace", Presence::Yes, Presence::No},
    {"threading.Thread", Presence::Yes, Presence::Yes},
    {"logging.Handler", Presence::Yes, Presence::Yes},
    {"logging.StreamHandler", Presence::Yes, Presence::Yes},
    {"logging.FileHandler", Presence::Yes, Presence::Yes},
    {"logging.Formatter", Presence::Yes, Presence::Yes},
    {"logging.Filter", Presence::Yes, Presence::Yes},
    {"logging.Logger", Presence::Yes, Presence::Yes},
    {"logging.LoggerAdapter", Presence::Yes, Presence::Yes},
    {"json.JSONEncoder", Presence::Yes, Presence::Yes},
    {"json.JSONDecoder", Presence::Yes, Presence::Yes},
    {"argparse.Action", Presence::Yes, Presence::Yes},
    {"argparse.ArgumentParser", Presence::Yes, Presence::Yes},
    {"argparse.HelpFormatter", Presence::Yes, Presence::Yes},
    {"argparse.Namespace", Presence::Yes, Presence::Yes},
    {"collections.OrderedDict", Presence::Yes, Presence::Yes},
    {"collections.Counter", Presence::Yes, Presence::Yes},
    {"collections.UserDict", Presence::Yes, Presence::Yes},
    {"collections.UserList", Presence::Yes, Presence::Yes},
    {"collections.UserString", Presence::Yes, Presence::Yes},
    {"io.IOBase", Presence::Yes, Presence::Yes},
    {"io.RawIOBase", Presence::Yes, Presence::Yes},
    {"io.BufferedIOBase", Presence::Yes, Presence::Yes},
    {"io.TextIOBase", Presence::Yes, Presence::Yes},
    {"io.StringIO", Presence::Yes, Presence::Yes},
    {"io.BytesIO", Presence::Yes, Presence::Yes},
    {"string.Formatter", Presence::Yes, Presence::Yes},
    {"string.Template", Presence::Yes, Presence::Yes},
    {"ast.NodeVisitor", Presence::Yes, Presence::Yes},
    {"ast.NodeTransformer", Presence::Yes, Presence::Yes},
    {"html.parser.HTMLParser", Presence::Yes, Presence::Yes},
    {"contextlib.ContextDecorator", Presence::Yes, Presence::Yes},
    {"socketserver.BaseRequestHandler", Presence::Yes, Presence::Yes},
    {"http.server.BaseHTTPRequestHandler", Presence::Yes, Presence::Yes},
}};

// Builtin exceptions: `BaseException` keeps a `__dict__`; a slotted subclass is not weakly
// referable unless it lists `"__weakref__"` (measured on `Exception`, `ValueError` and
// `KeyboardInterrupt`).
bool isBuiltinException(std::string_view qualified) {
  if (!qualified.starts_with("builtins.")) return false;
  const std::string_view name = qualified.substr(9);
  return name.ends_with("Error") || name.ends_with("Exception") || name.ends_with("Warning") ||
         name.ends_with("ExceptionGroup") || name == "KeyboardInterrupt" || name == "SystemExit" ||
         name == "GeneratorExit" || name == "StopIteration" || name == "StopAsyncIteration";
}

// `name` in the module named `module_name` ("pkg.models.Record"); `name` alone when the module
// has no name (standard input).
std::string withModule(std::string_view name, std::string_view module_name) {
  return module_name.empty() ? std::string(name) : concat(module_name, ".", name);
}

std::string moduleQualified(const ModuleInfo& module, std::string_view name) {
  return withModule(name, module.name);
}

ClassSummary describeClass(const RuleContext& context, TSNode class_node) {
  ClassSummary summary;
  const TSNode name = childByField(class_node, Field::Name);
  summary.name = std::string(context.text(name));
  summary.qualified = moduleQualified(context.options().module, summary.name);
  summary.start = ts_node_start_byte(name);
  summary.end = ts_node_end_byte(name);
  summary.row = context.source().rowOf(summary.start);
  const TSNode superclasses = childByField(class_node, Field::Superclasses);
  for (uint32_t i = 0, count = namedChildCount(superclasses); i < count; ++i) {
    const TSNode base = nthNamedChild(superclasses, i);
    const NodeKind kind = kindOf(base);
    if (kind == NodeKind::Comment || kind == NodeKind::KeywordArgument ||
        kind == NodeKind::ListSplat || kind == NodeKind::DictionarySplat) {
      continue;  // the layout weighs metaclasses and computed bases
    }
    summary.bases.push_back(absoluteClassName(context, 0, base));
    summary.exception = summary.exception || isBuiltinException(summary.bases.back());
  }
  const ClassLayout layout = declaredClassLayout(context, class_node, 0);
  // A `__dict__` bound in the body is what `cached_property` and `vars()` would find.
  summary.layout_not_own = layout.layout_not_own ||
                           std::find(layout.class_attributes.begin(), layout.class_attributes.end(),
                                     "__dict__") != layout.class_attributes.end();
  if (layout.library_slots) {
    summary.slots = SlotsKind::Library;
  } else if (layout.dataclass_slots) {
    summary.slots = SlotsKind::Dataclass;
    summary.weakref_slot = layout.dataclass_weakref_slot;
  } else if (!ts_node_is_null(layout.slots_value)) {
    summary.slots = layout.slots_literal ? SlotsKind::Listed : SlotsKind::Computed;
    for (std::string_view slot : layout.slot_names)
      summary.slot_names.emplace_back(slot);
  }
  return summary;
}

}  // namespace

bool ClassSummary::lists(std::string_view slot) const {
  return std::find(slot_names.begin(), slot_names.end(), slot) != slot_names.end();
}

StdlibLayout stdlibLayout(std::string_view qualified) {
  if (isBuiltinException(qualified)) return {Presence::Yes, Presence::No, true};
  for (const StdlibEntry& entry : kStdlibLayouts) {
    if (entry.name.back() == '.' ? qualified.starts_with(entry.name) : qualified == entry.name) {
      return {entry.dict, entry.weakref, false};
    }
  }
  return {};
}

std::string absoluteClassName(const RuleContext& context, ScopeId scope, TSNode expression) {
  if (kindOf(expression) == NodeKind::Subscript) {
    expression = childByField(expression, Field::Value);  // `Generic[T]`
  }
  const ModuleInfo& module = context.options().module;
  if (kindOf(expression) == NodeKind::Identifier) {
    const std::string_view name = context.text(expression);
    const Resolution resolution =
        context.semantic().resolve(scope, name, ts_node_start_byte(expression));
    if (resolution.kind == Resolution::Kind::Bound &&
        resolution.binding->kind == BindingKind::ClassDefinition &&
        resolution.binding->scope == 0) {
      return moduleQualified(module, name);
    }
    if (resolution.kind == Resolution::Kind::Builtin) return "builtins." + std::string(name);
  }
  const std::string qualified = context.semantic().qualifiedName(scope, expression);
  return qualified.empty() ? std::string() : absoluteName(qualified, module);
}

ModuleClasses describeModuleClasses(const RuleContext& context) {
  ModuleClasses result;
  const ModuleInfo& module = context.options().module;
  result.module_name = module.name;
  for (const Binding& binding : context.semantic().bindings()) {
    if (binding.scope != 0 || binding.prelude) continue;
    if (binding.kind == BindingKind::ClassDefinition) {
      // A stub (.pyi) declares classes that live elsewhere.
      if (!module.is_stub) result.classes.push_back(describeClass(context, binding.node));
    } else if (binding.kind == BindingKind::FromImport) {
      // ClassHierarchy::find follows whole names only, and `import a.b` binds a module: only a
      // name imported from a module may be a class.
      std::string target = absoluteName(context.semantic().importedName(binding), module);
      std::string alias = moduleQualified(module, binding.name);
      if (!target.empty() && alias != target) {
        result.reexports.emplace_back(std::move(alias), std::move(target));
      }
    }
  }
  return result;
}

namespace {

// `qualified` without the module's name and its dot ("Record" of "pkg.models.Record"), when it
// has them; else all of it (never the case for what describeModuleClasses makes).
std::string_view withoutModule(std::string_view qualified, std::string_view module_name) {
  if (module_name.empty()) return qualified;
  if (qualified.size() > module_name.size() && qualified.starts_with(module_name) &&
      qualified[module_name.size()] == '.') {
    return qualified.substr(module_name.size() + 1);
  }
  return qualified;
}

}  // namespace

// Names in a table (facts_io.h): bases and slot names repeat across a module's classes (the
// class facts of the standard library: 330 bytes a file before, 250 in a table).
void ModuleClasses::write(FactsWriter& out) const {
  out.string(module_name);
  StringTableWriter table;
  for (const ClassSummary& summary : classes) {
    table.add(summary.name);
    table.add(summary.bases);
    table.add(summary.slot_names);
  }
  for (const auto& [alias, target] : reexports) {
    table.add(withoutModule(alias, module_name));
    table.add(target);
  }
  table.write(out);
  out.u32(static_cast<uint32_t>(classes.size()));
  for (const ClassSummary& summary : classes) {
    // `qualified` is the module's name and `name` (moduleQualified).
    table.ref(out, summary.name);
    out.u32(summary.start);
    out.u32(summary.end);
    out.u32(summary.row);
    table.refs(out, summary.bases);
    out.u32(static_cast<uint32_t>(summary.slots));
    table.refs(out, summary.slot_names);
    out.boolean(summary.weakref_slot);
    out.boolean(summary.layout_not_own);
    out.boolean(summary.exception);
  }
  out.u32(static_cast<uint32_t>(reexports.size()));
  for (const auto& [alias, target] : reexports) {
    table.ref(out, withoutModule(alias, module_name));
    table.ref(out, target);
  }
}

bool ModuleClasses::read(FactsReader& in) {
  module_name = in.string();
  StringTableReader table;
  if (!table.read(in)) return false;
  for (uint32_t i = 0, count = in.count(); i < count && in.ok(); ++i) {
    ClassSummary& summary = classes.emplace_back();
    summary.name = table.string(in);
    summary.qualified = withModule(summary.name, module_name);
    summary.start = in.u32();
    summary.end = in.u32();
    summary.row = in.u32();
    summary.bases = table.strings(in);
    const uint32_t slots = in.u32();
    summary.slots = slots <= static_cast<uint32_t>(SlotsKind::Library)
                        ? static_cast<SlotsKind>(slots)
                        : SlotsKind::Computed;
    summary.slot_names = table.strings(in);
    summary.weakref_slot = in.boolean();
    summary.layout_not_own = in.boolean();
    summary.exception = in.boolean();
  }
  for (uint32_t i = 0, count = in.count(); i < count && in.ok(); ++i) {
    std::string alias = withModule(table.ref(in), module_name);
    reexports.emplace_back(std::move(alias), table.string(in));
  }
  return in.ok();
}

void ModuleClasses::appendShifted(const ModuleClasses& next, int64_t bytes, int64_t rows) {
  if (module_name.empty()) module_name = next.module_name;  // the same file's runs: one module
  for (ClassSummary summary : next.classes) {
    summary.start = shiftedOffset(summary.start, bytes);
    summary.end = shiftedOffset(summary.end, bytes);
    summary.row = shiftedOffset(summary.row, rows);
    classes.push_back(std::move(summary));
  }
  reexports.insert(reexports.end(), next.reexports.begin(), next.reexports.end());
}

void ClassFacts::write(FactsWriter& out) const {
  module.write(out);
  out.u32(static_cast<uint32_t>(sites.size()));
  for (const ClassSite& site : sites) {
    out.string(site.class_qualified);
    out.u32(site.start);
    out.u32(site.end);
    out.u32(site.row);
    out.string(site.detail);
    out.fix(site.fix);
  }
}

std::unique_ptr<FileFacts> ClassFacts::read(FactsReader& in) {
  auto facts = std::make_unique<ClassFacts>();
  if (!facts->module.read(in)) return nullptr;
  for (uint32_t i = 0, count = in.count(); i < count && in.ok(); ++i) {
    ClassSite& site = facts->sites.emplace_back();
    site.class_qualified = in.string();
    site.start = in.u32();
    site.end = in.u32();
    site.row = in.u32();
    site.detail = in.string();
    site.fix = in.fix();
  }
  if (!in.ok()) return nullptr;
  return facts;
}

std::unique_ptr<FileFacts> ClassFacts::makeEmpty() const {
  return std::make_unique<ClassFacts>();
}

void ClassFacts::appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) {
  const auto& more = static_cast<const ClassFacts&>(next);
  module.appendShifted(more.module, bytes, rows);
  for (ClassSite site : more.sites) {
    site.start = shiftedOffset(site.start, bytes);
    site.end = shiftedOffset(site.end, bytes);
    site.row = shiftedOffset(site.row, rows);
    if (site.fix) shiftBy(*site.fix, bytes);
    sites.push_back(std::move(site));
  }
}

ClassHierarchy::ClassHierarchy(std::span<const ProjectFileView> files) {
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].module != nullptr && files[i].module->compiled_beside) compiled_.push_back(i);
    if (const auto* facts = static_cast<const ClassFacts*>(files[i].facts)) add(i, facts->module);
  }
}

void ClassHierarchy::add(size_t file, const ModuleClasses& classes) {
  subclasses_built_ = false;
  subclasses_.clear();
  for (const ClassSummary& summary : classes.classes) {
    if (classes_.try_emplace(summary.qualified, Found{file, &summary}).second) {
      all_.push_back(&summary);
    }
  }
  for (const auto& [alias, target] : classes.reexports)
    aliases_.try_emplace(alias, target);
}

const ClassHierarchy::Found* ClassHierarchy::find(std::string name) const {
  for (int hop = 0; hop < 8 && !name.empty(); ++hop) {
    if (const auto found = classes_.find(name); found != classes_.end()) return &found->second;
    const auto alias = aliases_.find(name);
    if (alias == aliases_.end()) return nullptr;
    name = alias->second;
  }
  return nullptr;
}

namespace {

// Combines what one class of the MRO gives: Yes wins (one class with a `__dict__` gives every
// instance one), then Unknown, then No.
void combine(Presence& into, Presence part) {
  if (into == Presence::Yes || part == Presence::Yes) {
    into = Presence::Yes;
  } else if (part == Presence::Unknown) {
    into = Presence::Unknown;
  }
}

}  // namespace

InstanceLayout ClassHierarchy::inheritedLayout(const ClassSummary& summary) const {
  InstanceLayout layout;
  layout.dict = Presence::No;
  layout.weakref = Presence::No;
  layout.exception = summary.exception;
  // Breadth-first from the class, so that the nearest class with a `__dict__` is named.
  std::vector<const ClassSummary*> queue{&summary};
  std::vector<const ClassSummary*> seen{&summary};
  for (size_t next = 0; next < queue.size(); ++next) {
    if (queue.size() > 64) return {};
    for (const std::string& base : queue[next]->bases) {
      const Found* found = find(base);
      if (found == nullptr) {
        const StdlibLayout known = stdlibLayout(base);
        if (known.dict == Presence::Yes && layout.dict != Presence::Yes) {
          layout.dict_from = base;
          layout.dict_file = SIZE_MAX;
          layout.dict_class = nullptr;
        }
        combine(layout.dict, known.dict);
        combine(layout.weakref, known.weakref);
        layout.exception = layout.exception || known.exception;
        continue;
      }
      const ClassSummary& parent = *found->summary;
      if (std::find(seen.begin(), seen.end(), &parent) != seen.end()) continue;
      seen.push_back(&parent);
      queue.push_back(&parent);
      layout.exception = layout.exception || parent.exception;
      Presence dict = Presence::No;
      Presence weakref = Presence::No;
      if (parent.layout_not_own || compiled(found->file) || parent.slots == SlotsKind::Computed ||
          parent.slots == SlotsKind::Library) {
        dict = weakref = Presence::Unknown;
      } else if (parent.slots == SlotsKind::None) {
        dict = weakref = Presence::Yes;
      } else if (parent.slots == SlotsKind::Dataclass) {
        weakref = parent.weakref_slot ? Presence::Yes : Presence::No;
      } else {
        dict = parent.lists("__dict__") ? Presence::Yes : Presence::No;
        weakref = parent.lists("__weakref__") ? Presence::Yes : Presence::No;
      }
      if (dict == Presence::Yes && layout.dict != Presence::Yes) {
        layout.dict_from = parent.qualified;
        layout.dict_file = found->file;
        layout.dict_class = &parent;
      }
      combine(layout.dict, dict);
      combine(layout.weakref, weakref);
    }
  }
  return layout;
}

InstanceLayout ClassHierarchy::instanceLayout(const ClassSummary& summary) const {
  InstanceLayout layout = inheritedLayout(summary);
  Presence dict = Presence::No;
  Presence weakref = Presence::No;
  switch (summary.slots) {
    case SlotsKind::None:
      dict = weakref = Presence::Yes;
      break;
    case SlotsKind::Listed:
      dict = summary.lists("__dict__") ? Presence::Yes : Presence::No;
      weakref = summary.lists("__weakref__") ? Presence::Yes : Presence::No;
      break;
    case SlotsKind::Dataclass:
      weakref = summary.weakref_slot ? Presence::Yes : Presence::No;
      break;
    case SlotsKind::Computed:
    case SlotsKind::Library:
      dict = weakref = Presence::Unknown;
      break;
  }
  const Found* self = find(summary.qualified);
  if (summary.layout_not_own || (self != nullptr && compiled(self->file))) {
    dict = weakref = Presence::Unknown;
  }
  combine(layout.dict, dict);
  combine(layout.weakref, weakref);
  return layout;
}

bool ClassHierarchy::derivesFrom(const ClassSummary& summary, const ClassSummary& base) const {
  std::vector<const ClassSummary*> queue{&summary};
  for (size_t next = 0; next < queue.size() && queue.size() <= 64; ++next) {
    for (const std::string& name : queue[next]->bases) {
      const Found* found = find(name);
      if (found == nullptr) continue;
      if (found->summary == &base) return true;
      if (std::find(queue.begin(), queue.end(), found->summary) == queue.end()) {
        queue.push_back(found->summary);
      }
    }
  }
  return false;
}

void ClassHierarchy::buildSubclasses() const {
  subclasses_built_ = true;
  for (const ClassSummary* summary : all_) {
    for (const std::string& name : summary->bases) {
      const Found* found = find(name);
      if (found != nullptr && found->summary != summary) {
        std::vector<const ClassSummary*>& direct = subclasses_[found->summary];
        if (std::find(direct.begin(), direct.end(), summary) == direct.end()) {
          direct.push_back(summary);
        }
      }
    }
  }
}

bool ClassHierarchy::subclassMayHave(const ClassSummary& base,
                                     Presence InstanceLayout::*member) const {
  if (!subclasses_built_) buildSubclasses();
  // Every project class derived from `base`, breadth-first down the direct subclasses.
  std::vector<const ClassSummary*> queue{&base};
  std::unordered_set<const ClassSummary*> seen{&base};
  for (size_t next = 0; next < queue.size(); ++next) {
    const auto direct = subclasses_.find(queue[next]);
    if (direct == subclasses_.end()) continue;
    for (const ClassSummary* subclass : direct->second) {
      if (!seen.insert(subclass).second) continue;
      if (instanceLayout(*subclass).*member != Presence::No) return true;
      queue.push_back(subclass);
    }
  }
  return false;
}

bool ClassHierarchy::certainlyLacks(const ClassSummary& summary,
                                    Presence InstanceLayout::*member) const {
  return instanceLayout(summary).*member == Presence::No &&
         !(summary.slots == SlotsKind::Listed && summary.slot_names.empty()) &&
         !subclassMayHave(summary, member);
}

const ClassSummary* ClassHierarchy::classOf(size_t file, const ClassSite& site) const {
  const Found* found = find(site.class_qualified);
  return found != nullptr && found->file == file ? found->summary : nullptr;
}

void ClassHierarchy::forEachSiteLacking(std::span<const ProjectFileView> files,
                                        Presence InstanceLayout::*member,
                                        const SiteReport& report) const {
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const ClassFacts*>(files[i].facts);
    if (facts == nullptr) continue;
    for (const ClassSite& site : facts->sites) {
      const ClassSummary* summary = classOf(i, site);
      if (summary != nullptr && certainlyLacks(*summary, member)) report(i, site, *summary);
    }
  }
}

std::string slotsWithoutPhrase(const ClassSummary& summary, std::string_view slot) {
  const std::string name = "`" + summary.name + "`";
  if (summary.slots == SlotsKind::Dataclass) {
    return slot == "__weakref__"
               ? "`@dataclass(slots=True)` without `weakref_slot=True` gives " + name +
                     " no `__weakref__` slot"
               : "`@dataclass(slots=True)` gives " + name + " no `" + std::string(slot) + "`";
  }
  return name + (summary.bases.empty() ? " has" : " and every class it derives from have") +
         " `__slots__` without `\"" + std::string(slot) + "\"`";
}

}  // namespace heaplint
