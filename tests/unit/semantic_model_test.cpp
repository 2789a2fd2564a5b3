// The semantic model as the walker builds it: scopes, bindings, imports and name resolution.
#include "analyzer/semantic_model.h"

#include <gtest/gtest.h>

#include <array>
#include <cctype>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/noqa.h"
#include "analyzer/semantic_model_stdlib.h"
#include "analyzer/walker.h"
#include "rules/registry.h"
#include "tests/unit/all_rules.h"

namespace heaplint {
namespace {

// A test-only rule that records the scope the walker gives every identifier and attribute, so a
// test asks the model about a name exactly as a rule would (from the scope of the node).
using ScopeMap = std::map<std::pair<uint32_t, uint32_t>, ScopeId>;
ScopeMap* g_scopes = nullptr;

class ScopeRecorder final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind /*kind*/, RuleContext& context) override {
    (*g_scopes)[{ts_node_start_byte(node), ts_node_end_byte(node)}] = context.scope();
  }
};

constexpr std::array kRecorderSubscriptions = {NodeKind::Identifier, NodeKind::Attribute};
const RuleDefinition kScopeRecorder{
    .code = "TEST001",
    .name = "scope-recorder",
    .summary = "",
    .documentation = "",
    .fix_availability = FixAvailability::None,
    .subscriptions = kRecorderSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> { return std::make_unique<ScopeRecorder>(); },
};

bool isIdentifierCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Builds the model the way analyzeTree() does: SemanticModel + NoqaDirectives + Walker.
class Model {
 public:
  explicit Model(std::string text) : source_(std::move(text)), semantic_(source_.text()) {
    tree_ = PythonParser::forThisThread().parse(source_);
    root_ = ts_tree_root_node(tree_.get());
    EXPECT_FALSE(ts_node_has_error(root_)) << source_.text();
    options_.rules = allRules();
    std::vector<ActiveRule> rules;
    rules.push_back(ActiveRule{&kScopeRecorder, kScopeRecorder.create()});
    g_scopes = &scopes_;
    Walker walker(source_, options_, semantic_, rules, noqa_);
    walker.run(root_);
    g_scopes = nullptr;
  }

  const SemanticModel& semantic() const { return semantic_; }

  // `marked` is a piece of the source with '|' before the expression of interest and, optionally,
  // '|' after it (without one, the expression is the identifier starting at the first '|').
  TSNode nodeAt(std::string_view marked) const {
    std::string context;
    size_t start = std::string::npos;
    size_t end = std::string::npos;
    for (char c : marked) {
      if (c != '|') {
        context += c;
      } else if (start == std::string::npos) {
        start = context.size();
      } else {
        end = context.size();
      }
    }
    EXPECT_NE(start, std::string::npos) << "no '|' in " << marked;
    const size_t at = source_.text().find(context);
    EXPECT_NE(at, std::string_view::npos) << "not in the source: " << context;
    if (start == std::string::npos || at == std::string_view::npos) return TSNode{};
    if (end == std::string::npos) {
      end = start;
      while (end < context.size() && isIdentifierCharacter(context[end]))
        ++end;
    }
    const TSNode node = ts_node_named_descendant_for_byte_range(
        root_, static_cast<uint32_t>(at + start), static_cast<uint32_t>(at + end));
    EXPECT_EQ(nodeText(source_.text(), node), context.substr(start, end - start));
    return node;
  }

  ScopeId scopeOf(TSNode node) const {
    const auto it = scopes_.find({ts_node_start_byte(node), ts_node_end_byte(node)});
    EXPECT_NE(it, scopes_.end()) << "the walker did not visit " << nodeText(source_.text(), node);
    return it == scopes_.end() ? kNoScope : it->second;
  }

  Resolution resolve(std::string_view marked) const {
    const TSNode node = nodeAt(marked);
    if (ts_node_is_null(node)) return {};
    return semantic_.resolve(scopeOf(node), nodeText(source_.text(), node),
                             ts_node_start_byte(node));
  }

  std::string qualified(std::string_view marked) const {
    const TSNode node = nodeAt(marked);
    if (ts_node_is_null(node)) return "<no node>";
    return semantic_.qualifiedName(scopeOf(node), node);
  }

  // The scope a `def name` or `class name` opens.
  ScopeId scopeOfDefinition(std::string_view name) const {
    for (ScopeId id = 0; id < semantic_.scopeCount(); ++id) {
      const TSNode node = semantic_.scope(id).node;
      const NodeKind kind = kindOf(node);
      if ((kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition) &&
          nodeText(source_.text(), childByField(node, Field::Name)) == name) {
        return id;
      }
    }
    ADD_FAILURE() << "no scope for " << name;
    return kNoScope;
  }

  std::string_view text(TSNode node) const { return nodeText(source_.text(), node); }
  std::string_view lineOf(const Binding* binding) const {
    return binding == nullptr ? "<none>" : source_.line(source_.rowOf(binding->offset));
  }

