// Small helpers several rules share: message text and call-argument access.
#pragma once

#include <tree_sitter/api.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/semantic_model.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {

// The `snake_case` and `CamelCase` words of a name, lower-cased: `postScriptGC` gives
// "post", "script", "gc"; `GC_AFTER_RUN` gives "gc", "after", "run".
inline std::vector<std::string> nameWords(std::string_view name) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const bool boundary =
        std::isalnum(c) == 0 || (std::isupper(c) != 0 && i > 0 &&
                                 std::islower(static_cast<unsigned char>(name[i - 1])) != 0);
    if (boundary && !word.empty()) words.push_back(std::exchange(word, {}));
    if (std::isalnum(c) != 0) word += static_cast<char>(std::tolower(c));
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// `text` in backquotes, with a suffix inside them: quoted("f", "()") is "`f()`".
inline std::string quoted(std::string_view text, std::string_view suffix = {}) {
  std::string result;
  result.reserve(text.size() + suffix.size() + 2);
  result += '`';
  result += text;
  result += suffix;
  result += '`';
  return result;
}

// Code as a one-line message shows it: its first line without a comment after it (when no
// string comes before the `#`), and "..." when there are more lines.
inline std::string firstLineShown(std::string_view code) {
  const size_t newline = code.find('\n');
  if (newline == std::string_view::npos) return std::string(code);
  std::string_view line = code.substr(0, newline);
  const size_t comment = line.find('#');
  if (comment != std::string_view::npos && line.find_first_of("\"'") > comment) {
    line = line.substr(0, comment);
  }
  while (!line.empty() &&
         (line.back() == ' ' || line.back() == '\t' || line.back() == '\r' || line.back() == '\\'))
    line.remove_suffix(1);
  return std::string(line) + "...";
}

// A call's first argument; a null node when it has none.
inline TSNode firstArgument(TSNode call) {
  return firstNamedChildSkippingExtras(childByField(call, Field::Arguments));
}

// What an `except` clause catches: an expression, or the clause's block for a bare `except:`.
inline TSNode caughtBy(TSNode clause) {
  return firstNamedChildSkippingExtras(clause);
}

inline bool sameNode(TSNode a, TSNode b) {
  return a.id == b.id;
}

// "c" of "a.b.c".
inline std::string_view lastSegment(std::string_view dotted) {
  const size_t dot = dotted.rfind('.');
  return dot == std::string_view::npos ? dotted : dotted.substr(dot + 1);
}

// The qualified name of an expression, treating a `from x import *` as not rebinding builtins
// (`staticmethod`, `type` stay builtins in such a module); empty when unknown.
inline std::string qualifiedNameWithStarBuiltins(const RuleContext& context, ScopeId scope,
                                                 TSNode expression) {
  std::string qualified = context.semantic().qualifiedName(scope, expression);
  if (qualified.empty() && kindOf(expression) == NodeKind::Identifier) {
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

// What a method decorator resolves to: the builtin `classmethod` or `staticmethod`, or their
// deprecated `abc` spellings, which make the same kind of method.
inline bool isClassMethodDecorator(std::string_view qualified) {
  return qualified == "builtins.classmethod" || qualified == "abc.abstractclassmethod";
}
inline bool isStaticMethodDecorator(std::string_view qualified) {
  return qualified == "builtins.staticmethod" || qualified == "abc.abstractstaticmethod";
}

// `enum.Enum` and the classes and metaclasses that make a class an Enum.
inline bool isEnumName(std::string_view qualified) {
  constexpr std::array<std::string_view, 8> kEnumBases = {
      "enum.Enum",    "enum.IntEnum",  "enum.StrEnum",  "enum.Flag",
      "enum.IntFlag", "enum.ReprEnum", "enum.EnumType", "enum.EnumMeta",
  };
  return std::find(kEnumBases.begin(), kEnumBases.end(), qualified) != kEnumBases.end();
}

inline bool isLocalEnum(const RuleContext& context, ScopeId scope, TSNode identifier,
                        int depth = 0);

// Whether a class statement's bases (or metaclass) make it an Enum, directly or through other
// classes of this file. `scope` is where the class statement runs. After the walk.
inline bool isEnumClassDefinition(const RuleContext& context, TSNode definition, ScopeId scope,
                                  int depth = 0) {
  const TSNode bases = childByField(definition, Field::Superclasses);
  const uint32_t count = namedChildCount(bases);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode base = ts_node_named_child(bases, i);
    if (kindOf(base) == NodeKind::KeywordArgument) {
      if (context.text(childByField(base, Field::Name)) != "metaclass") continue;
      base = childByField(base, Field::Value);
    }
    if (isEnumName(context.semantic().qualifiedName(scope, base))) return true;
    if (isLocalEnum(context, scope, base, depth + 1)) return true;
  }
  return false;
}

// Whether `identifier` names a class defined in this file that is an Enum. After the walk.
inline bool isLocalEnum(const RuleContext& context, ScopeId scope, TSNode identifier, int depth) {
  if (depth > 8 || kindOf(identifier) != NodeKind::Identifier) return false;
  const Resolution resolution =
      context.semantic().resolve(scope, context.text(identifier), ts_node_start_byte(identifier));
  if (resolution.kind != Resolution::Kind::Bound ||
      resolution.binding->kind != BindingKind::ClassDefinition) {
    return false;
  }
  return isEnumClassDefinition(context, resolution.binding->node, resolution.binding->scope, depth);
}

// Whether code above `offset` in another run of the document (analysis in runs:
// incremental_analysis.h) has `from <module> import ...` or a star import, as a walk of the whole
// file would have seen by the time it reaches `offset`. Only valid during the walk.
inline bool earlierRunImportsFrom(const RuleContext& context, std::string_view module,
                                  uint32_t offset) {
  const SemanticModel& semantic = context.semantic();
  if (semantic.hasStarImport() && !semantic.hasOwnStarImport()) return true;
  for (const Binding& binding : semantic.bindings()) {
    if (!binding.prelude || binding.offset >= offset || binding.kind != BindingKind::FromImport) {
      continue;
    }
    const std::string_view imported = semantic.importedName(binding);
    if (imported.size() > module.size() && imported.starts_with(module) &&
        imported[module.size()] == '.') {
      return true;
    }
  }
  return false;
}

// A name or a constant, or a tuple of them: evaluating it can neither raise nor run code.
inline bool isInertExpression(TSNode node) {
  if (isPlainLiteral(node)) return true;
  switch (kindOf(node)) {
    case NodeKind::Identifier:
      return true;
    case NodeKind::Tuple:
    case NodeKind::ParenthesizedExpression:
      for (uint32_t i = 0, count = namedChildCount(node); i < count; ++i) {
        const TSNode child = nthNamedChild(node, i);
        if (kindOf(child) != NodeKind::Comment && !isInertExpression(child)) return false;
      }
      return true;
    default:
      return false;
  }
}

}  // namespace heaplint
