#include "analyzer/import_edit.h"

#include "analyzer/walker.h"

namespace heaplint {
namespace {

// Whether the text before `end` is only comments, blank lines and a byte-order mark: code the
// walked tree does not hold would come before an import inserted at `end`.
bool onlyCommentsBefore(std::string_view text, uint32_t end) {
  size_t position = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (position < end) {
    const char c = text[position];
    if (c == '#') {
      const size_t newline = text.find('\n', position);
      if (newline == std::string_view::npos || newline >= end) return true;
      position = newline + 1;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++position;
    } else {
      return false;
    }
  }
  return true;
}

// The start of the line after `offset`'s line (the end of the text when it has no newline).
uint32_t startOfNextLine(std::string_view text, uint32_t offset) {
  const size_t newline = text.find('\n', offset);
  return newline == std::string_view::npos ? static_cast<uint32_t>(text.size())
                                           : static_cast<uint32_t>(newline + 1);
}

// Whether the import that made `binding` is a statement of the module's top level, run whenever
// the module is imported: not one under `if`, `try` or in a function, which may not have run where
// the fix's code does (a NameError then).
bool importedAtTopLevel(const Binding& binding) {
  TSNode node = binding.node;
  while (!ts_node_is_null(node) && kindOf(node) != NodeKind::ImportStatement &&
         kindOf(node) != NodeKind::ImportFromStatement) {
    node = parentOf(node);
  }
  return !ts_node_is_null(node) && kindOf(parentOf(node)) == NodeKind::Module;
}

}  // namespace

std::optional<uint32_t> importInsertionOffset(std::string_view text, TSNode module_node) {
  if (kindOf(module_node) != NodeKind::Module) return std::nullopt;
  const uint32_t count = namedChildCount(module_node);
  TSNode first{};
  TSNode last_kept_first{};  // the docstring or the last `from __future__` import
  bool seen_statement = false;
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = nthNamedChild(module_node, i);
    if (kindOf(child) == NodeKind::Comment) continue;
    if (!seen_statement) {
      first = child;
      seen_statement = true;
      if (isDocstring(child)) {
        last_kept_first = child;
        continue;
      }
    }
    if (kindOf(child) != NodeKind::FutureImportStatement) break;
    last_kept_first = child;
  }
  if (!seen_statement || !onlyCommentsBefore(text, ts_node_start_byte(first))) return std::nullopt;
  const uint32_t at = ts_node_is_null(last_kept_first)
                          ? ts_node_start_byte(first)
                          : startOfNextLine(text, ts_node_end_byte(last_kept_first));
  // A `from __future__` import below the insertion (after a statement this function does not
  // take for the docstring) must stay first: no import can go above it.
  // Only up to the second statement that is neither: after it, one is a SyntaxError anyway (the
  // first may be a docstring in a form not recognised above).
  uint32_t others = 0;
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = nthNamedChild(module_node, i);
    const NodeKind kind = kindOf(child);
    if (kind == NodeKind::FutureImportStatement) {
      if (ts_node_start_byte(child) >= at) return std::nullopt;
    } else if (kind != NodeKind::Comment && ++others > 1) {
      break;
    }
  }
  return at;
}

std::optional<ModuleReference> referenceModule(const RuleContext& context, TSNode module_node,
                                               ScopeId scope, uint32_t offset,
                                               std::string_view module) {
  const SemanticModel& semantic = context.semantic();
  const Resolution resolution = semantic.resolve(scope, module, offset);
  if (resolution.kind == Resolution::Kind::Bound &&
      resolution.binding->kind == BindingKind::Import &&
      semantic.importedName(*resolution.binding) == module) {
    if (!importedAtTopLevel(*resolution.binding)) return std::nullopt;
    return ModuleReference{std::string(module), std::nullopt};
  }
  // `import itertools as it`, in effect where the fix goes.
  for (const Binding& binding : semantic.bindings()) {
    if (binding.kind != BindingKind::Import || binding.name == module ||
        semantic.importedName(binding) != module) {
      continue;
    }
    const Resolution alias = semantic.resolve(scope, binding.name, offset);
    if (alias.kind == Resolution::Kind::Bound && alias.binding->kind == BindingKind::Import &&
        semantic.importedName(*alias.binding) == module && importedAtTopLevel(*alias.binding)) {
      return ModuleReference{std::string(binding.name), std::nullopt};
    }
  }
  // Anything else the name may stand for there (a local, a star import) rules an import out.
  if (resolution.kind != Resolution::Kind::Unresolved) return std::nullopt;
  const std::optional<uint32_t> at = importInsertionOffset(context.source().text(), module_node);
  if (!at || *at > offset) return std::nullopt;
  std::string line = "import ";
  line += module;
  line += context.source().lineEnding();
  return ModuleReference{std::string(module), Edit{*at, *at, std::move(line)}};
}

}  // namespace heaplint
