// The walker's context stacks, its dispatch order and its stack use, seen through a test-only rule.
#include "analyzer/walker.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/tree_walk.h"
#include "rules/registry.h"

namespace heaplint {
namespace {

// What a rule sees at one node.
// Only plain values: the tree is gone once analyze() returns.
struct Event {
  uint32_t start = 0;
  NodeKind kind = NodeKind::Other;
  bool kind_matches_node = false;  // the kind passed equals the node's own kind
  std::string text;
  uint32_t loop_depth = 0;
  bool in_finally = false;
  NodeKind execution_kind = NodeKind::Other;
  uint32_t execution_start = UINT32_MAX;
  ScopeId execution_scope = kNoScope;
  bool has_enclosing_function = false;
  NodeKind enclosing_function_kind = NodeKind::Other;
  uint32_t enclosing_function_start = UINT32_MAX;
  ScopeId scope = kNoScope;
  ScopeKind scope_kind = ScopeKind::Module;
  NodeKind parent_kind = NodeKind::Other;
  Field field = Field::None;
  size_t depth = 0;
  bool frame_is_node = false;
};

struct Recording {
  std::vector<Event> events;
  int finish_calls = 0;
  size_t events_at_finish = 0;
  size_t max_depth = 0;
  bool finish_resolved_sum = false;
  bool report = false;      // report a diagnostic at every Call
  bool keep_events = true;  // deep inputs only count
  size_t calls = 0;
};
Recording* g_recording = nullptr;

class Recorder final : public RuleChecker {
 public:
  void onNode(TSNode node, NodeKind kind, RuleContext& context) override {
    Recording& r = *g_recording;
    r.max_depth = std::max(r.max_depth, context.depth());
    if (kind == NodeKind::Call) {
      ++r.calls;
      if (first_call_scope_ == kNoScope) first_call_scope_ = context.scope();
      if (r.report) {
        Diagnostic diagnostic;
        diagnostic.start = ts_node_start_byte(node);
        diagnostic.end = ts_node_end_byte(node);
        diagnostic.message = "call";
        context.report(std::move(diagnostic));
      }
    }
    if (!r.keep_events) return;
    Event event;
    event.start = ts_node_start_byte(node);
    event.kind = kind;
    event.kind_matches_node = Syntax::instance().kindOf(node) == kind;
    event.text = std::string(context.text(node));
    event.loop_depth = context.loopDepth();
    event.in_finally = context.inFinally();
    event.execution_kind = context.execution().kind;
    event.execution_start = ts_node_start_byte(context.execution().node);
    event.execution_scope = context.execution().scope;
    if (const ExecutionContext* function = context.enclosingFunction(); function != nullptr) {
      event.has_enclosing_function = true;
      event.enclosing_function_kind = function->kind;
      event.enclosing_function_start = ts_node_start_byte(function->node);
    }
    event.scope = context.scope();
    event.scope_kind = context.semantic().scope(context.scope()).kind;
    event.parent_kind = context.depth() > 1 ? context.frame(1).kind : NodeKind::Other;
    event.field = context.frame().field;
    event.depth = context.depth();
    event.frame_is_node = ts_node_eq(context.frame().node, node) && context.frame().kind == kind;
    r.events.push_back(std::move(event));
  }

  void finish(RuleContext& context) override {
    Recording& r = *g_recording;
    ++r.finish_calls;
    r.events_at_finish = r.events.size();
    if (first_call_scope_ != kNoScope) {
      r.finish_resolved_sum =
          context.semantic().resolve(first_call_scope_, "sum", 0).kind == Resolution::Kind::Builtin;
    }
  }