 private:
  SourceText source_;
  TreePtr tree_;
  TSNode root_{};
  AnalysisOptions options_;
  SemanticModel semantic_;
  NoqaDirectives noqa_;
  ScopeMap scopes_;
};

using Kind = Resolution::Kind;

// --- imports ---

TEST(SemanticModel, ImportAlias) {
  const Model model("import math as m\nm.fsum(xs)\nm\n");
  EXPECT_EQ(model.qualified("|m.fsum|(xs)"), "math.fsum");
  EXPECT_EQ(model.qualified("\n|m\n"), "math");
  const Resolution resolution = model.resolve("|m.fsum");
  ASSERT_EQ(resolution.kind, Kind::Bound);
  EXPECT_EQ(resolution.binding->kind, BindingKind::Import);
  EXPECT_EQ(model.semantic().importedName(*resolution.binding), "math");
  // `math` itself is not bound by `import math as m`.
  EXPECT_EQ(model.semantic().bindingsIn(0, "math").size(), 0u);
}

TEST(SemanticModel, FromImportAlias) {
  const Model model(
      "from math import fsum as f\n"
      "from math import prod\n"
      "f(xs)\n"
      "prod(xs)\n");
  EXPECT_EQ(model.qualified("|f|(xs)"), "math.fsum");
  EXPECT_EQ(model.qualified("|prod|(xs)"), "math.prod");
  const Resolution resolution = model.resolve("|f(xs)");
  ASSERT_EQ(resolution.kind, Kind::Bound);
  EXPECT_EQ(resolution.binding->kind, BindingKind::FromImport);
  EXPECT_TRUE(model.semantic().bindingsIn(0, "fsum").empty());
}

TEST(SemanticModel, DottedImportBindsItsHead) {
  const Model model(
      "import os.path\n"
      "import xml.etree.ElementTree as ET\n"
      "os.path.join(a, b)\n"
      "ET.parse(p)\n"
      "path\n");
  EXPECT_EQ(model.qualified("|os.path.join|(a, b)"), "os.path.join");
  EXPECT_EQ(model.qualified("|os.path|.join(a, b)"), "os.path");
  EXPECT_EQ(model.qualified("|ET.parse|(p)"), "xml.etree.ElementTree.parse");
  const std::vector<const Binding*> os = model.semantic().bindingsIn(0, "os");
  ASSERT_EQ(os.size(), 1u);
  EXPECT_EQ(model.semantic().importedName(*os[0]), "os");
  EXPECT_EQ(model.resolve("\n|path\n").kind, Kind::Unresolved);
}

TEST(SemanticModel, SeveralNamesInOneImport) {
  const Model model("import gc, math as m\nfrom os import path as p, sep\ngc.collect()\nsep\n");
  EXPECT_EQ(model.qualified("|gc.collect|()"), "gc.collect");
  EXPECT_EQ(model.qualified("\n|sep\n"), "os.sep");
  EXPECT_EQ(model.semantic().bindingsIn(0, "m").size(), 1u);
  EXPECT_EQ(model.semantic().bindingsIn(0, "p").size(), 1u);
}

TEST(SemanticModel, RelativeImports) {
  const Model model(
      "from . import x\n"
      "from .models import Record\n"
      "from ..pkg.mod import name as alias\n"
      "x.y\n"
      "Record(1)\n"
      "alias()\n");
  EXPECT_EQ(model.qualified("\n|x|.y"), ".x");
  EXPECT_EQ(model.qualified("\n|x.y|\n"), ".x.y");
  EXPECT_EQ(model.qualified("|Record|(1)"), ".models.Record");
  EXPECT_EQ(model.qualified("|alias|()"), "..pkg.mod.name");
}

TEST(SemanticModel, ImportInsideAFunctionIsLocal) {
  const Model model(
      "def f(xs):\n"
      "    import math as m\n"
      "    return m.fsum(xs)\n"
      "m.fsum(ys)\n");
  EXPECT_EQ(model.qualified("return |m.fsum|(xs)"), "math.fsum");
  EXPECT_EQ(model.qualified("|m.fsum|(ys)"), "");
  EXPECT_EQ(model.resolve("|m.fsum(ys)").kind, Kind::Unresolved);
}

// --- builtins ---

TEST(SemanticModel, Builtins) {
  const Model model("sum(xs)\nlen(xs)\nundefined_name(xs)\nprint.x\n");
  EXPECT_EQ(model.resolve("|sum(xs)").kind, Kind::Builtin);
  EXPECT_EQ(model.qualified("|sum|(xs)"), "builtins.sum");
  EXPECT_EQ(model.qualified("|len|(xs)"), "builtins.len");
  EXPECT_EQ(model.resolve("|undefined_name").kind, Kind::Unresolved);
  EXPECT_EQ(model.qualified("|undefined_name|(xs)"), "");
  EXPECT_EQ(model.qualified("|print.x|"), "builtins.print.x");
  EXPECT_TRUE(SemanticModel::isBuiltinName("sum"));
  EXPECT_TRUE(SemanticModel::isBuiltinName("ValueError"));
  EXPECT_FALSE(SemanticModel::isBuiltinName("fsum"));
  EXPECT_FALSE(SemanticModel::isBuiltinName(""));
}

