#include "analyzer/walker.h"

#include <algorithm>
#include <functional>

#include "analyzer/analyze.h"
#include "analyzer/call_evidence.h"
#include "analyzer/concat.h"
#include "analyzer/semantic_model_stdlib.h"
#include "analyzer/tree_walk.h"

namespace heaplint {
namespace {

using enum FrameFlag;

bool isComprehension(NodeKind kind) {
  return kind == NodeKind::ListComprehension || kind == NodeKind::SetComprehension ||
         kind == NodeKind::DictionaryComprehension || kind == NodeKind::GeneratorExpression;
}

bool isTargetStructure(NodeKind kind) {
  switch (kind) {
    case NodeKind::PatternList:
    case NodeKind::TuplePattern:
    case NodeKind::ListPattern:
    case NodeKind::ListSplatPattern:
    case NodeKind::Tuple:
    case NodeKind::List:
    case NodeKind::ParenthesizedExpression:
    case NodeKind::ExpressionList:
    case NodeKind::AsPatternTarget:
      return true;
    default:
      return false;
  }
}

bool isParameterWrapper(NodeKind kind) {
  return kind == NodeKind::DefaultParameter || kind == NodeKind::TypedParameter ||
         kind == NodeKind::TypedDefaultParameter || kind == NodeKind::ListSplatPattern ||
         kind == NodeKind::DictionarySplatPattern;
}

// A name that a `case` pattern binds: `case [x, *rest]`, `case {"k": v}`, `case P(a=v) | v`.
// (A dotted name is a value pattern, and a class pattern's first name is the class.)
bool isMatchCapture(const std::vector<Frame>& frames, const Frame& identifier) {
  if (frames.size() < 2) return false;
  const Frame& parent = frames.back();
  if (parent.kind == NodeKind::SplatPattern) return true;
  // `case str() as name`: in patterns the alias is a bare identifier child.
  if (parent.kind == NodeKind::AsPattern &&
      frames[frames.size() - 2].kind == NodeKind::CasePattern) {
    return true;
  }
  if (parent.kind != NodeKind::DottedName || ts_node_named_child_count(parent.node) != 1) {
    return false;
  }
  const Frame& holder = frames[frames.size() - 2];
  if (holder.kind == NodeKind::CasePattern || holder.kind == NodeKind::UnionPattern) return true;
  // In `key=value` the keyword is a bare identifier and the value a dotted name.
  return holder.kind == NodeKind::KeywordPattern && !ts_node_eq(parent.node, identifier.node);
}

// Whether an identifier that binds nothing reads a variable: not `a.name`, `f(name=...)`, the
// name a `def` or `class` binds, or the names of an import or a global/nonlocal statement.
bool readsVariable(const std::vector<Frame>& frames, const Frame& identifier) {
  const Frame& parent = frames.back();
  switch (parent.kind) {
    case NodeKind::Attribute:
      return identifier.field != Field::AttributeName;
    case NodeKind::KeywordArgument:
    case NodeKind::FunctionDefinition:
    case NodeKind::ClassDefinition:
      return identifier.field != Field::Name;
    case NodeKind::GlobalStatement:
    case NodeKind::NonlocalStatement:
    case NodeKind::ImportStatement:
    case NodeKind::ImportFromStatement:
    case NodeKind::AliasedImport:
      return false;
    case NodeKind::DottedName: {
      const NodeKind holder = frames.size() >= 2 ? frames[frames.size() - 2].kind : NodeKind::Other;
      return holder != NodeKind::ImportStatement && holder != NodeKind::ImportFromStatement &&
             holder != NodeKind::AliasedImport;
    }
    default:
      return true;
  }
}

// Dotted names are stored without the whitespace or comments Python allows inside them.
std::string compactDottedName(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (char c : text) {
    if (c != ' ' && c != '\t' && c != '\\' && c != '\n' && c != '\r') result += c;
  }
  return result;
}

// Looking up a child's field costs a scan of the parent's field map, so the walker records fields
// only below the parents whose fields it or the rules need (see Frame::field).
constexpr auto kParentsWithTrackedFields = [] {
  std::array<bool, kNodeKindCount> table{};
  for (NodeKind kind : {NodeKind::FunctionDefinition,
                        NodeKind::Lambda,
                        NodeKind::ClassDefinition,
                        NodeKind::ListComprehension,
                        NodeKind::SetComprehension,
                        NodeKind::DictionaryComprehension,
                        NodeKind::GeneratorExpression,
                        NodeKind::ForInClause,
                        NodeKind::DefaultParameter,
                        NodeKind::TypedDefaultParameter,
                        NodeKind::TypedParameter,
                        NodeKind::Assignment,
                        NodeKind::AugmentedAssignment,
                        NodeKind::ForStatement,
                        NodeKind::WhileStatement,
                        NodeKind::NamedExpression,
                        NodeKind::ExceptClause,
                        NodeKind::ExceptGroupClause,
                        NodeKind::Call,
                        NodeKind::Attribute,
                        NodeKind::Subscript,
                        NodeKind::KeywordArgument,
                        NodeKind::IfStatement,
                        NodeKind::ElifClause,
                        NodeKind::TryStatement,
                        NodeKind::WithStatement,
                        NodeKind::WithItem,
                        NodeKind::DecoratedDefinition,
                        NodeKind::ConditionalExpression,
                        NodeKind::AsPattern,
                        NodeKind::Pair,
                        NodeKind::ImportFromStatement,
                        NodeKind::AliasedImport,
                        NodeKind::BooleanOperator,
                        NodeKind::NotOperator,
                        NodeKind::ComparisonOperator}) {
    table[static_cast<size_t>(kind)] = true;
  }
  return table;
}();

}  // namespace

RuleContext::RuleContext(const SourceText& source, const AnalysisOptions& options,
                         SemanticModel& semantic)
    : source_(source), options_(options), semantic_(semantic) {
  frames_.reserve(256);
  executions_.reserve(32);
}

const ExecutionContext* RuleContext::enclosingFunction() const {
  for (auto it = executions_.rbegin(); it != executions_.rend(); ++it) {
    if (it->kind == NodeKind::FunctionDefinition || it->kind == NodeKind::Lambda) return &*it;
  }
  return nullptr;
}

uint64_t dependencyKey(std::string_view text) {
  return std::hash<std::string_view>{}(text);
}

uint64_t textDependencyKey(std::string_view name) {
  // No name holds a space: the key is no name's own.
  return dependencyKey(concat("text of ", name));
}

void RuleContext::dependsOnTextOf(std::string_view name) const {
  depended_keys_.push_back(textDependencyKey(name));
}

void RuleContext::provides(std::string_view key) const {
  provided_keys_.push_back(dependencyKey(key));
}

void RuleContext::dependsOn(std::string_view key) const {
  depended_keys_.push_back(dependencyKey(key));
}

void RuleContext::dependsOnNamesIn(TSNode value) const {
  if (ts_node_is_null(value)) return;
  std::vector<TSNode> pending{value};
  while (!pending.empty()) {
    const TSNode node = pending.back();
    pending.pop_back();
    if (kindOf(node) == NodeKind::Identifier) {
      depended_keys_.push_back(dependencyKey(text(node)));
      continue;
    }
    for (uint32_t i = 0, count = ts_node_named_child_count(node); i < count; ++i)
      pending.push_back(ts_node_named_child(node, i));
  }
}

bool RuleContext::moduleProvides(std::string_view key) const {
  const uint64_t hash = dependencyKey(key);
  if (std::find(provided_keys_.begin(), provided_keys_.end(), hash) != provided_keys_.end()) {
    return true;
  }
  const auto it =
      std::lower_bound(other_runs_keys_.begin(), other_runs_keys_.end(), OtherRunKey{hash, false});
  return it != other_runs_keys_.end() && it->key == hash;
}

bool RuleContext::laterRunProvides(std::string_view key) const {
  const uint64_t hash = dependencyKey(key);
  return std::binary_search(other_runs_keys_.begin(), other_runs_keys_.end(),
                            OtherRunKey{hash, true});
}

void RuleContext::report(Diagnostic diagnostic) {
  if (diagnostic.rule == nullptr) diagnostic.rule = current_rule_;
  diagnostics_.push_back(std::move(diagnostic));
}

bool RuleContext::isTestFile() const {
  if (is_test_file_ < 0) {
    is_test_file_ =
        heaplint::isTestFile(options_.path, options_.settings->test_file_patterns) ? 1 : 0;
  }
  return is_test_file_ == 1;
}

RuleContext::~RuleContext() = default;

const CallFacts& RuleContext::callFacts() const {
  static const CallFacts kNone;
  return calls_ ? calls_->facts(*this) : kNone;
}

std::unique_ptr<FileFacts> Walker::takeCallFacts() {
  if (!context_.calls_) return nullptr;
  auto facts = std::make_unique<FileCallFacts>();
  facts->calls = context_.calls_->take(context_);
  return facts;
}

Walker::Walker(const SourceText& source, const AnalysisOptions& options, SemanticModel& semantic,
               std::vector<ActiveRule>& rules, NoqaDirectives& noqa)
    : source_(source),
      semantic_(semantic),
      rules_(rules),
      noqa_(noqa),
      context_(source, options, semantic) {
  bool calls_read = false;
  bool only_mutable_defaults = true;
  for (ActiveRule& rule : rules_) {
    for (NodeKind kind : rule.definition->subscriptions) {
      subscribers_[static_cast<size_t>(kind)].push_back(&rule);
    }
    if (rule.definition->uses_call_facts) {
      calls_read = true;
      only_mutable_defaults =
          only_mutable_defaults && rule.definition->call_facts_for_mutable_defaults;
    }
  }
  if (calls_read && options.collect_call_facts)
    context_.calls_ = std::make_unique<CallCollector>(only_mutable_defaults);
}

std::vector<Diagnostic> Walker::run(TSNode root) {
  const TSNode roots[] = {root};
  return run(roots);
}

std::vector<Diagnostic> Walker::run(std::span<const TSNode> roots) {
  const FieldLookupMemo field_lookups;
  if (!roots.empty()) {
    enter(roots.front(), 0);  // the module
    for (const PreludeBinding& prelude : prelude_) {
      if (prelude.binding.kind == BindingKind::Import ||
          prelude.binding.kind == BindingKind::FromImport) {
        semantic_.addImportBinding(prelude.binding, std::string(prelude.qualified));
      } else {
        semantic_.addBinding(prelude.binding);
      }
    }
    for (const StarImport& star : prelude_star_imports_)
      semantic_.notePreludeStarImport(star);
    for (const TSNode root : roots)
      walkBelow(root);
    leave();
  }

  semantic_.finalize();
  for (ActiveRule& rule : rules_) {
    context_.current_rule_ = rule.definition;
    rule.checker->finish(context_);
  }
  context_.current_rule_ = nullptr;
  // The file's calls for the project step (takeCallFacts), described while the walk's lookups
  // are still remembered (FieldLookupMemo): after it, each child and parent lookup is tree-sitter's
  // own, and describing them cost about 1.5% more instructions over the benchmark files.
  if (context_.calls_) context_.calls_->facts(context_);
  return std::move(context_.diagnostics_);
}

void Walker::setPrelude(std::span<const PreludeBinding> prelude,
                        std::span<const StarImport> star_imports) {
  prelude_ = prelude;
  prelude_star_imports_ = star_imports;
  context_.analysing_one_run_ = true;
}

void Walker::walkBelow(TSNode node) {
  const detail::PooledTreeWalk walk;
  heaplint_tree_walk_reset(walk.get(), node);
  heaplint_tree_walk_skip_anonymous_leaves(walk.get());
  bool descend = true;
  uint32_t left = 0;
  TSNode child;
  TSFieldId field = 0;
  while (heaplint_tree_walk_next(walk.get(), descend, &left, &child, &field)) {
    for (; left > 0; --left)
      leave();
    descend = enter(child, field);
  }
  for (; left > 0; --left)
    leave();
}

bool Walker::enter(TSNode node, TSFieldId field) {
  const Syntax& syntax = Syntax::instance();
  std::vector<Frame>& frames = context_.frames_;
  Frame frame;
  frame.node = node;
  frame.kind = syntax.kindOf(ts_node_symbol(frame.node));

  if (frames.empty()) {
    // The module.
    frame.inner_scope = semantic_.addScope(ScopeKind::Module, kNoScope, frame.node);
    frame.scope = frame.inner_scope;
    context_.executions_.push_back(
        ExecutionContext{frame.node, NodeKind::Module, frame.scope, 0, 0});
    frame.flags |= kOpensExecution;
    frames.push_back(frame);
    return true;
  }

  Frame& parent = frames.back();
  if (kParentsWithTrackedFields[static_cast<size_t>(parent.kind)]) {
    frame.field = syntax.fieldOf(field);
  }
  frame.scope = parent.scope;

  // Which scope do names in this node belong to?
  switch (parent.kind) {
    case NodeKind::FunctionDefinition:
    case NodeKind::Lambda:
      if (frame.field == Field::Parameters || frame.field == Field::Body) {
        frame.scope = parent.inner_scope;
      }
      break;
    case NodeKind::ClassDefinition:
      if (frame.field == Field::Body) frame.scope = parent.inner_scope;
      break;
    case NodeKind::ListComprehension:
    case NodeKind::SetComprehension:
    case NodeKind::DictionaryComprehension:
    case NodeKind::GeneratorExpression:
      frame.scope = parent.inner_scope;
      if (frame.kind == NodeKind::ForInClause && (parent.flags & kSeenForClause) == 0) {
        parent.flags |= kSeenForClause;
        frame.flags |= kFirstForClause;
      }
      break;
    case NodeKind::ForInClause:
      // The first iterable of a comprehension is evaluated once, in the enclosing scope.
      if (frame.field == Field::Right && (parent.flags & kFirstForClause) != 0) {
        frame.scope = frames[frames.size() - 2].scope;
        --frame.loop_delta;
      }
      break;
    case NodeKind::DefaultParameter:
    case NodeKind::TypedDefaultParameter:
    case NodeKind::TypedParameter:
      // Defaults and annotations are evaluated where the function is defined.
      if ((frame.field == Field::Value || frame.field == Field::TypeAnnotation ||
           frame.kind == NodeKind::Type) &&
          frames.size() >= 3) {
        frame.scope = frames[frames.size() - 3].scope;
      }
      break;
    default:
      break;
  }

  // Is this node a binding target, and of what kind?
  const auto startTarget = [&](BindingKind kind) {
    frame.flags |= kStore;
    frame.binding_kind = kind;
  };
  switch (parent.kind) {
    case NodeKind::Assignment:
      if (frame.field == Field::Left) {
        // `name: int` without a value only declares the name.
        const bool has_value = !ts_node_is_null(childByField(parent.node, Field::Right));
        startTarget(has_value ? BindingKind::Assignment : BindingKind::Annotation);
      }
      break;
    case NodeKind::AugmentedAssignment:
      if (frame.field == Field::Left) startTarget(BindingKind::AugmentedAssignment);
      break;
    case NodeKind::ForStatement:
      if (frame.field == Field::Left) startTarget(BindingKind::LoopTarget);
      break;
    case NodeKind::ForInClause:
      if (frame.field == Field::Left) startTarget(BindingKind::ComprehensionTarget);
      break;
    case NodeKind::NamedExpression:
      if (frame.field == Field::Name) startTarget(BindingKind::NamedExpression);
      break;
    case NodeKind::AsPatternTarget: {
      // `except E as name` is an as_pattern inside the except clause.
      const NodeKind clause = frames.size() >= 3 ? frames[frames.size() - 3].kind : NodeKind::Other;
      startTarget(clause == NodeKind::ExceptClause || clause == NodeKind::ExceptGroupClause
                      ? BindingKind::ExceptTarget
                      : BindingKind::WithTarget);
      break;
    }
    case NodeKind::ExceptClause:
    case NodeKind::ExceptGroupClause:
      if (frame.field == Field::Alias) startTarget(BindingKind::ExceptTarget);
      break;
    case NodeKind::Parameters:
    case NodeKind::LambdaParameters:
      frame.flags |= kParameter;
      break;
    default:
      // Only tuple/list structure passes the target on: in `a.b = 1` and `a[i] = 1` the attribute
      // and the subscript are stored to, and `a` is read.
      if ((parent.flags & kStore) != 0 && isTargetStructure(parent.kind) &&
          (isTargetStructure(frame.kind) || frame.kind == NodeKind::Identifier ||
           frame.kind == NodeKind::Attribute || frame.kind == NodeKind::Subscript)) {
        frame.flags |= kStore;
        frame.binding_kind = parent.binding_kind;
      }
      if ((parent.flags & kParameter) != 0 && isParameterWrapper(parent.kind) &&
          (isParameterWrapper(frame.kind) || frame.kind == NodeKind::Identifier) &&
          (frame.field == Field::None || frame.field == Field::Name)) {
        frame.flags |= kParameter;
      }
      break;
  }

  // Loops: a loop body and a while condition run repeatedly; so does all of a comprehension but
  // its first iterable.
  if ((parent.kind == NodeKind::ForStatement && frame.field == Field::Body) ||
      (parent.kind == NodeKind::WhileStatement &&
       (frame.field == Field::Body || frame.field == Field::Condition))) {
    ++frame.loop_delta;
  }
  if (isComprehension(frame.kind)) ++frame.loop_delta;
  ExecutionContext* execution = &context_.executions_.back();
  execution->loop_depth =
      static_cast<uint32_t>(static_cast<int32_t>(execution->loop_depth) + frame.loop_delta);
  if (frame.kind == NodeKind::FinallyClause) {
    ++execution->finally_depth;
    frame.flags |= kInFinally;
  }

  switch (frame.kind) {
    case NodeKind::Identifier:
      if ((frame.flags & kStore) != 0) {
        bindIdentifier(frame, frame.binding_kind);
      } else if ((frame.flags & kParameter) != 0) {
        bindIdentifier(frame, BindingKind::Parameter);
      } else if (isMatchCapture(frames, frame)) {
        bindIdentifier(frame, BindingKind::MatchCapture);
      } else if (name_uses_ != nullptr && readsVariable(frames, frame)) {
        name_uses_->push_back(NameUse{nodeText(source_.text(), frame.node), frame.scope,
                                      ts_node_start_byte(frame.node)});
      }
      break;
    case NodeKind::FunctionDefinition:
      bindDefinition(frame.node, BindingKind::FunctionDefinition, frame.scope);
      frame.inner_scope = semantic_.addScope(ScopeKind::Function, frame.scope, frame.node);
      break;
    case NodeKind::Lambda:
      frame.inner_scope = semantic_.addScope(ScopeKind::Lambda, frame.scope, frame.node);
      break;
    case NodeKind::ClassDefinition:
      bindDefinition(frame.node, BindingKind::ClassDefinition, frame.scope);
      frame.inner_scope = semantic_.addScope(ScopeKind::Class, frame.scope, frame.node);
      break;
    case NodeKind::ListComprehension:
    case NodeKind::SetComprehension:
    case NodeKind::DictionaryComprehension:
    case NodeKind::GeneratorExpression:
      frame.inner_scope = semantic_.addScope(ScopeKind::Comprehension, frame.scope, frame.node);
      break;
    case NodeKind::ImportStatement:
    case NodeKind::ImportFromStatement:
      bindImports(frame.node, frame.kind, frame.scope);
      break;
    case NodeKind::GlobalStatement:
      declareNames(frame.node, BindingKind::GlobalDeclaration, frame.scope);
      break;
    case NodeKind::NonlocalStatement:
      declareNames(frame.node, BindingKind::NonlocalDeclaration, frame.scope);
      break;
    case NodeKind::Comment: {
      // --ignore-noqa: no comment silences anything, so none is collected.
      if (context_.options().ignore_noqa) break;
      const NoqaComment comment =
          parseNoqaComment(nodeText(source_.text(), frame.node), context_.options().rules,
                           context_.options().settings->ruff_noqa_codes);
      if (comment.scope != NoqaComment::Scope::None || !comment.problem.empty()) {
        const uint32_t start = ts_node_start_byte(frame.node);
        noqa_.add(source_.rowOf(start), comment, start, source_.text());
      }
      break;
    }
    default:
      break;
  }

  // Entering the body of a function, lambda or class starts a new execution context.
  if (frame.field == Field::Body &&
      (parent.kind == NodeKind::FunctionDefinition || parent.kind == NodeKind::Lambda ||
       parent.kind == NodeKind::ClassDefinition)) {
    context_.executions_.push_back(ExecutionContext{parent.node, parent.kind, frame.scope, 0, 0});
    frame.flags |= kOpensExecution;
  }
  const bool pass_over =
      only_module_bindings_ && frame.field == Field::Body &&
      parent.kind == NodeKind::FunctionDefinition &&
      nodeText(source_.text(), frame.node).find("global") == std::string_view::npos;

  frames.push_back(frame);
  if (pass_over) return false;

  if (context_.calls_) context_.calls_->onNode(frame.node, frame.kind, context_);
  const auto& subscribers = subscribers_[static_cast<size_t>(frame.kind)];
  for (ActiveRule* rule : subscribers) {
    context_.current_rule_ = rule->definition;
    rule->checker->onNode(frame.node, frame.kind, context_);
  }
  context_.current_rule_ = nullptr;
  // A short string without interpolations holds only tokens: no need to visit them.
  if (frame.kind == NodeKind::String) {
    const uint32_t count = ts_node_child_count(frame.node);
    if (count > 3) return true;
    for (uint32_t i = 0; i < count; ++i) {
      if (kindOf(ts_node_child(frame.node, i)) == NodeKind::Interpolation) return true;
    }
    return false;
  }
  return true;
}

void Walker::leave() {
  std::vector<Frame>& frames = context_.frames_;
  const Frame& frame = frames.back();
  if ((frame.flags & kOpensExecution) != 0) {
    context_.executions_.pop_back();
  }
  if (!context_.executions_.empty()) {
    ExecutionContext& execution = context_.executions_.back();
    execution.loop_depth =
        static_cast<uint32_t>(static_cast<int32_t>(execution.loop_depth) - frame.loop_delta);
    if ((frame.flags & kInFinally) != 0) --execution.finally_depth;
  }
  frames.pop_back();
}

ScopeId Walker::bindingScopeFor(std::string_view name, ScopeId scope, bool& through_global) const {
  through_global = false;
  if (semantic_.scope(scope).kind == ScopeKind::Module) return scope;
  for (const auto& [declared_scope, declared_name] : global_declarations_) {
    if (declared_scope == scope && declared_name == name) {
      through_global = true;
      return 0;
    }
  }
  return scope;
}

void Walker::bindIdentifier(const Frame& frame, BindingKind kind) {
  const std::string_view name = nodeText(source_.text(), frame.node);
  ScopeId scope = frame.scope;
  if (kind == BindingKind::NamedExpression) {
    // An assignment expression in a comprehension binds in the enclosing function or module.
    while (semantic_.scope(scope).kind == ScopeKind::Comprehension &&
           semantic_.scope(scope).parent != kNoScope) {
      scope = semantic_.scope(scope).parent;
    }
  }
  bool through_global = false;
  scope = bindingScopeFor(name, scope, through_global);
  Binding binding;
  binding.name = name;
  binding.scope = scope;
  binding.kind = kind;
  binding.through_global = through_global;
  binding.offset = ts_node_start_byte(frame.node);
  binding.node = frame.node;
  semantic_.addBinding(binding);
}

void Walker::bindDefinition(TSNode definition, BindingKind kind, ScopeId scope) {
  const TSNode name = childByField(definition, Field::Name);
  if (ts_node_is_null(name)) return;
  const std::string_view text = nodeText(source_.text(), name);
  bool through_global = false;
  Binding binding;
  binding.name = text;
  binding.scope = bindingScopeFor(text, scope, through_global);
  binding.kind = kind;
  binding.through_global = through_global;
  binding.offset = ts_node_start_byte(name);
  binding.node = definition;
  semantic_.addBinding(binding);
}

void Walker::bindImports(TSNode statement, NodeKind kind, ScopeId scope) {
  const std::string_view text = source_.text();
  std::string module_prefix;
  if (kind == NodeKind::ImportFromStatement) {
    const TSNode module = childByField(statement, Field::ModuleName);
    if (ts_node_is_null(module)) return;
    module_prefix = compactDottedName(nodeText(text, module));
    if (!module_prefix.empty() && module_prefix.back() != '.') module_prefix += '.';
  }
  const uint32_t count = ts_node_named_child_count(statement);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = ts_node_named_child(statement, i);
    const NodeKind child_kind = kindOf(child);
    if (child_kind == NodeKind::WildcardImport) {
      // `module_prefix` is "os.path." here; a relative module is one heaplint does not know.
      const std::string_view module =
          std::string_view(module_prefix)
              .substr(0, module_prefix.empty() ? 0 : module_prefix.size() - 1);
      semantic_.noteStarImport(StarImport{ts_node_start_byte(child), knownStarModule(module)});
      continue;
    }
    if (kind == NodeKind::ImportFromStatement &&
        ts_node_eq(child, childByField(statement, Field::ModuleName))) {
      continue;
    }
    TSNode dotted{};
    TSNode alias{};
    if (child_kind == NodeKind::AliasedImport) {
      dotted = childByField(child, Field::Name);
      alias = childByField(child, Field::Alias);
    } else if (child_kind == NodeKind::DottedName) {
      dotted = child;
    } else {
      continue;
    }
    if (ts_node_is_null(dotted)) continue;
    const std::string full = compactDottedName(nodeText(text, dotted));
    Binding binding;
    binding.scope = scope;
    binding.node = child;
    if (kind == NodeKind::ImportStatement) {
      binding.kind = BindingKind::Import;
      if (!ts_node_is_null(alias)) {
        binding.name = nodeText(text, alias);
        binding.offset = ts_node_start_byte(alias);
        bool through_global = false;
        binding.scope = bindingScopeFor(binding.name, scope, through_global);
        binding.through_global = through_global;
        semantic_.addImportBinding(binding, full);
      } else {
        // `import a.b.c` binds `a`.
        const TSNode head = ts_node_named_child(dotted, 0);
        binding.name = nodeText(text, head);
        binding.offset = ts_node_start_byte(head);
        bool through_global = false;
        binding.scope = bindingScopeFor(binding.name, scope, through_global);
        binding.through_global = through_global;
        semantic_.addImportBinding(binding, std::string(binding.name));
      }
    } else {
      binding.kind = BindingKind::FromImport;
      const TSNode bound = ts_node_is_null(alias) ? dotted : alias;
      binding.name = nodeText(text, bound);
      binding.offset = ts_node_start_byte(bound);
      bool through_global = false;
      binding.scope = bindingScopeFor(binding.name, scope, through_global);
      binding.through_global = through_global;
      semantic_.addImportBinding(binding, module_prefix + full);
    }
  }
}

void Walker::declareNames(TSNode statement, BindingKind kind, ScopeId scope) {
  const uint32_t count = ts_node_named_child_count(statement);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = ts_node_named_child(statement, i);
    if (kindOf(child) != NodeKind::Identifier) continue;
    Binding binding;
    binding.name = nodeText(source_.text(), child);
    binding.scope = scope;
    binding.kind = kind;
    binding.offset = ts_node_start_byte(child);
    binding.node = child;
    semantic_.addBinding(binding);
    if (kind == BindingKind::GlobalDeclaration) {
      global_declarations_.emplace_back(scope, binding.name);
    }
  }
}

}  // namespace heaplint