 private:
  ScopeId first_call_scope_ = kNoScope;
};

std::unique_ptr<RuleChecker> createRecorder() {
  return std::make_unique<Recorder>();
}

constexpr std::array kCallOnly = {NodeKind::Call};
constexpr std::array kManyKinds = {
    NodeKind::Call, NodeKind::Identifier, NodeKind::Attribute, NodeKind::Comment,
    NodeKind::ListComprehension, NodeKind::FunctionDefinition, NodeKind::Lambda, NodeKind::String,
    NodeKind::Integer,
    // Tokens: subscribed to, never entered (the walker passes over anonymous leaves).
    NodeKind::LeftParen, NodeKind::RightParen, NodeKind::Comma, NodeKind::Block,
    NodeKind::ExpressionStatement};

const RuleDefinition kCallRecorder{
    .code = "TEST001",
    .name = "call-recorder",
    .subscriptions = kCallOnly,
    .create = createRecorder,
};
const RuleDefinition kManyRecorder{
    .code = "TEST002",
    .name = "node-recorder",
    .subscriptions = kManyKinds,
    .create = createRecorder,
};

FileAnalysis run(const RuleDefinition& rule, const std::string& text, Recording& recording) {
  static const RuleDefinition* table[1];
  table[0] = &rule;
  AnalysisOptions options;
  options.rules = RuleTable(table, 1);
  options.enabled.set(0);
  const SourceText source(text);
  g_recording = &recording;
  FileAnalysis analysis = analyze(source, options);
  g_recording = nullptr;
  return analysis;
}

std::vector<Event> callEvents(const std::string& text) {
  Recording recording;
  const FileAnalysis analysis = run(kCallRecorder, text, recording);
  EXPECT_FALSE(analysis.has_syntax_error) << text;
  return recording.events;
}

// The call whose whole text is `text`.
const Event* findCallText(const std::vector<Event>& events, std::string_view text) {
  for (const Event& event : events) {
    if (event.text == text) return &event;
  }
  ADD_FAILURE() << "no call " << text;
  return nullptr;
}

// The first call whose callee is `name` (the text before the first '(').
const Event* findCall(const std::vector<Event>& events, std::string_view name) {
  for (const Event& event : events) {
    if (std::string_view(event.text).substr(0, event.text.find('(')) == name) return &event;
  }
  ADD_FAILURE() << "no call to " << name;
  return nullptr;
}

// --- loop depth ---

// Every call named `..._N` must be seen at loop depth N.
constexpr std::string_view kLoops = R"py(a_0()
for x in it_0():
    b_1()
    while c_2():
        d_2()
    else:
        e_1()
else:
    f_0()
while g_1():
    pass
async def coroutine():
    async for x in stream_0():
        inside_1()
r = [h_1(x) for x in i_0() if j_1(x) for y in k_1(x)]
s = {l_1(x): m_1(x) for x in n_0()}
t = sum(o_1(x) for x in p_0())
u = {q_1(x) for x in [r_1(v) for v in s_0()]}
nest = [[ee_2() for y in ff_1(x)] for x in gg_0()]
for x in q_0():
    def inner():
        s_0()
        for y in z_0():
            deep_1([deeper_2() for _ in w_1()])
    lam = lambda: t_0()
    u_1(lambda: v_0())
    def with_default(a=w_1()):
        pass
    @decorator_1()
    def decorated():
        pass
    class K:
        y_0()
    z_1([aa_2(x) for x in bb_1()])
    try:
        cc_1()
    finally:
        dd_1()
after_0()
)py";

TEST(Walker, LoopDepth) {
  const std::vector<Event> events = callEvents(std::string(kLoops));
  size_t checked = 0;
  for (const Event& event : events) {
    const std::string name = event.text.substr(0, event.text.find('('));
    const size_t underscore = name.rfind('_');
    if (underscore == std::string::npos || underscore + 1 >= name.size() ||
        std::isdigit(static_cast<unsigned char>(name[underscore + 1])) == 0) {
      continue;
    }
    EXPECT_EQ(event.loop_depth, static_cast<uint32_t>(std::stoi(name.substr(underscore + 1))))
        << name;
    ++checked;
  }
  EXPECT_EQ(checked, 43u);
}

TEST(Walker, LoopDepthReturnsToZeroAfterEachStatement) {
  const std::vector<Event> events = callEvents(
      "for x in xs:\n"
      "    for y in ys:\n"
      "        while z:\n"
      "            a()\n"
      "b()\n"
      "c = [d() for _ in e]\n"
      "f()\n");
  ASSERT_NE(findCall(events, "a"), nullptr);
  EXPECT_EQ(findCall(events, "a")->loop_depth, 3u);
  EXPECT_EQ(findCall(events, "b")->loop_depth, 0u);
  EXPECT_EQ(findCall(events, "d")->loop_depth, 1u);
  EXPECT_EQ(findCall(events, "f")->loop_depth, 0u);
}

// --- finally ---

TEST(Walker, InFinally) {
  const std::vector<Event> events = callEvents(
      "try:\n"
      "    a()\n"
      "except E:\n"
      "    b()\n"
      "else:\n"
      "    c()\n"
      "finally:\n"
      "    d()\n"
      "    def g():\n"
      "        e()\n"
      "    with x:\n"
      "        f()\n"
      "    try:\n"
      "        pass\n"
      "    finally:\n"
      "        h()\n"
      "    i()\n"
      "    k = lambda: l()\n"
      "    for y in m():\n"
      "        n()\n"
      "j()\n");
  for (std::string_view name : {"d", "f", "h", "i", "m", "n"}) {
    const Event* event = findCall(events, name);
    ASSERT_NE(event, nullptr);
    EXPECT_TRUE(event->in_finally) << name;
  }
  for (std::string_view name : {"a", "b", "c", "e", "j", "l"}) {
    const Event* event = findCall(events, name);
    ASSERT_NE(event, nullptr);
    EXPECT_FALSE(event->in_finally) << name;
  }
}

// --- execution contexts, enclosing function, scopes ---

TEST(Walker, ExecutionContextsAndScopes) {
  const std::string text =
      "top()\n"
      "def outer(a=default()):\n"
      "    in_outer()\n"
      "    class Inner:\n"
      "        in_class()\n"
      "        def method(self):\n"
      "            in_method()\n"
      "    lam = lambda: in_lambda()\n"
      "    comp = [in_comp(x) for x in first_iter()]\n"
      "    return lam\n"
      "class Top:\n"
      "    in_top_class()\n"
      "    @decorator()\n"
      "    def method(self, b=method_default()):\n"
      "        pass\n";
  Recording recording;
  run(kCallRecorder, text, recording);
  const std::vector<Event>& events = recording.events;

  struct Expected {  // NOLINT(clang-analyzer-optin.performance.Padding): read like the table below
    std::string_view call;
    NodeKind execution;
    NodeKind enclosing;                 // Other: none
    std::string_view enclosing_starts;  // the text the enclosing function starts with
    ScopeKind scope;
  };
  const Expected expectations[] = {
      {"top", NodeKind::Module, NodeKind::Other, "", ScopeKind::Module},
      {"default", NodeKind::Module, NodeKind::Other, "", ScopeKind::Module},
      {"in_outer", NodeKind::FunctionDefinition, NodeKind::FunctionDefinition, "def outer",
       ScopeKind::Function},
      {"in_class", NodeKind::ClassDefinition, NodeKind::FunctionDefinition, "def outer",
       ScopeKind::Class},
      {"in_method", NodeKind::FunctionDefinition, NodeKind::FunctionDefinition, "def method",
       ScopeKind::Function},
      {"in_lambda", NodeKind::Lambda, NodeKind::Lambda, "lambda", ScopeKind::Lambda},
      {"in_comp", NodeKind::FunctionDefinition, NodeKind::FunctionDefinition, "def outer",
       ScopeKind::Comprehension},
      {"first_iter", NodeKind::FunctionDefinition, NodeKind::FunctionDefinition, "def outer",
       ScopeKind::Function},
      {"in_top_class", NodeKind::ClassDefinition, NodeKind::Other, "", ScopeKind::Class},
      {"decorator", NodeKind::ClassDefinition, NodeKind::Other, "", ScopeKind::Class},
      {"method_default", NodeKind::ClassDefinition, NodeKind::Other, "", ScopeKind::Class},
  };
  for (const Expected& expected : expectations) {
    SCOPED_TRACE(expected.call);
    const Event* event = findCall(events, expected.call);
    ASSERT_NE(event, nullptr);
    EXPECT_EQ(event->execution_kind, expected.execution);
    EXPECT_EQ(event->scope_kind, expected.scope);
    if (expected.enclosing == NodeKind::Other) {
      EXPECT_FALSE(event->has_enclosing_function);
    } else {
      ASSERT_TRUE(event->has_enclosing_function);
      EXPECT_EQ(event->enclosing_function_kind, expected.enclosing);
      EXPECT_EQ(event->enclosing_function_start, text.find(expected.enclosing_starts));
    }
  }
}

TEST(Walker, EnclosingFunctionAndExecutionNodes) {
  const std::string text =
      "def outer():\n"
      "    class Inner:\n"
      "        in_class()\n"
      "        def method(self):\n"
      "            in_method()\n"
      "    f = lambda: in_lambda()\n";
  Recording recording;
  run(kCallRecorder, text, recording);
  const auto start = [&](std::string_view needle) {
    return static_cast<uint32_t>(text.find(needle));
  };
  const Event* in_class = findCall(recording.events, "in_class");
  const Event* in_method = findCall(recording.events, "in_method");
  const Event* in_lambda = findCall(recording.events, "in_lambda");
  ASSERT_TRUE(in_class && in_method && in_lambda);
  EXPECT_EQ(in_class->enclosing_function_start, start("def outer"));
  EXPECT_EQ(in_class->execution_start, start("class Inner"));
  EXPECT_EQ(in_method->enclosing_function_start, start("def method"));
  EXPECT_EQ(in_method->execution_start, start("def method"));
  EXPECT_EQ(in_lambda->enclosing_function_start, start("lambda"));
  EXPECT_EQ(in_lambda->execution_start, start("lambda"));
  // The execution's scope is the scope its body's names live in.
  EXPECT_EQ(in_method->execution_scope, in_method->scope);
  EXPECT_EQ(in_class->execution_scope, in_class->scope);
  EXPECT_NE(in_class->scope, in_method->scope);
}

TEST(Walker, ComprehensionScopesAndFirstIterable) {
  const std::vector<Event> events = callEvents(
      "def f():\n"
      "    return [a(x) for x in b() if c(x) for y in d(x)]\n");
  const Event* a = findCall(events, "a");
  const Event* b = findCall(events, "b");
  const Event* c = findCall(events, "c");
  const Event* d = findCall(events, "d");
  ASSERT_TRUE(a && b && c && d);
  EXPECT_EQ(a->scope_kind, ScopeKind::Comprehension);
  EXPECT_EQ(b->scope_kind, ScopeKind::Function);
  EXPECT_EQ(c->scope, a->scope);
  EXPECT_EQ(d->scope, a->scope);
  EXPECT_EQ(b->scope, b->execution_scope);
}

TEST(Walker, ParentFrames) {
  const std::vector<Event> events = callEvents(
      "a()\n"
      "x = b()\n"
      "g(c())\n"
      "d().attr\n"
      "def h():\n"
      "    return e()\n"
      "async def i():\n"
      "    await f()\n"
      "[k() for _ in xs]\n"
      "l()()\n"
      "m(key=n())\n");
  struct Expected {
    std::string_view call;
    NodeKind parent;
    Field field;
  };
  const Expected expectations[] = {
      {"a", NodeKind::ExpressionStatement, Field::None}, {"b", NodeKind::Assignment, Field::Right},
      {"c", NodeKind::ArgumentList, Field::None},        {"d", NodeKind::Attribute, Field::Object},
      {"e", NodeKind::ReturnStatement, Field::None},     {"f", NodeKind::Await, Field::None},
      {"k", NodeKind::ListComprehension, Field::Body},   {"l()", NodeKind::Call, Field::Function},
      {"n", NodeKind::KeywordArgument, Field::Value},
  };
  for (const Expected& expected : expectations) {
    SCOPED_TRACE(expected.call);
    const Event* event = expected.call.ends_with(")") ? findCallText(events, expected.call)
                                                      : findCall(events, expected.call);
    ASSERT_NE(event, nullptr);
    EXPECT_EQ(event->parent_kind, expected.parent);
    EXPECT_EQ(event->field, expected.field);
    EXPECT_TRUE(event->frame_is_node);
  }
  const Event* a = findCall(events, "a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->depth, 3u);  // module, expression_statement, call
}

// --- dispatch ---

// The nodes the walker enters: every named node, and no anonymous token (`(`, `,`).
void collectPreorder(TSNode node, const std::vector<NodeKind>& kinds,
                     std::vector<std::pair<uint32_t, NodeKind>>& out) {
  const NodeKind kind = kindOf(node);
  const bool token = !ts_node_is_named(node) && ts_node_child_count(node) == 0;
  if (!token && std::find(kinds.begin(), kinds.end(), kind) != kinds.end()) {
    out.emplace_back(ts_node_start_byte(node), kind);
  }
  for (uint32_t i = 0; i < ts_node_child_count(node); ++i) {
    collectPreorder(ts_node_child(node, i), kinds, out);
  }
}

TEST(Walker, VisitsSubscribedNodesOnceInDocumentOrder) {
  const std::string text =
      "# leading comment\n"
      "import os\n"
      "def f(a, b=1):\n"
      "    '''doc'''\n"
      "    return [g(x, os.sep) for x in a]  # trailing\n"
      "h = lambda y: (y, f(y, 2))\n"
      "class C:\n"
      "    def m(self):\n"
      "        return self.v.w(1)(2)\n";
  Recording recording;
  run(kManyRecorder, text, recording);

  const SourceText source(text);
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  std::vector<std::pair<uint32_t, NodeKind>> expected;
  collectPreorder(ts_tree_root_node(tree.get()),
                  std::vector<NodeKind>(kManyKinds.begin(), kManyKinds.end()), expected);
  std::vector<std::pair<uint32_t, NodeKind>> actual;
  for (const Event& event : recording.events) {
    actual.emplace_back(event.start, event.kind);
    EXPECT_TRUE(event.kind_matches_node);
    EXPECT_TRUE(event.frame_is_node);
  }
  EXPECT_GT(expected.size(), 40u);
  EXPECT_EQ(actual, expected);
  EXPECT_TRUE(std::is_sorted(actual.begin(), actual.end(),
                             [](const auto& l, const auto& r) { return l.first < r.first; }));
  EXPECT_EQ(recording.finish_calls, 1);
  EXPECT_EQ(recording.events_at_finish, recording.events.size());
}

TEST(Walker, VisitsCallsInsideFStringInterpolations) {
  const std::vector<Event> events = callEvents(
      "a = f\"{g()}\"\n"
      "b = f\"text {h()} more {i(1):>{j()}}\"\n"
      "c = f'{k()}' f\"{l()}\"\n"
      "d = \"{not_a_call()}\"\n");
  for (std::string_view name : {"g", "h", "i", "j", "k", "l"}) {
    EXPECT_NE(findCall(events, name), nullptr) << name;
  }
  for (const Event& event : events)
    EXPECT_NE(event.text, "not_a_call()");
}

TEST(Walker, RulesSeeCodeInsideFStrings) {
  // What visiting interpolations is for: MEM101 inside an f-string.
  AnalysisOptions options;
  options.rules = allRules();
  for (size_t i = 0; i < options.rules.size(); ++i)
    options.enabled.set(i);
  for (std::string_view text : {"a = f\"{sum([x for x in open(p)])}\"\n",
                                "a = f\"total: {sum([x for x in open(p)])}\"\n"}) {
    SCOPED_TRACE(text);
    const SourceText source{std::string(text)};
    EXPECT_EQ(analyze(source, options).diagnostics.size(), 1u);
  }
}

TEST(Walker, OnlySubscribedKindsAreDispatched) {
  Recording recording;
  run(kCallRecorder, "x = [f(a) for a in g(b)]  # c\n", recording);
  ASSERT_EQ(recording.events.size(), 2u);
  for (const Event& event : recording.events)
    EXPECT_EQ(event.kind, NodeKind::Call);
}

TEST(Walker, FinishRunsOnceAfterTheWalkWithAFinalModel) {
  Recording recording;
  run(kCallRecorder, "total = sum(xs)\n", recording);
  EXPECT_EQ(recording.finish_calls, 1);
  EXPECT_TRUE(recording.finish_resolved_sum);

  Recording empty;
  run(kCallRecorder, "", empty);
  EXPECT_EQ(empty.finish_calls, 1);
  EXPECT_TRUE(empty.events.empty());
}

TEST(Walker, ReportedDiagnosticsCarryTheRuleAndComeBackInSourceOrder) {
  Recording recording;
  recording.report = true;
  const FileAnalysis analysis =
      run(kCallRecorder, "a(b(c()))\nd()  # noqa: TEST001\ne()  # noqa: OTHER1\n", recording);
  ASSERT_EQ(analysis.diagnostics.size(), 4u);
  EXPECT_EQ(analysis.suppressed_count, 1u);
  uint32_t previous = 0;
  for (const Diagnostic& diagnostic : analysis.diagnostics) {
    EXPECT_EQ(diagnostic.rule, &kCallRecorder);
    EXPECT_GE(diagnostic.start, previous);
    previous = diagnostic.start;
  }
}

// --- deep input ---

// Runs `body` on a thread with a small stack, so that recursion proportional to the input's
// nesting overflows here rather than passing by luck on an 8 MiB main-thread stack.
template <typename Body>
void runWithStack(size_t stack_bytes, Body body) {
  pthread_attr_t attributes;
  ASSERT_EQ(pthread_attr_init(&attributes), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attributes, stack_bytes), 0);
  pthread_t thread;
  const auto trampoline = [](void* argument) -> void* {
    (*static_cast<Body*>(argument))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attributes, trampoline, &body), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attributes);
}