TEST(SemanticModel, NonNameExpressionsHaveNoQualifiedName) {
  const Model model("import math\nmath.fsum(xs).real\nf().x\nxs[0].y\n");
  EXPECT_EQ(model.qualified("|math.fsum(xs).real|"), "");
  EXPECT_EQ(model.qualified("|f().x|"), "");
  EXPECT_EQ(model.qualified("|xs[0].y|"), "");
}

// --- shadowing ---

TEST(SemanticModel, ModuleLevelDefinitionShadowsOnlyLaterUses) {
  const Model model(
      "before = sum(xs)\n"
      "def sum(values):\n"
      "    return 0\n"
      "after = sum(xs)\n");
  EXPECT_EQ(model.resolve("before = |sum").kind, Kind::Builtin);
  EXPECT_EQ(model.qualified("before = |sum|"), "builtins.sum");
  const Resolution after = model.resolve("after = |sum");
  ASSERT_EQ(after.kind, Kind::Bound);
  EXPECT_EQ(after.binding->kind, BindingKind::FunctionDefinition);
  EXPECT_EQ(model.qualified("after = |sum|"), "");
}

TEST(SemanticModel, FunctionBodySeesModuleBindingsMadeAfterIt) {
  const Model model(
      "def total(xs):\n"
      "    return sum(xs)\n"
      "def sum(values):\n"
      "    return 0\n");
  const Resolution resolution = model.resolve("return |sum(xs)");
  ASSERT_EQ(resolution.kind, Kind::Bound);
  EXPECT_EQ(resolution.binding->kind, BindingKind::FunctionDefinition);
  EXPECT_EQ(resolution.binding->scope, 0u);
  EXPECT_EQ(model.qualified("return |sum|(xs)"), "");
}

TEST(SemanticModel, FunctionBodySeesDifferentModuleBindingsAsAmbiguous) {
  const Model model(
      "sum = first\n"
      "middle = sum(xs)\n"
      "def total(xs):\n"
      "    return sum(xs)\n"
      "sum = second\n");
  const Resolution middle = model.resolve("middle = |sum");
  ASSERT_EQ(middle.kind, Kind::Bound);
  EXPECT_EQ(model.lineOf(middle.binding), "sum = first");
  EXPECT_EQ(model.resolve("return |sum(xs)").kind, Kind::Ambiguous);
  EXPECT_EQ(model.qualified("return |sum|(xs)"), "");
}

TEST(SemanticModel, ClassBodyRunsInOrder) {
  const Model model(
      "class C:\n"
      "    total = sum(xs)\n"
      "sum = len\n");
  EXPECT_EQ(model.resolve("total = |sum").kind, Kind::Builtin);
}

TEST(SemanticModel, ParameterShadowsBuiltin) {
  const Model model("def f(sum, xs):\n    return sum(xs)\n");
  const Resolution resolution = model.resolve("return |sum");
  ASSERT_EQ(resolution.kind, Kind::Bound);
  EXPECT_EQ(resolution.binding->kind, BindingKind::Parameter);
  EXPECT_EQ(resolution.binding->scope, model.scopeOfDefinition("f"));
  EXPECT_EQ(model.qualified("return |sum|(xs)"), "");
}

TEST(SemanticModel, EveryParameterFormBinds) {
  for (std::string_view parameters :
       {"sum", "sum=0", "sum: int", "sum: int = 0", "*sum", "**sum", "*, sum", "sum, /",
        "xs, *args, sum=1, **kwargs", "self, /, *, sum: Callable[..., int] = len"}) {
    SCOPED_TRACE(parameters);
    const Model model("def f(" + std::string(parameters) + "):\n    return sum(xs)\n");
    const Resolution resolution = model.resolve("return |sum");
    ASSERT_EQ(resolution.kind, Kind::Bound);
    EXPECT_EQ(resolution.binding->kind, BindingKind::Parameter);
  }
  const Model defaults("f = lambda sum=sum: sum(1)\n");
  EXPECT_EQ(defaults.resolve("sum=|sum").kind, Kind::Builtin);
  EXPECT_EQ(defaults.resolve("|sum(1)").kind, Kind::Bound);
  const Model lambda("f = lambda sum, *rest: sum(rest)\n");
  const Resolution resolution = lambda.resolve("|sum(rest)");
  ASSERT_EQ(resolution.kind, Kind::Bound);
  EXPECT_EQ(resolution.binding->kind, BindingKind::Parameter);
  EXPECT_EQ(lambda.semantic().scope(resolution.binding->scope).kind, ScopeKind::Lambda);
}

