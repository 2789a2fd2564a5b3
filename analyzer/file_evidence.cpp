#include "analyzer/file_evidence.h"

#include <string>

#include "analyzer/code_model.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

// Names followed to their values (`a = b`, `b = open(p)`) and `/` chains: a few steps.
constexpr int kMaxSteps = 8;

bool isPathClass(std::string_view qualified) {
  return qualified == "pathlib.Path" || qualified == "pathlib.PosixPath" ||
         qualified == "pathlib.WindowsPath";
}

// The expression a `with ... as name` target receives, or a null node.
TSNode withItemValue(const Binding& binding) {
  TSNode pattern = binding.node;
  for (int up = 0; up < 3 && kindOf(pattern) != NodeKind::AsPattern; ++up) {
    pattern = parentOf(pattern);
  }
  if (kindOf(pattern) != NodeKind::AsPattern) return TSNode{};
  // `with open(p) as f` binds the file; `with open(p) as (f, g)` is not a file.
  const TSNode alias = childByField(pattern, Field::Alias);
  if (namedChildCount(alias) != 1 || kindOf(nthNamedChild(alias, 0)) != NodeKind::Identifier) {
    return TSNode{};
  }
  return nthNamedChild(pattern, 0);
}

// The value a binding gives its name (see boundValue).
TSNode boundValueOf(const RuleContext& context, const Binding& binding, ScopeId* value_scope,
                    bool* is_annotation) {
  switch (binding.kind) {
    case BindingKind::Assignment:
      return singleAssignedValue(context, binding, value_scope);
    case BindingKind::WithTarget:
      // The `with` block in effect where the name is used (resolution follows the order of
      // bindings in the scope): two `with open(...) as f:` blocks in one function are common.
      return withItemValue(binding);
    case BindingKind::Parameter: {
      const TSNode parameter = parentOf(binding.node);
      if (kindOf(parameter) != NodeKind::TypedParameter &&
          kindOf(parameter) != NodeKind::TypedDefaultParameter) {
        return TSNode{};
      }
      *is_annotation = true;
      // Annotations are evaluated where the function is defined.
      *value_scope = context.semantic().scope(binding.scope).parent;
      return nthNamedChild(childByField(parameter, Field::TypeAnnotation), 0);
    }
    default:
      return TSNode{};
  }
}

// What the name `expression` is bound to where it is used: the value of its only assignment or
// the value of its `with` item (with the scope it is evaluated in), or its parameter annotation.
TSNode boundValue(const RuleContext& context, ScopeId scope, TSNode expression,
                  ScopeId* value_scope, bool* is_annotation) {
  *is_annotation = false;
  const Resolution resolution =
      context.semantic().resolve(scope, context.text(expression), ts_node_start_byte(expression));
  if (resolution.kind != Resolution::Kind::Bound) return TSNode{};
  const Binding& binding = *resolution.binding;
  *value_scope = binding.scope;
  const TSNode value = boundValueOf(context, binding, value_scope, is_annotation);
  // Bound in another run of the document (analysis in runs): what the value reads there.
  if (binding.prelude) context.dependsOnNamesIn(value);
  return value;
}

TSNode pathEvidenceWithin(const RuleContext& context, ScopeId scope, TSNode expression, int steps) {
  if (steps > kMaxSteps) return TSNode{};
  expression = unparenthesized(expression);
  switch (kindOf(expression)) {
    case NodeKind::Call: {
      const std::string callee =
          context.semantic().qualifiedName(scope, childByField(expression, Field::Function));
      return isPathClass(callee) ? expression : TSNode{};
    }
    case NodeKind::BinaryOperator:
      if (context.text(childByField(expression, Field::Operator)) != "/") return TSNode{};
      return pathEvidenceWithin(context, scope, childByField(expression, Field::Left), steps + 1);
    case NodeKind::Identifier: {
      ScopeId value_scope = kNoScope;
      bool is_annotation = false;
      const TSNode value = boundValue(context, scope, expression, &value_scope, &is_annotation);
      if (ts_node_is_null(value) || value_scope == kNoScope) return TSNode{};
      if (is_annotation) {
        return isPathClass(context.semantic().qualifiedName(value_scope, value)) ? value : TSNode{};
      }
      return pathEvidenceWithin(context, value_scope, value, steps + 1);
    }
    default:
      return TSNode{};
  }
}

TSNode openedFileWithin(const RuleContext& context, ScopeId scope, TSNode expression, int steps) {
  if (steps > kMaxSteps) return TSNode{};
  expression = unparenthesized(expression);
  switch (kindOf(expression)) {
    case NodeKind::Call: {
      const TSNode function = childByField(expression, Field::Function);
      const std::string callee = context.semantic().qualifiedName(scope, function);
      if (callee == "builtins.open" || callee == "io.open") return expression;
      // `Path(p).open()`, `path.open("rb")`.
      if (kindOf(function) == NodeKind::Attribute &&
          context.text(childByField(function, Field::AttributeName)) == "open" &&
          !ts_node_is_null(pathEvidenceWithin(context, scope, childByField(function, Field::Object),
                                              steps + 1))) {
        return expression;
      }
      return TSNode{};
    }
    case NodeKind::Identifier: {
      ScopeId value_scope = kNoScope;
      bool is_annotation = false;
      const TSNode value = boundValue(context, scope, expression, &value_scope, &is_annotation);
      if (ts_node_is_null(value) || is_annotation || value_scope == kNoScope) return TSNode{};
      return openedFileWithin(context, value_scope, value, steps + 1);
    }
    default:
      return TSNode{};
  }
}

}  // namespace

TSNode openedFileCall(const RuleContext& context, ScopeId scope, TSNode expression) {
  return openedFileWithin(context, scope, expression, 0);
}

TSNode pathEvidence(const RuleContext& context, ScopeId scope, TSNode expression) {
  return pathEvidenceWithin(context, scope, expression, 0);
}

}  // namespace heaplint