constexpr size_t kDepth = 20000;
constexpr size_t kSmallStack = size_t{1024} * 1024;

std::string repeat(std::string_view piece, size_t count) {
  std::string result;
  result.reserve(piece.size() * count);
  for (size_t i = 0; i < count; ++i)
    result += piece;
  return result;
}

TEST(Walker, DeeplyNestedCallsDoNotOverflowTheStack) {
  const std::string text = "x = " + repeat("f(", kDepth) + "1" + repeat(")", kDepth) + "\n";
  Recording recording;
  recording.keep_events = false;
  runWithStack(kSmallStack, [&] {
    const FileAnalysis analysis = run(kCallRecorder, text, recording);
    EXPECT_FALSE(analysis.has_syntax_error);
  });
  EXPECT_EQ(recording.calls, kDepth);
  EXPECT_GT(recording.max_depth, kDepth);
  EXPECT_EQ(recording.finish_calls, 1);
}

TEST(Walker, DeeplyNestedExpressionsWithEveryRuleDoNotOverflowTheStack) {
  const std::string inputs[] = {
      "x = " + repeat("(", kDepth) + "1" + repeat(")", kDepth) + "\n",
      "x = " + repeat("[", kDepth) + repeat("]", kDepth) + "\n",
      "x = " + repeat("-", kDepth) + "1\n",
      "x = 1" + repeat(" + 1", kDepth) + "\n",
      "x = sum(" + repeat("[y for y in ", kDepth / 4) + "z" + repeat("]", kDepth / 4) + ")\n",
  };
  for (const std::string& text : inputs) {
    SCOPED_TRACE(text.substr(0, 24));
    bool finished = false;
    runWithStack(kSmallStack, [&] {
      AnalysisOptions options;
      options.rules = allRules();
      for (size_t i = 0; i < options.rules.size(); ++i)
        options.enabled.set(i);
      const SourceText source(text);
      const FileAnalysis analysis = analyze(source, options);
      EXPECT_FALSE(analysis.has_syntax_error);
      finished = true;
    });
    EXPECT_TRUE(finished);
  }
}