TEST(SemanticModel, DefaultsAndAnnotationsResolveWhereTheFunctionIsDefined) {
  const Model model(
      "def f(xs, sum=sum, n: len = len) -> sum:\n"
      "    return sum(xs)\n");
  EXPECT_EQ(model.resolve("sum=|sum").kind, Kind::Builtin);
  EXPECT_EQ(model.resolve("n: |len").kind, Kind::Builtin);
  EXPECT_EQ(model.resolve("-> |sum").kind, Kind::Builtin);
  EXPECT_EQ(model.resolve("return |sum").kind, Kind::Bound);
  // Names used in a parameter's default are not parameters.
  EXPECT_EQ(model.semantic().bindingsIn(model.scopeOfDefinition("f"), "len").size(), 0u);
}

TEST(SemanticModel, AssignmentAnywhereInAFunctionShadowsTheWholeFunction) {
  const Model model(
      "def f(xs):\n"
      "    first = sum(xs)\n"
      "    sum = len\n"
      "    return sum(xs)\n");
  const ScopeId f = model.scopeOfDefinition("f");
  for (std::string_view use : {"first = |sum", "return |sum"}) {
    SCOPED_TRACE(use);
    const Resolution resolution = model.resolve(use);
    ASSERT_EQ(resolution.kind, Kind::Bound);
    EXPECT_EQ(resolution.binding->kind, BindingKind::Assignment);
    EXPECT_EQ(resolution.binding->scope, f);
  }
}

TEST(SemanticModel, EveryBindingStatementShadows) {
  struct Case {
    std::string_view statement;
    BindingKind kind;
  };
  const Case cases[] = {
      {"sum = len", BindingKind::Assignment},
      {"sum: Callable = len", BindingKind::Assignment},
      {"a, (b, sum) = t", BindingKind::Assignment},
      {"[a, *sum] = t", BindingKind::Assignment},
      {"a = sum = len", BindingKind::Assignment},
      {"sum += 1", BindingKind::AugmentedAssignment},
      {"for sum in xs: pass", BindingKind::LoopTarget},
      {"for i, sum in enumerate(xs): pass", BindingKind::LoopTarget},
      {"with open(p) as sum: pass", BindingKind::WithTarget},
      {"with a as b, c as sum: pass", BindingKind::WithTarget},
      {"try:\n        pass\n    except ValueError as sum:\n        pass",
       BindingKind::ExceptTarget},
      {"if (sum := len): pass", BindingKind::NamedExpression},
      {"import sum", BindingKind::Import},
      {"import sum.sub", BindingKind::Import},
      {"import other as sum", BindingKind::Import},
      {"from m import sum", BindingKind::FromImport},
      {"from m import other as sum", BindingKind::FromImport},
      {"def sum(): pass", BindingKind::FunctionDefinition},
      {"async def sum(): pass", BindingKind::FunctionDefinition},
      {"@decorator\n    def sum(): pass", BindingKind::FunctionDefinition},
      {"class sum: pass", BindingKind::ClassDefinition},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.statement);
    const Model model("def f(xs):\n    total = sum(xs)\n    " + std::string(c.statement) + "\n");
    const Resolution resolution = model.resolve("total = |sum");
    ASSERT_EQ(resolution.kind, Kind::Bound);
    EXPECT_EQ(resolution.binding->kind, c.kind);
    EXPECT_EQ(resolution.binding->scope, model.scopeOfDefinition("f"));
  }
}

TEST(SemanticModel, StatementsThatDoNotBind) {
  for (std::string_view statement :
       {"obj.sum = 1", "sum[0] = 1", "sum.x += 1", "del sum", "print(sum)", "f(sum=1)",
        "obj.sum, x[sum] = 1, 2", "for obj.sum in xs: pass", "with a as obj.sum: pass",
        "[sum for _ in xs]", "lambda sum: 0", "def g(sum): pass", "class K:\n        sum = 1"}) {
    SCOPED_TRACE(statement);
    const Model model("def f(xs):\n    total = sum(xs)\n    " + std::string(statement) + "\n");
    EXPECT_EQ(model.resolve("total = |sum").kind, Kind::Builtin);
    EXPECT_EQ(model.qualified("total = |sum|"), "builtins.sum");
  }
}

TEST(SemanticModel, AnnotationWithoutValueBindsNothingAtModuleLevel) {
  // `sum: int` at module level only records an annotation: `sum` is still the builtin.
  const Model model("sum: Callable\ntotal = sum(xs)\n");
  EXPECT_EQ(model.resolve("total = |sum").kind, Kind::Builtin);
}

