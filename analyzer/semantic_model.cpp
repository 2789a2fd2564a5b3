#include "analyzer/semantic_model.h"

#include <algorithm>
#include <array>
#include <functional>

#include "analyzer/semantic_model_stdlib.h"
#include "analyzer/syntax.h"

namespace heaplint {
namespace {

// dir(builtins) of CPython 3.11, sorted.
// clang-format off
constexpr std::array<std::string_view, 157> kBuiltinNames = {
    "ArithmeticError", "AssertionError", "AttributeError", "BaseException",
    "BaseExceptionGroup", "BlockingIOError", "BrokenPipeError", "BufferError", "BytesWarning",
    "ChildProcessError", "ConnectionAbortedError", "ConnectionError", "ConnectionRefusedError",
    "ConnectionResetError", "DeprecationWarning", "EOFError", "Ellipsis", "EncodingWarning",
    "EnvironmentError", "Exception", "ExceptionGroup", "False", "FileExistsError",
    "FileNotFoundError", "FloatingPointError", "FutureWarning", "GeneratorExit", "IOError",
    "ImportError", "ImportWarning", "IndentationError", "IndexError", "InterruptedError",
    "IsADirectoryError", "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError",
    "ModuleNotFoundError", "NameError", "None", "NotADirectoryError", "NotImplemented",
    "NotImplementedError", "OSError", "OverflowError", "PendingDeprecationWarning",
    "PermissionError", "ProcessLookupError", "RecursionError", "ReferenceError", "ResourceWarning",
    "RuntimeError", "RuntimeWarning", "StopAsyncIteration", "StopIteration", "SyntaxError",
    "SyntaxWarning", "SystemError", "SystemExit", "TabError", "TimeoutError", "True", "TypeError",
    "UnboundLocalError", "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError",
    "UnicodeTranslateError", "UnicodeWarning", "UserWarning", "ValueError", "Warning",
    "ZeroDivisionError", "__build_class__", "__debug__", "__doc__", "__import__", "__loader__",
    "__name__", "__package__", "__spec__", "abs", "aiter", "all", "anext", "any", "ascii", "bin",
    "bool", "breakpoint", "bytearray", "bytes", "callable", "chr", "classmethod", "compile",
    "complex", "copyright", "credits", "delattr", "dict", "dir", "divmod", "enumerate", "eval",
    "exec", "exit", "filter", "float", "format", "frozenset", "getattr", "globals", "hasattr",
    "hash", "help", "hex", "id", "input", "int", "isinstance", "issubclass", "iter", "len",
    "license", "list", "locals", "map", "max", "memoryview", "min", "next", "object", "oct", "open",
    "ord", "pow", "print", "property", "quit", "range", "repr", "reversed", "round", "set",
    "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple", "type", "vars",
    "zip",
};
// clang-format on

bool sameTarget(const SemanticModel& model, const Binding& a, const Binding& b) {
  const bool a_import = a.kind == BindingKind::Import || a.kind == BindingKind::FromImport;
  const bool b_import = b.kind == BindingKind::Import || b.kind == BindingKind::FromImport;
  if (a_import && b_import) return model.importedName(a) == model.importedName(b);
  return &a == &b;
}

}  // namespace

SemanticModel::SemanticModel(std::string_view source) : source_(source) {
  scopes_.reserve(64);
  bindings_.reserve(256);
}

bool SemanticModel::isBuiltinName(std::string_view name) {
  return std::binary_search(kBuiltinNames.begin(), kBuiltinNames.end(), name);
}

ScopeId SemanticModel::addScope(ScopeKind kind, ScopeId parent, TSNode node) {
  scopes_.push_back(Scope{kind, parent, node});
  return static_cast<ScopeId>(scopes_.size() - 1);
}

void SemanticModel::addBinding(const Binding& binding) {
  bindings_.push_back(binding);
}

void SemanticModel::addImportBinding(Binding binding, std::string qualified_name) {
  binding.import_index = static_cast<uint32_t>(imports_.size());
  imports_.push_back(std::move(qualified_name));
  bindings_.push_back(binding);
}

std::string_view SemanticModel::importedName(const Binding& binding) const {
  return binding.import_index < imports_.size() ? std::string_view(imports_[binding.import_index])
                                                : std::string_view();
}

const Binding* SemanticModel::materialized(const Binding* binding) const {
  if (binding != nullptr && binding->prelude && ts_node_is_null(binding->node) &&
      prelude_lookup_ != nullptr) {
    Binding& mutable_binding = bindings_[static_cast<size_t>(binding - bindings_.data())];
    mutable_binding.node = prelude_lookup_(prelude_lookup_context_, mutable_binding);
  }
  return binding;
}

void SemanticModel::finalize() {
  // Ordered by scope, then by a hash of the name rather than the name itself: comparing integers
  // keeps the sort cheap when a large module's bindings are all in it (the language server's
  // prelude, see incremental_analysis.h). Lookups compare names within a hash.
  index_.resize(bindings_.size());
  for (uint32_t i = 0; i < index_.size(); ++i) {
    const Binding& binding = bindings_[i];
    index_[i] =
        IndexEntry{binding.scope, std::hash<std::string_view>{}(binding.name), binding.offset, i};
  }
  std::sort(index_.begin(), index_.end());
  summarizeGroups();
  finalized_ = true;
}

namespace {

// Whether a binding is a candidate for what its name refers to: declarations are not, and an
// annotation alone binds nothing where code runs in order (module and class bodies).
bool isCandidate(const Binding& binding, ScopeKind scope) {
  if (binding.kind == BindingKind::GlobalDeclaration ||
      binding.kind == BindingKind::NonlocalDeclaration) {
    return false;
  }
  return binding.kind != BindingKind::Annotation ||
         (scope != ScopeKind::Module && scope != ScopeKind::Class);
}

}  // namespace

void SemanticModel::summarizeGroups() {
  groups_.clear();
  group_of_.assign(index_.size(), 0);
  last_in_order_.assign(index_.size(), UINT32_MAX);
  for (size_t start = 0; start < index_.size();) {
    size_t end = start + 1;
    while (end < index_.size() && index_[end].scope == index_[start].scope &&
           index_[end].hash == index_[start].hash) {
      ++end;
    }
    Group group;
    const std::string_view name = bindings_[index_[start].index].name;
    const ScopeKind scope_kind = index_[start].scope < scopes_.size()
                                     ? scopes_[index_[start].scope].kind
                                     : ScopeKind::Function;
    uint32_t last_in_order = UINT32_MAX;
    for (size_t i = start; i < end; ++i) {
      group_of_[i] = static_cast<uint32_t>(groups_.size());
      const Binding& b = bindings_[index_[i].index];
      group.single_name = group.single_name && b.name == name;
      if (b.kind == BindingKind::GlobalDeclaration) group.declared_global = true;
      if (b.kind == BindingKind::NonlocalDeclaration) group.declared_nonlocal = true;
      if (isCandidate(b, scope_kind)) {
        if (b.through_global) {
          group.first_global_rebinding = std::min(group.first_global_rebinding, b.offset);
        } else {
          last_in_order = index_[i].index;
        }
        if (group.first_candidate == UINT32_MAX) {
          group.first_candidate = index_[i].index;
        } else if (!sameTarget(*this, bindings_[group.first_candidate], b)) {
          group.ambiguous = true;
        }
        group.last_candidate = index_[i].index;
      }
      last_in_order_[i] = last_in_order;
    }
    groups_.push_back(group);
    start = end;
  }
}

std::pair<std::vector<SemanticModel::IndexEntry>::const_iterator,
          std::vector<SemanticModel::IndexEntry>::const_iterator>
SemanticModel::entriesFor(ScopeId scope, std::string_view name) const {
  const uint64_t hash = std::hash<std::string_view>{}(name);
  const auto lower = std::lower_bound(index_.begin(), index_.end(), IndexEntry{scope, hash, 0, 0});
  const auto upper =
      std::lower_bound(lower, index_.end(), IndexEntry{scope, hash, UINT32_MAX, UINT32_MAX});
  return {lower, upper};
}

std::vector<const Binding*> SemanticModel::bindingsIn(ScopeId scope, std::string_view name) const {
  std::vector<const Binding*> result;
  const auto [first, last] = entriesFor(scope, name);
  for (auto it = first; it != last; ++it) {
    const Binding& b = bindings_[it->index];
    if (b.name == name) result.push_back(materialized(&b));
  }
  return result;
}

Resolution SemanticModel::resolve(ScopeId use_scope, std::string_view name, uint32_t offset) const {
  if (names_resolved_outside_ != nullptr && (offset < walked_start_ || offset >= walked_end_) &&
      (names_resolved_outside_->empty() || names_resolved_outside_->back() != name)) {
    names_resolved_outside_->push_back(name);  // a name asked about again at once, once
  }
  bool deferred = false;  // the use runs after its module has finished executing
  bool starting_scope = true;
  ScopeId id = use_scope;
  while (id != kNoScope && id < scopes_.size()) {
    const Scope& scope = scopes_[id];
    // Class bodies are not visible from the functions and comprehensions nested in them.
    if (scope.kind == ScopeKind::Class && !starting_scope) {
      id = scope.parent;
      continue;
    }
    const auto [first, last] = entriesFor(id, name);
    bool declared_global = false;
    bool declared_nonlocal = false;
    const Binding* last_before_use = nullptr;
    const Binding* first_candidate = nullptr;
    const Binding* last_candidate = nullptr;
    bool ambiguous = false;
    bool saw_global_rebinding = false;
    const Group* group =
        first != last ? &groups_[group_of_[static_cast<size_t>(first - index_.begin())]] : nullptr;
    if (group != nullptr && group->single_name && bindings_[first->index].name == name) {
      // The summary of every binding of the name here, and a binary search for the use.
      declared_global = group->declared_global;
      declared_nonlocal = group->declared_nonlocal;
      ambiguous = group->ambiguous;
      const auto binding = [&](uint32_t index) {
        return index == UINT32_MAX ? nullptr : &bindings_[index];
      };
      first_candidate = binding(group->first_candidate);
      last_candidate = binding(group->last_candidate);
      saw_global_rebinding = group->first_global_rebinding < offset;
      const auto before_use = std::lower_bound(first, last, IndexEntry{id, first->hash, offset, 0});
      if (before_use != first) {
        last_before_use =
            binding(last_in_order_[static_cast<size_t>(before_use - index_.begin()) - 1]);
      }
    }
    for (auto it = group != nullptr && group->single_name ? last : first; it != last; ++it) {
      const Binding& b = bindings_[it->index];
      if (b.name != name) continue;  // another name with the same hash
      if (b.kind == BindingKind::GlobalDeclaration) {
        declared_global = true;
        continue;
      }
      if (b.kind == BindingKind::NonlocalDeclaration) {
        declared_nonlocal = true;
        continue;
      }
      // An annotation alone binds nothing where code runs in order (module and class bodies).
      if (b.kind == BindingKind::Annotation &&
          (scope.kind == ScopeKind::Module || scope.kind == ScopeKind::Class)) {
        continue;
      }
      // A function may rebind a module name through `global` at any time: in order, that makes
      // the name's meaning unknowable.
      if (b.through_global) {
        // Only a function defined before the use can have run and rebound it.
        saw_global_rebinding = saw_global_rebinding || b.offset < offset;
      } else if (b.offset < offset) {
        last_before_use = &b;
      }
      if (first_candidate == nullptr) {
        first_candidate = &b;
      } else if (!sameTarget(*this, *first_candidate, b)) {
        ambiguous = true;
      }
      last_candidate = &b;
    }
    const bool function_like = scope.kind == ScopeKind::Function || scope.kind == ScopeKind::Lambda;
    if (declared_global && scope.kind != ScopeKind::Module) {
      deferred = true;
      starting_scope = false;
      id = 0;
      continue;
    }
    if (declared_nonlocal) {
      deferred = deferred || function_like;
      starting_scope = false;
      id = scope.parent;
      continue;
    }
    const bool runs_in_order =
        (scope.kind == ScopeKind::Module || scope.kind == ScopeKind::Class) && !deferred;
    // A star import of a known module binds its names where it stands, like any other binding:
    // the later of it and the name's last binding wins (before the use, when code runs in order).
    const StarImport* star = scope.kind == ScopeKind::Module
                                 ? lastKnownStarImportOf(name, runs_in_order ? offset : UINT32_MAX)
                                 : nullptr;
    const Binding* explicit_binding = runs_in_order ? last_before_use : last_candidate;
    if (star != nullptr && !saw_global_rebinding &&
        (explicit_binding == nullptr || explicit_binding->offset < star->offset)) {
      return {Resolution::Kind::FromStarImport, nullptr, star->module};
    }
    if (runs_in_order) {
      if (saw_global_rebinding) return {Resolution::Kind::Ambiguous, materialized(last_candidate)};
      if (last_before_use != nullptr) {
        return {Resolution::Kind::Bound, materialized(last_before_use)};
      }
    } else if (last_candidate != nullptr) {
      return {ambiguous ? Resolution::Kind::Ambiguous : Resolution::Kind::Bound,
              materialized(last_candidate)};
    }
    deferred = deferred || function_like;
    starting_scope = false;
    id = scope.parent;
  }
  if (hasUnknownStarImport()) return {Resolution::Kind::StarImported, nullptr};
  if (isBuiltinName(name)) return {Resolution::Kind::Builtin, nullptr};
  return {Resolution::Kind::Unresolved, nullptr};
}

const StarImport* SemanticModel::lastKnownStarImportOf(std::string_view name,
                                                       uint32_t before) const {
  const StarImport* last = nullptr;
  for (const std::vector<StarImport>* stars : {&star_imports_, &prelude_star_imports_}) {
    for (const StarImport& star : *stars) {
      if (star.module == nullptr || star.offset >= before) continue;
      if ((last == nullptr || star.offset > last->offset) && starImportBinds(*star.module, name)) {
        last = &star;
      }
    }
  }
  return last;
}

bool SemanticModel::hasUnknownStarImport() const {
  const auto unknown = [](const StarImport& star) { return star.module == nullptr; };
  return std::any_of(star_imports_.begin(), star_imports_.end(), unknown) ||
         std::any_of(prelude_star_imports_.begin(), prelude_star_imports_.end(), unknown);
}

std::string SemanticModel::qualifiedName(ScopeId scope, TSNode expression) const {
  constexpr size_t kMaxSegments = 16;
  std::array<std::string_view, kMaxSegments> tail;  // attribute names, innermost last
  size_t tail_size = 0;
  TSNode head = expression;
  while (kindOf(head) == NodeKind::Attribute) {
    if (tail_size == kMaxSegments) return {};
    const TSNode attribute = childByField(head, Field::AttributeName);
    if (ts_node_is_null(attribute)) return {};
    tail[tail_size++] = nodeText(source_, attribute);
    head = childByField(head, Field::Object);
  }
  if (kindOf(head) != NodeKind::Identifier) return {};
  const std::string_view name = nodeText(source_, head);
  const Resolution resolution = resolve(scope, name, ts_node_start_byte(head));
  std::string result;
  if (resolution.kind == Resolution::Kind::Builtin) {
    result = "builtins.";
    result += name;
  } else if (resolution.kind == Resolution::Kind::FromStarImport) {
    result = resolution.star_module->name;
    result += '.';
    result += name;
  } else if (resolution.kind == Resolution::Kind::Bound &&
             (resolution.binding->kind == BindingKind::Import ||
              resolution.binding->kind == BindingKind::FromImport)) {
    result = importedName(*resolution.binding);
  } else {
    return {};
  }
  for (size_t i = tail_size; i > 0; --i) {
    result += '.';
    result += tail[i - 1];
  }
  return result;
}

}  // namespace heaplint