// Every fixture's Python file, sorted.
std::vector<std::filesystem::path> fixtureFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(HEAPLINT_SOURCE_DIR) / "fixtures")) {
    if (entry.path().extension() == ".py") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// parentOf answers from the path of the last node asked about, or descends from a node of it;
// asked in any order, it must answer as tree-sitter does, for every node of every fixture.
TEST(Walker, ParentOfAgreesWithTreeSitterInAnyOrder) {
  const std::vector<std::filesystem::path> files = fixtureFiles();
  ASSERT_GT(files.size(), 50u);
  size_t checked = 0;
  uint32_t seed = 12345;
  for (size_t f = 0; f < files.size(); ++f) {
    std::ifstream in(files[f], std::ios::binary);
    const SourceText source(std::string(std::istreambuf_iterator<char>(in), {}));
    const TreePtr tree = PythonParser::forThisThread().parse(source);
    ASSERT_TRUE(tree);
    // Each node with its parent as tree-sitter's cursor finds it going down (ts_node_parent
    // answers the same, but searches from the root each time: minutes over the fixtures).
    std::vector<std::pair<TSNode, TSNode>> nodes;
    TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree.get()));
    std::vector<TSNode> path = {TSNode{}};
    for (bool more = true; more;) {
      const TSNode node = ts_tree_cursor_current_node(&cursor);
      nodes.emplace_back(node, path.back());
      if (ts_tree_cursor_goto_first_child(&cursor)) {
        path.push_back(node);
        continue;
      }
      while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
        if (!ts_tree_cursor_goto_parent(&cursor)) {
          more = false;
          break;
        }
        path.pop_back();
      }
    }
    ts_tree_cursor_delete(&cursor);
    // In order, then shuffled: neighbours and far-apart nodes alike. A node asked after a far
    // one is found by descending from the root, in time proportional to the widths on the way:
    // at most 2,000 shuffled nodes a file (the whole of a big fixture took minutes).
    for (int round = 0; round < 2; ++round) {
      const FieldLookupMemo memo;
      const size_t asked = round == 0 ? nodes.size() : std::min<size_t>(nodes.size(), 2000);
      for (const auto& [node, expected] : std::span(nodes).first(asked)) {
        const TSNode parent = parentOf(node);
        if (checked % 101 == 0) ASSERT_TRUE(ts_node_eq(ts_node_parent(node), expected));
        ASSERT_EQ(ts_node_is_null(parent), ts_node_is_null(expected)) << files[f];
        if (!ts_node_is_null(expected)) ASSERT_TRUE(ts_node_eq(parent, expected)) << files[f];
        ++checked;
      }
      for (size_t i = nodes.size(); i > 1; --i) {
        seed = seed * 1103515245U + 12345U;
        std::swap(nodes[i - 1], nodes[(seed >> 8) % i]);
      }
    }
  }
  EXPECT_GT(checked, 10000u);
}