TEST(SemanticModel, GlobalDeclarationBindsInTheModule) {
  const Model model(
      "def install():\n"
      "    global sum\n"
      "    sum = len\n"
      "    return sum(xs)\n"
      "def use(xs):\n"
      "    return sum(xs)\n");
  const ScopeId install = model.scopeOfDefinition("install");
  const std::vector<const Binding*> module = model.semantic().bindingsIn(0, "sum");
  ASSERT_EQ(module.size(), 1u);
  EXPECT_EQ(module[0]->kind, BindingKind::Assignment);
  EXPECT_TRUE(module[0]->through_global);
  const std::vector<const Binding*> local = model.semantic().bindingsIn(install, "sum");
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0]->kind, BindingKind::GlobalDeclaration);

  for (std::string_view use : {"    return |sum(xs)\ndef", "def use(xs):\n    return |sum"}) {
    SCOPED_TRACE(use);
    const Resolution resolution = model.resolve(use);
    ASSERT_EQ(resolution.kind, Kind::Bound);
    EXPECT_EQ(resolution.binding, module[0]);
  }
}

TEST(SemanticModel, GlobalDeclarationInAClassBody) {
  // `global` works in a class body too: the assignment rebinds the module's name.
  const Model model(
      "class Config:\n"
      "    global sum\n"
      "    sum = len\n"
      "def total(xs):\n"
      "    return sum(xs)\n");
  const std::vector<const Binding*> module = model.semantic().bindingsIn(0, "sum");
  ASSERT_EQ(module.size(), 1u);
  EXPECT_TRUE(module[0]->through_global);
  EXPECT_EQ(model.resolve("return |sum").kind, Kind::Bound);
}

TEST(SemanticModel, GlobalDeclarationAppliesToImportsAndDefinitions) {
  const Model model(
      "def setup():\n"
      "    global m, helper\n"
      "    import math as m\n"
      "    def helper(): pass\n"
      "def use(xs):\n"
      "    return m.fsum(xs)\n");
  EXPECT_EQ(model.qualified("return |m.fsum|"), "math.fsum");
  ASSERT_EQ(model.semantic().bindingsIn(0, "helper").size(), 1u);
  EXPECT_TRUE(model.semantic().bindingsIn(0, "helper")[0]->through_global);
}

TEST(SemanticModel, NestedFunctionSeesTheEnclosingFunction) {
  const Model model(
      "def outer():\n"
      "    def inner(xs):\n"
      "        return sum(xs)\n"
      "    sum = len\n"
      "    return inner\n");
  const Resolution resolution = model.resolve("return |sum(xs)");
  ASSERT_EQ(resolution.kind, Kind::Bound);
  EXPECT_EQ(resolution.binding->scope, model.scopeOfDefinition("outer"));
}

TEST(SemanticModel, NonlocalDeclaration) {
  const Model model(
      "def outer():\n"
      "    sum = len\n"
      "    def inner(xs):\n"
      "        nonlocal sum\n"
      "        sum = max\n"
      "        return sum(xs)\n");
  const Resolution resolution = model.resolve("return |sum(xs)");
  ASSERT_TRUE(resolution.kind == Kind::Bound || resolution.kind == Kind::Ambiguous);
  if (resolution.binding != nullptr) {
    EXPECT_NE(model.semantic().scope(resolution.binding->scope).kind, ScopeKind::Module);
  }
  EXPECT_NE(model.qualified("return |sum|(xs)"), "builtins.sum");
}

// --- classes ---

TEST(SemanticModel, ClassBodyNamesAreNotVisibleFromMethods) {
  const Model model(
      "class Meter:\n"
      "    sum = staticmethod(len)\n"
      "    total = sum\n"
      "    def read(self, xs):\n"
      "        return sum(xs)\n"
      "    def read_with(self, xs, f=sum):\n"
      "        return f(xs)\n"
      "    squares = [sum for _ in range(3)]\n"
      "    firsts = [x for x in sum]\n"
      "    reader = lambda self: sum(self)\n"
      "    reader_with = lambda self, g=sum: g(self)\n");
  const ScopeId meter = model.scopeOfDefinition("Meter");
  EXPECT_EQ(model.semantic().scope(meter).kind, ScopeKind::Class);
  const Resolution in_body = model.resolve("total = |sum");
  ASSERT_EQ(in_body.kind, Kind::Bound);
  EXPECT_EQ(in_body.binding->scope, meter);

  EXPECT_EQ(model.resolve("return |sum(xs)").kind, Kind::Builtin);
  EXPECT_EQ(model.qualified("return |sum|(xs)"), "builtins.sum");
  EXPECT_EQ(model.resolve("reader = lambda self: |sum").kind, Kind::Builtin);
  // A default is evaluated in the class body.
  EXPECT_EQ(model.resolve("f=|sum").kind, Kind::Bound);
  EXPECT_EQ(model.resolve("g=|sum").kind, Kind::Bound);
  // A comprehension's body does not see the class; its first iterable does.
  EXPECT_EQ(model.resolve("squares = [|sum").kind, Kind::Builtin);
  EXPECT_EQ(model.resolve("for x in |sum]").kind, Kind::Bound);
}