// What a walk below a node reports: "+" entering a node (its id, symbol, start and field), "-"
// leaving one. `descend` decides per node whether its children are walked.
struct WalkEvent {
  char what = '+';
  const void* id = nullptr;
  TSSymbol symbol = 0;
  uint32_t start = 0;
  uint32_t end = 0;
  TSFieldId field = 0;
  bool operator==(const WalkEvent&) const = default;
};

// The walker's old walk, with tree-sitter's cursor: the reference heaplint_tree_walk must equal.
template <typename Descend>
std::vector<WalkEvent> cursorWalk(TSNode node, Descend&& descend) {
  std::vector<WalkEvent> events;
  const auto enter = [&](TSTreeCursor& cursor) {
    const TSNode current = ts_tree_cursor_current_node(&cursor);
    events.push_back({'+', current.id, ts_node_symbol(current), ts_node_start_byte(current),
                      ts_node_end_byte(current), ts_tree_cursor_current_field_id(&cursor)});
    return descend(current);
  };
  TSTreeCursor cursor = ts_tree_cursor_new(node);
  uint32_t depth = 0;
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    depth = 1;
    bool down = enter(cursor);
    while (depth > 0) {
      if (down && ts_tree_cursor_goto_first_child(&cursor)) {
        ++depth;
        down = enter(cursor);
        continue;
      }
      while (true) {
        events.push_back({'-'});
        if (ts_tree_cursor_goto_next_sibling(&cursor)) {
          down = enter(cursor);
          break;
        }
        ts_tree_cursor_goto_parent(&cursor);
        if (--depth == 0) break;
      }
    }
  }
  ts_tree_cursor_delete(&cursor);
  return events;
}