TEST(SemanticModel, MethodAnnotationsResolveInTheClassBody) {
  const Model model(
      "class C:\n"
      "    T = int\n"
      "    def m(self, x: T) -> T:\n"
      "        return T\n");
  EXPECT_EQ(model.resolve("x: |T").kind, Kind::Bound);
  EXPECT_EQ(model.resolve("-> |T").kind, Kind::Bound);
  EXPECT_EQ(model.resolve("return |T").kind, Kind::Unresolved);
}

TEST(SemanticModel, ClassDecoratorsAndBasesResolveOutside) {
  const Model model(
      "class Outer:\n"
      "    Base = object\n"
      "    class Inner(Base):\n"
      "        pass\n"
      "def f():\n"
      "    Base = int\n"
      "    class Local(Base, metaclass=type):\n"
      "        Base = str\n");
  EXPECT_EQ(model.resolve("Inner(|Base").kind, Kind::Bound);
  const Resolution local = model.resolve("Local(|Base");
  ASSERT_EQ(local.kind, Kind::Bound);
  EXPECT_EQ(local.binding->scope, model.scopeOfDefinition("f"));
}

// --- comprehensions ---

TEST(SemanticModel, ComprehensionFirstIterableResolvesInTheEnclosingScope) {
  const Model model(
      "x = [1, 2]\n"
      "y = [x for x in x]\n"
      "pairs = [(a, b) for a in x for b in a]\n");
  const Resolution iterable = model.resolve("y = [x for x in |x]");
  ASSERT_EQ(iterable.kind, Kind::Bound);
  EXPECT_EQ(iterable.binding->kind, BindingKind::Assignment);
  EXPECT_EQ(iterable.binding->scope, 0u);

  const Resolution element = model.resolve("y = [|x for");
  ASSERT_EQ(element.kind, Kind::Bound);
  EXPECT_EQ(element.binding->kind, BindingKind::ComprehensionTarget);
  EXPECT_EQ(model.semantic().scope(element.binding->scope).kind, ScopeKind::Comprehension);

  // Later iterables run inside the comprehension.
  const Resolution second = model.resolve("for b in |a]");
  ASSERT_EQ(second.kind, Kind::Bound);
  EXPECT_EQ(second.binding->kind, BindingKind::ComprehensionTarget);
  // Comprehension variables do not leak.
  EXPECT_TRUE(model.semantic().bindingsIn(0, "a").empty());
  EXPECT_EQ(model.semantic().bindingsIn(0, "x").size(), 1u);
}

TEST(SemanticModel, NestedComprehensionFirstIterableSeesTheOuterComprehension) {
  const Model model("grid = [[cell for cell in row] for row in rows]\n");
  const Resolution row = model.resolve("for cell in |row]");
  ASSERT_EQ(row.kind, Kind::Bound);
  EXPECT_EQ(row.binding->kind, BindingKind::ComprehensionTarget);
  EXPECT_EQ(model.resolve("for row in |rows").kind, Kind::Unresolved);
}

TEST(SemanticModel, EveryComprehensionKindOpensAScope) {
  for (std::string_view expression :
       {"[v for v in vs]", "{v for v in vs}", "{v: v for v in vs}", "(v for v in vs)"}) {
    SCOPED_TRACE(expression);
    const Model model("r = " + std::string(expression) + "\n");
    const Resolution resolution = model.resolve("|v for");
    ASSERT_EQ(resolution.kind, Kind::Bound);
    EXPECT_EQ(model.semantic().scope(resolution.binding->scope).kind, ScopeKind::Comprehension);
    EXPECT_TRUE(model.semantic().bindingsIn(0, "v").empty());
  }
}

TEST(SemanticModel, WalrusInAComprehensionBindsInTheEnclosingFunction) {
  const Model model(
      "def f(xs):\n"
      "    ys = [last := x for x in xs if (seen := x)]\n"
      "    zs = [[inner := y for y in row] for row in xs]\n"
      "    return last, seen, inner\n");
  const ScopeId f = model.scopeOfDefinition("f");
  for (std::string_view use : {"return |last", "return last, |seen", "seen, |inner"}) {
    SCOPED_TRACE(use);
    const Resolution resolution = model.resolve(use);
    ASSERT_EQ(resolution.kind, Kind::Bound);
    EXPECT_EQ(resolution.binding->kind, BindingKind::NamedExpression);
    EXPECT_EQ(resolution.binding->scope, f);
  }
}

TEST(SemanticModel, WalrusInAModuleLevelComprehensionBindsInTheModule) {
  const Model model("ys = [last := x for x in xs]\nprint(last)\n");
  const Resolution resolution = model.resolve("print(|last");
  ASSERT_EQ(resolution.kind, Kind::Bound);
  EXPECT_EQ(resolution.binding->scope, 0u);
}

// --- star imports, fallbacks, del ---

TEST(SemanticModel, StarImportOfAnUnknownModule) {
  const Model model(
      "from mylib.paths import *\n"
      "join(a, b)\n"
      "sum(xs)\n"
      "local = 1\n"
      "local\n");
  EXPECT_TRUE(model.semantic().hasStarImport());
  EXPECT_EQ(model.resolve("|join").kind, Kind::StarImported);
  // The star import may have replaced the builtin.
  EXPECT_EQ(model.resolve("|sum(xs)").kind, Kind::StarImported);
  EXPECT_EQ(model.qualified("|sum|(xs)"), "");
  EXPECT_EQ(model.resolve("\n|local\n").kind, Kind::Bound);
}

TEST(SemanticModel, StarImportOfAKnownModuleBindsExactlyItsNames) {
  const Model model(
      "from os.path import *\n"
      "join(a, b)\n"
      "sum(xs)\n"
      "local = 1\n"
      "local\n"
      "def f():\n"
      "    return isfile, max\n");
  EXPECT_EQ(model.resolve("|join").kind, Kind::FromStarImport);
  EXPECT_EQ(model.qualified("|join|(a"), "os.path.join");
  EXPECT_EQ(model.resolve("|sum(xs)").kind, Kind::Builtin);
  EXPECT_EQ(model.qualified("|sum|(xs)"), "builtins.sum");
  EXPECT_EQ(model.resolve("\n|local\n").kind, Kind::Bound);
  EXPECT_EQ(model.qualified("return |isfile|"), "os.path.isfile");
  EXPECT_EQ(model.qualified("isfile, |max|"), "builtins.max");
}

TEST(SemanticModel, AKnownStarImportBindsWhereItStands) {
  const Model model(
      "before = open\n"
      "join = 1\n"
      "from os import *\n"
      "after = open\n"
      "path = join\n"
      "getcwd = 2\n"
      "cwd = getcwd\n"
      "def f():\n"
      "    return open, getcwd\n");
  EXPECT_EQ(model.qualified("before = |open|"), "builtins.open");
  EXPECT_EQ(model.qualified("after = |open|"), "os.open");
  // `os` does not export `join`: the assignment above the import stays in effect.
  EXPECT_EQ(model.resolve("path = |join").kind, Kind::Bound);
  EXPECT_EQ(model.resolve("cwd = |getcwd").kind, Kind::Bound);
  EXPECT_EQ(model.qualified("return |open|"), "os.open");
  EXPECT_EQ(model.resolve("open, |getcwd").kind, Kind::Bound);
}

TEST(SemanticModel, AnUnknownStarImportBesideAKnownOneKeepsItsDoubt) {
  const Model model(
      "from mylib import *\n"
      "from math import *\n"
      "sum(xs)\n"
      "fsum(xs)\n");
  EXPECT_EQ(model.resolve("|sum(xs)").kind, Kind::StarImported);
  EXPECT_EQ(model.qualified("|fsum|(xs)"), "math.fsum");
}

TEST(SemanticModel, TheStandardLibraryTableKnowsStarExports) {
  const StarModule* os = knownStarModule("os");
  ASSERT_NE(os, nullptr);
  EXPECT_TRUE(starImportBinds(*os, "open"));
  EXPECT_TRUE(starImportBinds(*os, "getcwd"));
  EXPECT_FALSE(starImportBinds(*os, "sum"));
  EXPECT_FALSE(starImportBinds(*os, "sys"));  // imported by os, but not in its __all__
  const StarModule* tkinter = knownStarModule("tkinter");
  ASSERT_NE(tkinter, nullptr);
  EXPECT_TRUE(starImportBinds(*tkinter, "Tk"));
  EXPECT_TRUE(starImportBinds(*tkinter, "END"));
  ASSERT_NE(knownStarModule("xml.etree.ElementTree"), nullptr);
  EXPECT_TRUE(starImportBinds(*knownStarModule("xml.etree.ElementTree"), "Element"));
  for (const std::string_view unknown : {"", "mylib", "os.pathx", ".models", "antigravity"}) {
    EXPECT_EQ(knownStarModule(unknown), nullptr) << unknown;
  }
}

TEST(SemanticModel, ReducersAfterAStarImportOfAKnownModuleAreStillTheBuiltins) {
  const SourceText source(
      "from sys import *\n"
      "def total(path):\n"
      "    return sum([len(x) for x in open(path)])\n");
  const FileAnalysis analysis = analyze(source, allRulesOptions());
  ASSERT_EQ(analysis.diagnostics.size(), 1U);
  EXPECT_EQ(analysis.diagnostics[0].rule->code, "MEM101");
}

TEST(SemanticModel, NoStarImport) {
  const Model model("from os.path import join\n");
  EXPECT_FALSE(model.semantic().hasStarImport());
}