template <typename Descend>
std::vector<WalkEvent> treeWalk(HeaplintTreeWalk* walk, TSNode node, Descend&& descend,
                                std::vector<TSNode>* entered = nullptr, bool skip_tokens = false) {
  std::vector<WalkEvent> events;
  heaplint_tree_walk_reset(walk, node);
  if (skip_tokens) heaplint_tree_walk_skip_anonymous_leaves(walk);
  bool down = true;
  uint32_t left = 0;
  TSNode current;
  TSFieldId field = 0;
  while (heaplint_tree_walk_next(walk, down, &left, &current, &field)) {
    for (; left > 0; --left)
      events.push_back({'-'});
    events.push_back({'+', current.id, ts_node_symbol(current), ts_node_start_byte(current),
                      ts_node_end_byte(current), field});
    if (entered != nullptr) entered->push_back(current);
    down = descend(current);
  }
  for (; left > 0; --left)
    events.push_back({'-'});
  return events;
}

// Every fixture's text, then broken, deeply nested and empty input.
std::vector<std::string> walkTestTexts() {
  std::vector<std::string> texts;
  for (const std::filesystem::path& file : fixtureFiles()) {
    std::ifstream in(file, std::ios::binary);
    texts.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  texts.push_back("def f(:\n  return [x for x in\nclass C(\n  y = {1: 2, **z\n");
  texts.push_back("x = " + repeat("(", 500) + "1" + repeat(")", 500) + "\n");
  texts.push_back(
      "if a:\n  b = f'{x!r:>{w}}' # c\n\tpass\nprint >>f, x\nasync def g(): await h()\n");
  texts.push_back("");
  return texts;
}

// heaplint_tree_walk replaced the cursor in the walker: the same nodes (ids, symbols with their
// aliases, positions), fields and leave events, whichever nodes are descended into, below the root
// and below inner nodes, on every fixture and on broken and deeply nested input.
TEST(Walker, TreeWalkAgreesWithTheCursor) {
  const std::vector<std::string> texts = walkTestTexts();
  ASSERT_GT(texts.size(), 54u);
  const std::unique_ptr<HeaplintTreeWalk, decltype(&heaplint_tree_walk_delete)> walk(
      heaplint_tree_walk_new(), &heaplint_tree_walk_delete);
  size_t compared = 0;
  size_t fields = 0;
  size_t functions = 0;
  for (const std::string& text : texts) {
    const SourceText source(text);
    const TreePtr tree = PythonParser::forThisThread().parse(source);
    ASSERT_TRUE(tree);
    const TSNode root = ts_tree_root_node(tree.get());
    const auto always = [](TSNode) { return true; };
    // Skips the children of about one node in five, by position.
    const auto sometimes = [](TSNode node) { return (ts_node_start_byte(node) * 7 + 3) % 5 != 0; };
    const std::vector<WalkEvent> expected = cursorWalk(root, always);
    std::vector<TSNode> nodes;
    ASSERT_EQ(treeWalk(walk.get(), root, always, &nodes), expected) << text.substr(0, 200);
    ASSERT_EQ(treeWalk(walk.get(), root, sometimes), cursorWalk(root, sometimes));
    compared += expected.size();
    for (const WalkEvent& event : expected)
      fields += event.field != 0 ? 1 : 0;
    // visitSubtree (on the same walks, pooled per thread), with another inside its visitor.
    std::vector<WalkEvent> visited;
    size_t inner_walks = 0;
    visitSubtree(root, [&](TSNode node, TSFieldId field) {
      visited.push_back({'+', node.id, ts_node_symbol(node), ts_node_start_byte(node),
                         ts_node_end_byte(node), field});
      if (kindOf(node) == NodeKind::FunctionDefinition) {
        std::vector<WalkEvent> inner;
        visitSubtree(node, [&](TSNode below, TSFieldId below_field) {
          inner.push_back({'+', below.id, ts_node_symbol(below), ts_node_start_byte(below),
                           ts_node_end_byte(below), below_field});
          return Visit::Descend;
        });
        std::vector<WalkEvent> expected_inner = cursorWalk(node, always);
        std::erase_if(expected_inner, [](const WalkEvent& event) { return event.what == '-'; });
        EXPECT_EQ(inner, expected_inner);
        ++inner_walks;
      }
      return Visit::Descend;
    });
    std::vector<WalkEvent> entered = expected;
    std::erase_if(entered, [](const WalkEvent& event) { return event.what == '-'; });
    ASSERT_EQ(visited, entered);
    functions += inner_walks;
    // Below inner nodes: twenty, evenly spaced.
    for (size_t i = 0; i < nodes.size(); i += nodes.size() / 20 + 1) {
      ASSERT_EQ(treeWalk(walk.get(), nodes[i], always), cursorWalk(nodes[i], always));
    }
  }
  EXPECT_GT(compared, 100000u);
  EXPECT_GT(fields, 10000u);
  EXPECT_GT(functions, 500u);
}

// The analyzer's walk passes over tokens (anonymous nodes with nothing visible below them): the
// cursor's walk without them, whichever nodes are descended into, on every fixture and on broken
// and deeply nested input.
TEST(Walker, TreeWalkPassingOverTokensAgreesWithTheCursorWithoutThem) {
  const std::unique_ptr<HeaplintTreeWalk, decltype(&heaplint_tree_walk_delete)> walk(
      heaplint_tree_walk_new(), &heaplint_tree_walk_delete);
  size_t tokens = 0;
  for (const std::string& text : walkTestTexts()) {
    const TreePtr tree = PythonParser::forThisThread().parse(SourceText(text));
    ASSERT_TRUE(tree);
    const TSNode root = ts_tree_root_node(tree.get());
    const auto always = [](TSNode) { return true; };
    const auto sometimes = [](TSNode node) { return (ts_node_start_byte(node) * 3 + 1) % 4 != 0; };
    for (const bool every : {true, false}) {
      const std::vector<WalkEvent> cursor =
          every ? cursorWalk(root, always) : cursorWalk(root, sometimes);
      std::vector<TSNode> entered;
      const std::vector<WalkEvent> reference =
          every ? treeWalk(walk.get(), root, always, &entered)
                : treeWalk(walk.get(), root, sometimes, &entered);
      ASSERT_EQ(reference, cursor);
      // Drop each token's enter and leave, found by its node.
      std::vector<WalkEvent> without;
      size_t next_node = 0;
      for (size_t i = 0; i < reference.size(); ++i) {
        if (reference[i].what != '+') {
          without.push_back(reference[i]);
          continue;
        }
        const TSNode node = entered[next_node++];
        if (!ts_node_is_named(node) && ts_node_child_count(node) == 0) {
          ++tokens;
          ++i;  // its leave follows at once
          continue;
        }
        without.push_back(reference[i]);
      }
      const std::vector<WalkEvent> skipping =
          every ? treeWalk(walk.get(), root, always, nullptr, true)
                : treeWalk(walk.get(), root, sometimes, nullptr, true);
      ASSERT_EQ(skipping, without) << text.substr(0, 200);
    }
  }
  EXPECT_GT(tokens, 50000u);
}

// childByField and nthNamedChild use heaplint's own accessors: for every node of every fixture,
// every field and every named child (and one past the last) as tree-sitter's.
TEST(Walker, ChildAccessorsAgreeWithTreeSitter) {
  const std::vector<std::filesystem::path> files = fixtureFiles();
  ASSERT_GT(files.size(), 50u);
  const auto same = [](TSNode a, TSNode b) {
    return ts_node_is_null(a)
               ? ts_node_is_null(b)
               : !ts_node_is_null(b) && ts_node_eq(a, b) && ts_node_symbol(a) == ts_node_symbol(b);
  };
  const uint32_t field_count = ts_language_field_count(tree_sitter_python());
  size_t fields_found = 0;
  size_t named_found = 0;
  for (const std::filesystem::path& file : files) {
    const FieldLookupMemo memo;  // nthNamedChild answers from its listings, childByField remembers
    std::ifstream in(file, std::ios::binary);
    const SourceText source(std::string(std::istreambuf_iterator<char>(in), {}));
    const TreePtr tree = PythonParser::forThisThread().parse(source);
    ASSERT_TRUE(tree);
    std::vector<TSNode> nodes{ts_tree_root_node(tree.get())};
    visitSubtree(nodes.front(), [&](TSNode node, TSFieldId /*field*/) {
      nodes.push_back(node);
      return Visit::Descend;
    });
    for (const TSNode node : nodes) {
      for (TSFieldId field = 1; field <= field_count; ++field) {
        const TSNode expected = ts_node_child_by_field_id(node, field);
        ASSERT_TRUE(same(heaplint_node_child_by_field_id(node, field), expected))
            << file << " field " << field << " of " << ts_node_type(node);
        ASSERT_TRUE(same(childByField(node, Syntax::instance().fieldOf(field)), expected) ||
                    Syntax::instance().fieldOf(field) == Field::None);
        fields_found += ts_node_is_null(expected) ? 0 : 1;
      }
      const uint32_t named = ts_node_named_child_count(node);
      std::vector<TSNode> listed(named + 8);
      const uint32_t listed_count = heaplint_node_named_children(node, listed.data(), named + 8);
      ASSERT_NE(listed_count, UINT32_MAX);
      for (uint32_t i = 0; i <= named; ++i) {
        const TSNode expected = ts_node_named_child(node, i);
        ASSERT_TRUE(same(heaplint_node_named_child(node, i), expected))
            << file << " named child " << i << " of " << ts_node_type(node);
        ASSERT_TRUE(same(i < listed_count ? listed[i] : TSNode{}, expected))
            << file << " listed named child " << i << " of " << ts_node_type(node);
        ASSERT_TRUE(same(nthNamedChild(node, i), expected)) << file << " nthNamedChild " << i;
      }
      named_found += named;
    }
  }
  EXPECT_GT(fields_found, 10000u);
  EXPECT_GT(named_found, 10000u);
}

// A backslash line continuation sits between children as a comment does, and is skipped as one:
// `@\` with the decorator on the next line, `f(\` with the argument there.
TEST(Syntax, LineContinuationsAreSkippedLikeComments) {
  const SourceText source(
      "@\\\n"
      "cached\n"
      "def f():\n"
      "    return g(\\\n"
      "        x)\n");
  const TreePtr tree = PythonParser::forThisThread().parse(source);
  const TSNode decorated = ts_node_named_child(ts_tree_root_node(tree.get()), 0);
  const TSNode decorator = ts_node_named_child(decorated, 0);
  ASSERT_EQ(kindOf(decorator), NodeKind::Decorator);
  EXPECT_EQ(kindOf(ts_node_named_child(decorator, 0)), NodeKind::Comment);
  EXPECT_TRUE(isLineContinuation(ts_node_named_child(decorator, 0)));
  EXPECT_FALSE(isLineContinuation(decoratorExpression(decorator)));
  EXPECT_EQ(nodeText(source.text(), decoratorExpression(decorator)), "cached");
  std::string argument;
  visitSubtree(ts_tree_root_node(tree.get()), [&](TSNode node, TSFieldId /*field*/) {
    if (kindOf(node) == NodeKind::ArgumentList) {
      argument = nodeText(source.text(), firstNamedChildSkippingExtras(node));
    }
    return Visit::Descend;
  });
  EXPECT_EQ(argument, "x");
}

}  // namespace
}  // namespace heaplint