TEST(SemanticModel, ImportErrorFallbackWithDifferentModules) {
  const Model model(
      "try:\n"
      "    from ujson import loads\n"
      "except ImportError:\n"
      "    from json import loads\n"
      "data = loads(text)\n"
      "def parse(text):\n"
      "    return loads(text)\n");
  // In order at module level: the last binding before the use (as Ruff does).
  const Resolution module_use = model.resolve("data = |loads");
  ASSERT_EQ(module_use.kind, Kind::Bound);
  EXPECT_EQ(model.semantic().importedName(*module_use.binding), "json.loads");
  // From a function, either import may be in effect.
  EXPECT_EQ(model.resolve("return |loads").kind, Kind::Ambiguous);
  EXPECT_EQ(model.qualified("return |loads|"), "");
}

TEST(SemanticModel, ImportErrorFallbackToTheSameTargetIsNotAmbiguous) {
  const Model model(
      "try:\n"
      "    from math import fsum\n"
      "except ImportError:\n"
      "    from math import fsum\n"
      "def total(xs):\n"
      "    return fsum(xs)\n");
  EXPECT_EQ(model.resolve("return |fsum").kind, Kind::Bound);
  EXPECT_EQ(model.qualified("return |fsum|"), "math.fsum");
}

TEST(SemanticModel, ImportErrorFallbackToADefinitionIsAmbiguous) {
  const Model model(
      "try:\n"
      "    from math import fsum\n"
      "except ImportError:\n"
      "    def fsum(xs):\n"
      "        return 0.0\n"
      "def total(xs):\n"
      "    return fsum(xs)\n");
  EXPECT_EQ(model.resolve("return |fsum(xs)\n").kind, Kind::Ambiguous);
  EXPECT_EQ(model.qualified("return |fsum|(xs)\n"), "");
}

TEST(SemanticModel, DelIsIgnored) {
  const Model model(
      "import math\n"
      "del math\n"
      "def f(xs):\n"
      "    return math.fsum(xs)\n");
  EXPECT_EQ(model.semantic().bindingsIn(0, "math").size(), 1u);
  EXPECT_EQ(model.qualified("return |math.fsum|"), "math.fsum");
}

// --- scopes ---

TEST(SemanticModel, ScopesAndTheirParents) {
  const Model model(
      "def f():\n"
      "    g = lambda: [x for x in y]\n"
      "class C:\n"
      "    pass\n");
  const SemanticModel& semantic = model.semantic();
  ASSERT_EQ(semantic.scopeCount(), 5u);
  EXPECT_EQ(semantic.scope(0).kind, ScopeKind::Module);
  EXPECT_EQ(semantic.scope(0).parent, kNoScope);
  const ScopeId f = model.scopeOfDefinition("f");
  EXPECT_EQ(semantic.scope(f).kind, ScopeKind::Function);
  EXPECT_EQ(semantic.scope(f).parent, 0u);
  const ScopeId c = model.scopeOfDefinition("C");
  EXPECT_EQ(semantic.scope(c).kind, ScopeKind::Class);
  EXPECT_EQ(semantic.scope(c).parent, 0u);
  bool saw_lambda = false;
  bool saw_comprehension = false;
  for (ScopeId id = 0; id < semantic.scopeCount(); ++id) {
    if (semantic.scope(id).kind == ScopeKind::Lambda) {
      saw_lambda = true;
      EXPECT_EQ(semantic.scope(id).parent, f);
    }
    if (semantic.scope(id).kind == ScopeKind::Comprehension) {
      saw_comprehension = true;
      EXPECT_EQ(semantic.scope(semantic.scope(id).parent).kind, ScopeKind::Lambda);
    }
  }
  EXPECT_TRUE(saw_lambda);
  EXPECT_TRUE(saw_comprehension);
  // `def f` and `class C` bind in the module; `g` binds in f.
  EXPECT_EQ(semantic.bindingsIn(0, "f").size(), 1u);
  EXPECT_EQ(semantic.bindingsIn(0, "C").size(), 1u);
  EXPECT_EQ(semantic.bindingsIn(f, "g").size(), 1u);
  EXPECT_TRUE(semantic.bindingsIn(0, "g").empty());
}

TEST(SemanticModel, BindingsInAreInSourceOrder) {
  const Model model("a = 1\nb = 2\na = 3\nfor a in xs: pass\n");
  const std::vector<const Binding*> bindings = model.semantic().bindingsIn(0, "a");
  ASSERT_EQ(bindings.size(), 3u);
  EXPECT_LT(bindings[0]->offset, bindings[1]->offset);
  EXPECT_LT(bindings[1]->offset, bindings[2]->offset);
  EXPECT_EQ(bindings[2]->kind, BindingKind::LoopTarget);
  EXPECT_EQ(model.semantic().bindingsIn(0, "b").size(), 1u);
  EXPECT_TRUE(model.semantic().bindingsIn(0, "c").empty());
}

}  // namespace
}  // namespace heaplint
