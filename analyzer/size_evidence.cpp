#include "analyzer/size_evidence.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/concat.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

// Names follow bindings and wrappers; real code nests a few levels, generated code may not.
constexpr int kMaxDepth = 12;

// Parameter names that hold configuration rather than data.
constexpr std::array<std::string_view, 6> kConfigurationParameters = {
    "argv", "options", "opts", "config", "settings", "conf",
};

// A count the code writes as a literal this large is many items (a benchmark's million rows, a
// simulation's steps), not a handful: a list of them holds megabytes.
constexpr int64_t kManyItems = 100'000;
// Constant arithmetic stops being exact here, far above any count that matters: past it a value
// is only known to be at least this large.
constexpr int64_t kHugeCount = int64_t{1} << 50;

// The value of a constant integer expression: exact, or (at_least) only known to be at least
// kHugeCount, its `value` then.
struct Constant {
  int64_t value = 0;
  bool at_least = false;
};

Constant exactOrHuge(int64_t value) {
  return value > kHugeCount ? Constant{kHugeCount, true} : Constant{value, false};
}

// The value of an integer literal (`1_000_000`, `0x10`).
std::optional<Constant> integerLiteral(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0') {
    const char prefix = static_cast<char>(text[1] | 0x20);
    base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : prefix == 'b' ? 2 : 10;
    if (base != 10) text.remove_prefix(2);
  }
  int64_t value = 0;
  bool digits = false;
  for (const char c : text) {
    if (c == '_') continue;
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
      digit = (c | 0x20) - 'a' + 10;
    } else {
      return std::nullopt;  // `10L` (Python 2), `1j`
    }
    if (digit >= base) return std::nullopt;
    digits = true;
    value = std::min(kHugeCount + 1, value * base + digit);  // past kHugeCount: at least that
  }
  if (!digits) return std::nullopt;
  return exactOrHuge(value);
}

// `left op right` on exact values; none where Python would raise, for an operator that is not
// arithmetic, or for a result too far below zero to be exact.
std::optional<Constant> exactOperation(std::string_view op, int64_t left, int64_t right) {
  int64_t result = 0;
  bool overflow = false;
  if (op == "+") {
    overflow = __builtin_add_overflow(left, right, &result);
  } else if (op == "-") {
    overflow = __builtin_sub_overflow(left, right, &result);
  } else if (op == "*") {
    overflow = __builtin_mul_overflow(left, right, &result);
  } else if (op == "//" && right > 0 && left >= 0) {
    result = left / right;
  } else if (op == "**" && right >= 0) {
    // Bases of 0, 1 and -1 stay small whatever the exponent; any other passes kHugeCount within
    // 51 steps.
    if (left == 0 || left == 1) return Constant{right == 0 ? 1 : left, false};
    if (left == -1) return Constant{right % 2 == 0 ? 1 : -1, false};
    const bool negative = left < 0 && right % 2 == 1;
    result = 1;
    for (int64_t i = 0; i < right; ++i) {
      if (__builtin_mul_overflow(result, left, &result) || result > kHugeCount ||
          result < -kHugeCount) {
        return negative ? std::nullopt : std::optional<Constant>(Constant{kHugeCount, true});
      }
    }
  } else {
    return std::nullopt;
  }
  // Operands are within kHugeCount, so only a product can pass int64_t.
  if (overflow) {
    const bool positive = (left < 0) == (right < 0);
    return positive ? std::optional<Constant>(Constant{kHugeCount, true}) : std::nullopt;
  }
  if (result < -kHugeCount) return std::nullopt;
  return exactOrHuge(result);
}

// The value of a constant integer expression (`10**6`, `1000 * 1000`, `-1`, a name bound once
// to one); none for anything else, or where a value only known to be huge makes the result
// unknown (`10**20 - 10**20`).
std::optional<Constant> constantInteger(const RuleContext& context, ScopeId scope, TSNode node,
                                        int depth = 0) {
  if (depth > kMaxDepth || ts_node_is_null(node)) return std::nullopt;
  switch (kindOf(node)) {
    case NodeKind::Integer:
      return integerLiteral(context.text(node));
    case NodeKind::Identifier: {
      const Resolution resolution =
          context.semantic().resolve(scope, context.text(node), ts_node_start_byte(node));
      if (resolution.kind != Resolution::Kind::Bound ||
          resolution.binding->kind != BindingKind::Assignment) {
        return std::nullopt;
      }
      ScopeId value_scope = kNoScope;
      const TSNode value = singleAssignedValue(context, *resolution.binding, &value_scope);
      return constantInteger(context, value_scope, value, depth + 1);
    }
    case NodeKind::ParenthesizedExpression:
      return constantInteger(context, scope, nthNamedChild(node, 0), depth + 1);
    case NodeKind::UnaryOperator: {
      const std::optional<Constant> value =
          constantInteger(context, scope, childByField(node, Field::Argument), depth + 1);
      if (!value) return std::nullopt;
      const std::string_view op = context.text(childByField(node, Field::Operator));
      if (op == "+") return value;
      if (op == "-" && !value->at_least) return Constant{-value->value, false};
      return std::nullopt;
    }
    case NodeKind::BinaryOperator: {
      const std::optional<Constant> left =
          constantInteger(context, scope, childByField(node, Field::Left), depth + 1);
      const std::optional<Constant> right =
          constantInteger(context, scope, childByField(node, Field::Right), depth + 1);
      if (!left || !right) return std::nullopt;
      const std::string_view op = context.text(childByField(node, Field::Operator));
      if (!left->at_least && !right->at_least) return exactOperation(op, left->value, right->value);
      // A huge operand keeps the result huge only where the operation cannot shrink it.
      const auto atLeast = [](const Constant& c, int64_t bound) {
        return c.at_least || c.value >= bound;
      };
      const bool stays_huge = (op == "+" && atLeast(*left, 0) && atLeast(*right, 0)) ||
                              (op == "*" && atLeast(*left, 1) && atLeast(*right, 1)) ||
                              (op == "**" && atLeast(*left, 2) && atLeast(*right, 1));
      if (stays_huge) return Constant{kHugeCount, true};
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::string groupedDigits(int64_t value) {
  const std::string digits = std::to_string(value);
  std::string text;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return text;
}

// "1,000,000 items", or "at least ..." for a lower bound.
std::string itemsText(int64_t items, bool at_least) {
  return (at_least ? "at least " : "") + groupedDigits(items) + (items == 1 ? " item" : " items");
}

SizeEvidence evidence(Size size, std::string reason) {
  return SizeEvidence{size, std::move(reason)};
}

// A count the code writes: data when it is large.
SizeEvidence writtenCount(Size size, std::string reason) {
  SizeEvidence result{size, std::move(reason)};
  result.written_in_code = size == Size::Data;
  return result;
}

// The larger of two sizes, where an unknown part makes the whole unknown unless the other part
// already says data.
SizeEvidence larger(const SizeEvidence& a, const SizeEvidence& b) {
  const auto rank = [](Size size) {
    switch (size) {
      case Size::Data:
        return 3;
      case Size::Unknown:
        return 2;
      case Size::Configuration:
        return 1;
      case Size::Small:
        return 0;
    }
    return 2;
  };
  SizeEvidence result = rank(a.size) >= rank(b.size) ? a : b;
  result.written_items = 0;  // the count of one part is not the count of the whole
  // Data on both sides: a count the code writes only when both are (`range(10**6) if full else
  // lines` may be the lines).
  if (a.size == Size::Data && b.size == Size::Data) {
    result.written_in_code = a.written_in_code && b.written_in_code;
  }
  return result;
}

std::string shortText(const RuleContext& context, TSNode node) {
  const std::string_view text = context.text(node);
  const size_t cut = std::min<size_t>(text.find('\n'), 40);
  if (cut < text.size()) return concat("`", text.substr(0, cut), "...`");
  return concat("`", text, "`");
}

// `i % K == c` (either way round), with `i` the name `target` and K and c integer literals: the
// divisor K; 0 for any other condition.
int64_t everyKth(const RuleContext& context, TSNode condition, std::string_view target) {
  condition = unparenthesized(condition);
  if (kindOf(condition) != NodeKind::ComparisonOperator ||
      !hasNamedChildrenSkippingExtras(condition, 2)) {
    return 0;
  }
  const TSNode left = nthNamedChildSkippingExtras(condition, 0);
  const TSNode right = nthNamedChildSkippingExtras(condition, 1);
  const std::string_view between = context.source().text().substr(
      ts_node_end_byte(left), ts_node_start_byte(right) - ts_node_end_byte(left));
  if (between.find("==") == std::string_view::npos ||
      between.find_first_not_of(" \t=") != std::string_view::npos) {
    return 0;
  }
  const auto divisor = [&](TSNode remainder, TSNode other) -> int64_t {
    remainder = unparenthesized(remainder);
    if (kindOf(other) != NodeKind::Integer || kindOf(remainder) != NodeKind::BinaryOperator ||
        context.text(childByField(remainder, Field::Operator)) != "%" ||
        context.text(childByField(remainder, Field::Left)) != target) {
      return 0;
    }
    const TSNode by = childByField(remainder, Field::Right);
    if (kindOf(by) != NodeKind::Integer ||
        kindOf(childByField(remainder, Field::Left)) != NodeKind::Identifier) {
      return 0;
    }
    const std::optional<Constant> value = integerLiteral(context.text(by));
    return value && !value->at_least && value->value > 1 ? value->value : 0;
  };
  const int64_t found = divisor(left, right);
  return found != 0 ? found : divisor(right, left);
}

class SizeFinder {
 public:
  explicit SizeFinder(const RuleContext& context)
      : context_(context), library_(context.options().settings->libraries) {}

  SizeEvidence iterable(ScopeId scope, TSNode node, int depth) const {
    if (depth > kMaxDepth || ts_node_is_null(node)) return {};
    switch (kindOf(node)) {
      case NodeKind::ParenthesizedExpression:
        return iterable(scope, nthNamedChild(node, 0), depth + 1);
      case NodeKind::List:
      case NodeKind::Tuple:
      case NodeKind::Set:
      case NodeKind::Dictionary:
      case NodeKind::ExpressionList:
        return literal(scope, node, depth);
      case NodeKind::String:
      case NodeKind::ConcatenatedString:
        // An f-string with fields holds whatever they return.
        if (!writtenString(node)) return {};
        return evidence(Size::Small, "a string literal");
      case NodeKind::ListComprehension:
      case NodeKind::SetComprehension:
      case NodeKind::DictionaryComprehension: {
        // The whole result is in memory once made (`sizes = [size(f) for f in files]`).
        SizeEvidence result = comprehension(scope, node, depth);
        result.in_memory = result.size != Size::Unknown;
        return result;
      }
      case NodeKind::GeneratorExpression: {
        // Made one item at a time, from items it may transform; when it only filters the items
        // of a list in memory (`(n for n in names if n)`), those items are in memory already.
        SizeEvidence result = comprehension(scope, node, depth);
        result.in_memory = result.in_memory && keepsTheWalkedItems(context_, node);
        return result;
      }
      case NodeKind::Call:
        return call(scope, node, depth);
      case NodeKind::Identifier:
        return nameSize(scope, node, depth);
      case NodeKind::Attribute:
        return attribute(scope, node, depth);
      case NodeKind::Subscript:
        return subscript(scope, node, depth);
      case NodeKind::BinaryOperator:
        return larger(iterable(scope, childByField(node, Field::Left), depth + 1),
                      iterable(scope, childByField(node, Field::Right), depth + 1));
      case NodeKind::ConditionalExpression:
        return larger(iterable(scope, nthNamedChild(node, 0), depth + 1),
                      iterable(scope, nthNamedChild(node, 2), depth + 1));
      default:
        return {};
    }
  }

  SizeEvidence countOf(ScopeId scope, TSNode node, int depth) const {
    if (depth > kMaxDepth || ts_node_is_null(node)) return {};
    switch (kindOf(node)) {
      case NodeKind::Integer: {
        const std::optional<Constant> value = integerLiteral(context_.text(node));
        if (value && value->value >= kManyItems) {
          return writtenCount(Size::Data, "a count of " + itemsText(value->value, value->at_least) +
                                              " written in the code");
        }
        return evidence(Size::Small, "a literal count");
      }
      case NodeKind::ParenthesizedExpression:
        return countOf(scope, firstNamedChildSkippingExtras(node), depth + 1);
      case NodeKind::UnaryOperator:
        return countOf(scope, childByField(node, Field::Argument), depth + 1);
      case NodeKind::BinaryOperator: {
        const TSNode left = childByField(node, Field::Left);
        const TSNode right = childByField(node, Field::Right);
        const std::string_view op = context_.text(childByField(node, Field::Operator));
        // A large literal makes a count large only by adding or multiplying: it bounds or
        // shrinks one otherwise (`n // 1_000_000`, `i % 100_000`).
        const bool grows = op == "+" || op == "*";
        const auto operand = [&](TSNode side) {
          if (!grows && kindOf(side) == NodeKind::Integer) {
            return evidence(Size::Small, "a literal count");
          }
          return countOf(scope, side, depth + 1);
        };
        return larger(operand(left), operand(right));
      }
      case NodeKind::Call: {
        const TSNode function = childByField(node, Field::Function);
        if (qualified(scope, function) == "builtins.len") {
          return iterable(scope,
                          firstNamedChildSkippingExtras(childByField(node, Field::Arguments)),
                          depth + 1);
        }
        return {};
      }
      case NodeKind::Identifier:
      case NodeKind::Attribute: {
        // A count is data when it comes from a public function's caller, a constant when it is
        // written in the code.
        SizeEvidence named = kindOf(node) == NodeKind::Identifier ? nameSize(scope, node, depth)
                                                                  : attribute(scope, node, depth);
        return named;
      }
      default:
        return {};
    }
  }

 private:
  std::string qualified(ScopeId scope, TSNode expression) const {
    std::string name = context_.semantic().qualifiedName(scope, expression);
    if (name.empty() && kindOf(expression) == NodeKind::Identifier) {
      const std::string_view text = context_.text(expression);
      if (SemanticModel::isBuiltinName(text) &&
          context_.semantic().resolve(scope, text, ts_node_start_byte(expression)).kind ==
              Resolution::Kind::StarImported) {
        name = "builtins." + std::string(text);
      }
    }
    return name;
  }

  SizeEvidence literal(ScopeId scope, TSNode node, int depth) const {
    const uint32_t count = namedChildCount(node);
    uint32_t items = 0;
    SizeEvidence result = evidence(Size::Small, "");
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode element = nthNamedChild(node, i);
      const NodeKind kind = kindOf(element);
      if (kind == NodeKind::Comment) continue;
      if (kind == NodeKind::ListSplat || kind == NodeKind::DictionarySplat) {
        result = larger(result, iterable(scope, nthNamedChild(element, 0), depth + 1));
        continue;
      }
      ++items;
    }
    if (result.size == Size::Small) {
      result.reason = "a literal of " + std::to_string(items) + (items == 1 ? " item" : " items");
    }
    return result;
  }

  // What yields new objects for the items it walks (pairs, mapped values, parts of a string) is
  // not the walked list in memory, however large.
  static SizeEvidence madeAnew(SizeEvidence walked) {
    walked.in_memory = false;
    walked.written_items = 0;  // no longer the range's own integers: `i % K` says nothing
    return walked;
  }

  // A comprehension evaluated in `scope`: its first `for` clause decides, nested clauses can
  // only make it larger.
  SizeEvidence comprehension(ScopeId scope, TSNode node, int depth) const {
    SizeEvidence result;
    bool first = true;
    ScopeId inner = kNoScope;
    uint32_t clauses = 0;
    TSNode target{};
    const uint32_t count = namedChildCount(node);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode clause = nthNamedChild(node, i);
      if (kindOf(clause) != NodeKind::ForInClause) continue;
      ++clauses;
      target = childByField(clause, Field::Left);
      // The first iterable is evaluated outside the comprehension, the others inside it.
      if (!first && inner == kNoScope) inner = comprehensionScope(scope, node);
      const SizeEvidence part =
          iterable(first ? scope : inner, childByField(clause, Field::Right), depth + 1);
      result = first ? part : larger(result, part);
      first = false;
    }
    result = keptSize(context_, node, result);
    // The range's own integers only when each item is the lone `for` target (`i for i in ...`):
    // `i * 100_000 for i in range(N)` makes other integers, `i % K` says nothing of them.
    const TSNode element = unparenthesized(childByField(node, Field::Body));
    if (clauses != 1 || kindOf(target) != NodeKind::Identifier ||
        kindOf(element) != NodeKind::Identifier ||
        context_.text(element) != context_.text(target)) {
      result.written_items = 0;
    }
    return result;
  }

  ScopeId comprehensionScope(ScopeId parent, TSNode comprehension) const {
    const SemanticModel& semantic = context_.semantic();
    for (ScopeId id = parent + 1; id < semantic.scopeCount(); ++id) {
      const Scope& scope = semantic.scope(id);
      if (scope.parent == parent && ts_node_eq(scope.node, comprehension)) return id;
    }
    return parent;
  }

  SizeEvidence call(ScopeId scope, TSNode node, int depth) const {
    const TSNode function = childByField(node, Field::Function);
    const TSNode arguments = childByField(node, Field::Arguments);
    const std::string callee = qualified(scope, function);
    std::vector<TSNode> positional;
    const uint32_t count = namedChildCount(arguments);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode argument = nthNamedChild(arguments, i);
      const NodeKind kind = kindOf(argument);
      if (kind != NodeKind::Comment && kind != NodeKind::KeywordArgument) {
        positional.push_back(argument);
      }
    }
    if (callee == "builtins.range") return range(scope, positional, depth);
    if (callee == "builtins.enumerate") {
      // New pairs, one an item.
      if (positional.empty()) return evidence(Size::Small, "an empty collection");
      return madeAnew(iterable(scope, positional.front(), depth + 1));
    }
    if (callee == "builtins.reversed" || callee == "builtins.sorted" || callee == "builtins.list" ||
        callee == "builtins.tuple" || callee == "builtins.set" || callee == "builtins.frozenset" ||
        callee == "builtins.iter" || callee == "builtins.dict" || callee == "collections.deque" ||
        callee == "itertools.chain.from_iterable") {
      if (positional.empty()) return evidence(Size::Small, "an empty collection");
      return iterable(scope, positional.front(), depth + 1);
    }
    if (callee == "builtins.filter" || callee == "builtins.map") {
      if (positional.size() < 2) return {};
      const SizeEvidence walked = iterable(scope, positional[1], depth + 1);
      return callee == "builtins.map" ? madeAnew(walked) : keptSize(context_, node, walked);
    }
    if (callee == "builtins.zip" || callee == "itertools.chain" || callee == "itertools.product") {
      // zip stops at its shortest argument; chain and product are at least their longest.
      SizeEvidence result;
      bool every_part_written = true;
      bool some_part_unknown = false;
      std::optional<SizeEvidence> configuration;
      std::optional<SizeEvidence> unwritten_data;
      for (size_t i = 0; i < positional.size(); ++i) {
        SizeEvidence part = iterable(scope, positional[i], depth + 1);
        if (callee == "builtins.zip" && part.size == Size::Small) return part;
        if (part.size == Size::Configuration && !configuration) configuration = part;
        if (part.size == Size::Data && !part.written_in_code && !unwritten_data) {
          unwritten_data = part;
        }
        some_part_unknown = some_part_unknown || part.size == Size::Unknown;
        if (part.size == Size::Data)
          every_part_written = every_part_written && part.written_in_code;
        result = i == 0 ? part : larger(result, part);
      }
      if (callee == "builtins.zip") {
        // zip yields as many as its smallest part: beside configuration, configuration
        // (`zip(range(10**6), sys.argv)`); a count written in the code only caps what the other
        // parts yield, so beside a part nothing sizes (`zip(range(10**6), header)`), nothing
        // says.
        if (configuration) return *configuration;
        if (some_part_unknown && every_part_written) return {};
        // Beside data nothing writes the count of (`zip(range(10**6), names)`), that data.
        if (unwritten_data) return madeAnew(*unwritten_data);
        // A count written beside other data only caps what zip yields (`zip(range(10**6),
        // lines)` yields as many as there are lines): it is a count the code writes only when
        // every part is.
        result.written_in_code = result.size == Size::Data && every_part_written;
      }
      return callee == "itertools.chain" ? result : madeAnew(result);
    }
    if (callee == "itertools.islice" && positional.size() >= 2) {
      const SizeEvidence bound = countOf(scope, positional.back(), depth + 1);
      if (bound.size == Size::Small) return evidence(Size::Small, "a slice of literal bounds");
      return iterable(scope, positional.front(), depth + 1);
    }
    if (const std::optional<SizeEvidence> few = fewItemsSource(scope, callee, positional, depth)) {
      return *few;
    }
    // A glob of the module's own folder: no `recursive=` nor `**kwargs` (which may hold it); the
    // pattern's parts are string literals without `**` (belowLiteral).
    const bool globs = callee == "glob.glob" || callee == "glob.iglob";
    if ((callee == "os.listdir" || callee == "os.scandir" || globs) && !positional.empty() &&
        !(globs && (context_.text(positional.front()).find("**") != std::string_view::npos ||
                    hasDictionarySplat(arguments) ||
                    !ts_node_is_null(keywordArgumentValue(context_, arguments, "recursive")))) &&
        inOwnFolder(scope, positional.front(), depth + 1)) {
      return evidence(Size::Small, "the files of the module's own folder");
    }
    if (library_.isDataSource(callee)) {
      const std::string_view shown =
          callee.starts_with("builtins.") ? std::string_view(callee).substr(9) : callee;
      SizeEvidence result = evidence(Size::Data, "the result of `" + std::string(shown) + "()`");
      result.in_memory = LibraryKnowledge::isMaterializedDataSource(callee);
      return result;
    }
    if (library_.isConfigurationSource(callee)) {
      return evidence(Size::Configuration, "configuration (`" + callee + "()`)");
    }
    if (kindOf(function) == NodeKind::Attribute) {
      const TSNode object = childByField(function, Field::Object);
      const std::string_view method = context_.text(childByField(function, Field::AttributeName));
      if (const std::optional<SizeEvidence> few = fewRows(scope, object, method, positional)) {
        return *few;
      }
      // `.glob("*.json")`: a pattern written as a string literal without `**`, no `**kwargs`.
      if ((method == "iterdir" ||
           (method == "glob" && !positional.empty() && hasOwnFolderPattern(positional.front()) &&
            !hasDictionarySplat(arguments))) &&
          inOwnFolder(scope, object, depth + 1)) {
        return evidence(Size::Small, "the files of the module's own folder");
      }
      if (library_.isDataSource("*." + std::string(method))) {
        SizeEvidence result =
            evidence(Size::Data, "the result of `." + std::string(method) + "()`");
        result.in_memory = LibraryKnowledge::isMaterializedDataSource("*." + std::string(method));
        return result;
      }
      if (library_.isConfigurationSource("*." + std::string(method))) {
        return evidence(Size::Configuration, "configuration (`." + std::string(method) + "()`)");
      }
      if (method == "keys" || method == "values" || method == "copy") {
        return iterable(scope, object, depth + 1);
      }
      if (method == "items") return madeAnew(iterable(scope, object, depth + 1));
      if (method == "split" || method == "rsplit" || method == "splitlines") {
        SizeEvidence text = iterable(scope, object, depth + 1);
        if (text.size == Size::Small) return evidence(Size::Small, "the parts of a literal");
        return madeAnew(text);
      }
      switch (queryChain(node)) {
        case Query::Rows:
          return evidence(Size::Data, "the rows of a query");
        case Query::ByKey:
          return evidence(Size::Small, "the rows of a query by primary key");
        case Query::None:
          break;
      }
    }
    return {};
  }

  // A string written whole in the code: a literal, or literals side by side, with no
  // replacement field (`f"{payload.read()}"` holds whatever the call returns).
  static bool writtenString(TSNode node) {
    const NodeKind kind = kindOf(node);
    if (kind == NodeKind::ConcatenatedString) {
      for (uint32_t i = 0, count = namedChildCount(node); i < count; ++i) {
        const TSNode part = nthNamedChild(node, i);
        if (kindOf(part) != NodeKind::Comment && !writtenString(part)) return false;
      }
      return true;
    }
    if (kind != NodeKind::String) return false;
    for (uint32_t i = 0, count = namedChildCount(node); i < count; ++i) {
      if (kindOf(nthNamedChild(node, i)) == NodeKind::Interpolation) return false;
    }
    return true;
  }

  // System files of a few lines, by an allow-list: `/proc/cpuinfo`, `/proc/meminfo`,
  // `/proc/loadavg`, `/proc/uptime`, `/proc/version`, `/proc/mounts`, `/proc/self/status`,
  // `/proc/self/cgroup`, `/proc/self/mounts`, `/proc/self/limits`, `/proc/self/cmdline`,
  // `/proc/self/stat`, `/proc/self/statm`, `/etc/hostname`, `/etc/os-release`,
  // `/etc/lsb-release`, `/etc/resolv.conf`, `/etc/timezone`, `/etc/machine-id`, `/etc/fstab`,
  // and the one-value files below `/proc/sys/`, `/sys/class/`, `/sys/block/` and
  // `/sys/devices/system/cpu/`. Never a path with a `..` segment (`/etc/../var/log/syslog`).
  static bool smallSystemFile(std::string_view path) {
    if (path.find("/..") != std::string_view::npos) return false;
    for (const std::string_view file :
         {"/proc/cpuinfo",     "/proc/meminfo",     "/proc/loadavg",      "/proc/uptime",
          "/proc/version",     "/proc/mounts",      "/proc/self/status",  "/proc/self/cgroup",
          "/proc/self/mounts", "/proc/self/limits", "/proc/self/cmdline", "/proc/self/stat",
          "/proc/self/statm",  "/etc/hostname",     "/etc/os-release",    "/etc/lsb-release",
          "/etc/resolv.conf",  "/etc/timezone",     "/etc/machine-id",    "/etc/fstab"}) {
      if (path == file) return true;
    }
    return smallSystemFolder(path) || below(path, "/proc/sys/");
  }

  // Folders of a few entries: below `/sys/class/`, `/sys/block/`, `/sys/devices/system/cpu/` (not
  // these folders themselves).
  static bool smallSystemFolder(std::string_view path) {
    if (path.find("/..") != std::string_view::npos) return false;
    return below(path, "/sys/class/") || below(path, "/sys/block/") ||
           below(path, "/sys/devices/system/cpu/");
  }

  // A path strictly below the folder `folder` (written with its trailing slash).
  static bool below(std::string_view path, std::string_view folder) {
    return path.starts_with(folder) &&
           path.find_first_not_of('/', folder.size()) != std::string_view::npos;
  }

  // Sources that the code's own arguments make small or configuration, though the function
  // usually reads data: `csv.reader([line])` (the rows of a literal), `csv.reader(io.StringIO(
  // HEADER))` (a string written in the code, no f-string field), a short system file or folder
  // (smallSystemFile, smallSystemFolder), `json.loads` of a string literal (small) or of an
  // environment variable (configuration).
  std::optional<SizeEvidence> fewItemsSource(ScopeId scope, const std::string& callee,
                                             const std::vector<TSNode>& positional,
                                             int depth) const {
    if (positional.empty()) return std::nullopt;
    const TSNode first = unparenthesized(positional.front());
    const NodeKind kind = kindOf(first);
    if (callee == "csv.reader" || callee == "csv.DictReader" || callee == "io.StringIO" ||
        callee == "io.BytesIO") {
      const bool written = kind == NodeKind::List || kind == NodeKind::Tuple ||
                           writtenString(first) || kind == NodeKind::Identifier ||
                           kind == NodeKind::Call;
      const SizeEvidence inner = written ? iterable(scope, first, depth + 1) : SizeEvidence{};
      if (inner.size == Size::Small) {
        return evidence(
            Size::Small,
            (callee.starts_with("io.") ? "the lines of " : "the rows of ") + inner.reason);
      }
      return std::nullopt;
    }
    const bool opens = callee == "builtins.open" || callee == "io.open";
    const bool lists = callee == "os.listdir" || callee == "os.scandir";
    if ((opens || lists) && writtenString(first) && kind == NodeKind::String) {
      std::string_view path = context_.text(first);
      path.remove_prefix(std::min(path.find_first_of("'\""), path.size()));
      path.remove_prefix(std::min<size_t>(path.find_first_not_of("'\""), path.size()));
      path = path.substr(0, path.find_first_of("'\""));
      if (opens ? smallSystemFile(path) : smallSystemFolder(path)) {
        return evidence(Size::Small, (opens ? "the system file " : "the system folder ") +
                                         shortText(context_, first));
      }
      return std::nullopt;
    }
    if (callee == "json.loads") {
      if (writtenString(first)) {
        return evidence(Size::Small, "JSON written in the code");
      }
      const TSNode source = kind == NodeKind::Call        ? childByField(first, Field::Function)
                            : kind == NodeKind::Subscript ? childByField(first, Field::Value)
                                                          : TSNode{};
      const std::string read = ts_node_is_null(source) ? std::string() : qualified(scope, source);
      if ((kind == NodeKind::Call && (read == "os.environ.get" || read == "os.getenv")) ||
          (kind == NodeKind::Subscript && read == "os.environ")) {
        return evidence(Size::Configuration, "configuration (JSON of an environment variable)");
      }
    }
    return std::nullopt;
  }

  // Rows of a query that returns a handful: `cursor.fetchmany(10)` (a literal count below
  // 100,000), or `conn.execute(sql)` and `cursor.fetchall()` of a cursor bound once to
  // `conn.execute(sql)`, where the SQL written is a small `PRAGMA` or one `SELECT` that
  // aggregates or reads a small `pragma_...` table (fewRowsQuery).
  std::optional<SizeEvidence> fewRows(ScopeId scope, TSNode object, std::string_view method,
                                      const std::vector<TSNode>& positional) const {
    if (method == "fetchmany") {
      if (positional.size() == 1 && kindOf(positional.front()) == NodeKind::Integer &&
          isFewItemsLiteral(context_.text(positional.front()))) {
        return evidence(Size::Small,
                        "`fetchmany(" + std::string(context_.text(positional.front())) + ")` rows");
      }
      return std::nullopt;
    }
    TSNode query{};
    if (method == "execute" && !positional.empty()) {
      query = positional.front();
    } else if (method == "fetchall" && kindOf(object) == NodeKind::Identifier) {
      query = executedQuery(scope, object);
    }
    if (kindOf(query) != NodeKind::String || !fewRowsQuery(context_.text(query))) {
      return std::nullopt;
    }
    return evidence(Size::Small, "the rows of an aggregate or `PRAGMA` query");
  }

  // The SQL that the cursor `name` runs: its only binding is `name = conn.execute(sql)`. (A
  // cursor from `conn.cursor()` is not followed to its `execute` calls.)
  TSNode executedQuery(ScopeId scope, TSNode name) const {
    const Resolution resolution =
        context_.semantic().resolve(scope, context_.text(name), ts_node_start_byte(name));
    if (resolution.kind != Resolution::Kind::Bound ||
        resolution.binding->kind != BindingKind::Assignment) {
      return TSNode{};
    }
    const TSNode value = singleAssignedValue(context_, *resolution.binding);
    if (kindOf(value) != NodeKind::Call) return TSNode{};
    const TSNode function = childByField(value, Field::Function);
    if (kindOf(function) != NodeKind::Attribute) return TSNode{};
    const std::string_view made = context_.text(childByField(function, Field::AttributeName));
    if (made == "execute") {
      return firstNamedChildSkippingExtras(childByField(value, Field::Arguments));
    }
    return TSNode{};
  }

  // `PRAGMA`s (and `pragma_...` tables) that return a row per column, index, database or
  // setting: a handful. Not `foreign_key_check`, `integrity_check` and the like (a row per
  // problem found).
  static bool smallPragma(std::string_view name) {
    for (const std::string_view small :
         {"TABLE_INFO",   "TABLE_XINFO",      "TABLE_LIST",     "INDEX_LIST",     "INDEX_INFO",
          "INDEX_XINFO",  "FOREIGN_KEY_LIST", "DATABASE_LIST",  "COLLATION_LIST", "COMPILE_OPTIONS",
          "USER_VERSION", "SCHEMA_VERSION",   "APPLICATION_ID", "JOURNAL_MODE",   "PAGE_SIZE",
          "PAGE_COUNT",   "FREELIST_COUNT",   "ENCODING",       "FOREIGN_KEYS",   "SYNCHRONOUS",
          "CACHE_SIZE",   "AUTO_VACUUM",      "BUSY_TIMEOUT",   "DATA_VERSION"}) {
      if (name == small) return true;
    }
    return false;
  }

  static constexpr size_t kMaxQueryText = 4096;

  static bool sqlWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
  }

  // Whether SQL text (a string literal, as written: no concatenation, and an f-string only for a
  // `PRAGMA` whose name is written) returns a handful of rows: a `PRAGMA` of smallPragma, or one
  // `SELECT` (no subquery, no `UNION`) with no `GROUP BY`, `HAVING` nor window (`OVER`) whose
  // column list (up to its `FROM` outside parentheses) calls an aggregate (`COUNT(`, `SUM(`,
  // `AVG(`, `TOTAL(`, `GROUP_CONCAT(`, and `MIN(`/`MAX(` of one argument, matched as whole words),
  // or whose only table is a `pragma_...` table of smallPragma.
  static bool fewRowsQuery(std::string_view literal) {
    // A handful's query is short: a longer literal stays reported, before any copy is made.
    if (literal.size() > kMaxQueryText) return false;
    const size_t quote = literal.find_first_of("'\"");
    if (quote == std::string_view::npos) return false;
    bool formatted = false;  // an f-string: only a `PRAGMA` with its name written
    for (const char c : literal.substr(0, quote)) {
      formatted = formatted || c == 'f' || c == 'F';
      if (c != 'r' && c != 'R' && c != 'u' && c != 'U' && c != 'f' && c != 'F') return false;
    }
    const char mark = literal[quote];
    size_t open = quote;
    while (open < literal.size() && literal[open] == mark)
      ++open;
    size_t close = literal.size();
    while (close > open && literal[close - 1] == mark)
      --close;
    if (open - quote != literal.size() - close) return false;
    const std::string_view body = literal.substr(open, close - open);
    if (body.find(mark) != std::string_view::npos) return false;  // a concatenation
    // A comment reads as a space and a quoted SQL string or identifier as one placeholder: the
    // words in them are no SQL (`SELECT id  -- TODO: add COUNT(*)` aggregates nothing).
    std::string sql;
    sql.reserve(body.size());
    for (size_t i = 0; i < body.size(); ++i) {
      const char c = body[i];
      const char next = i + 1 < body.size() ? body[i + 1] : '\0';
      if (c == '-' && next == '-') {
        i = body.find('\n', i);  // not ended by a newline (a `\n` escape): read no further
        if (i == std::string_view::npos) return false;
        sql += ' ';
      } else if (c == '/' && next == '*') {
        i = body.find("*/", i + 2);
        if (i == std::string_view::npos) return false;
        ++i;
        sql += ' ';
      } else if (c == '\'' || c == '"' || c == '`') {
        i = body.find(c, i + 1);
        if (i == std::string_view::npos) return false;
        sql += c == '\'' ? '?' : 'Q';
      } else {
        sql += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
    }
    while (!sql.empty() &&
           (std::isspace(static_cast<unsigned char>(sql.back())) != 0 || sql.back() == ';'))
      sql.pop_back();
    size_t at = 0;
    const auto skipSpace = [&] {
      while (at < sql.size() && std::isspace(static_cast<unsigned char>(sql[at])) != 0)
        ++at;
    };
    const auto word = [&] {
      skipSpace();
      const size_t start = at;
      while (at < sql.size() && sqlWordChar(sql[at]))
        ++at;
      return std::string_view(sql).substr(start, at - start);
    };
    // The end of the parenthesized group opening at `from` (a `(`), or npos.
    const auto closing = [&](size_t from) {
      int depth = 0;
      for (size_t i = from; i < sql.size(); ++i) {
        if (sql[i] == '(') ++depth;
        if (sql[i] == ')' && --depth == 0) return i;
      }
      return std::string::npos;
    };
    const auto wordsAt = [&](std::string_view wanted) {
      size_t found = 0;
      for (size_t i = sql.find(wanted); i != std::string::npos; i = sql.find(wanted, i + 1)) {
        const size_t end = i + wanted.size();
        if ((i == 0 || !sqlWordChar(sql[i - 1])) && (end >= sql.size() || !sqlWordChar(sql[end])))
          ++found;
      }
      return found;
    };
    const std::string_view first = word();
    if (first == "PRAGMA") {
      std::string_view name = word();
      skipSpace();
      if (at < sql.size() && sql[at] == '.') {  // `PRAGMA main.table_info(...)`
        ++at;
        name = word();
        skipSpace();
      }
      if (at < sql.size()) {
        if (sql[at] != '(' || closing(at) != sql.size() - 1) return false;
      }
      return smallPragma(name);
    }
    if (formatted || first != "SELECT" || wordsAt("SELECT") != 1) return false;
    if (wordsAt("GROUP") > 0 || wordsAt("OVER") > 0 || wordsAt("HAVING") > 0) return false;
    // The column list: up to `FROM` outside parentheses.
    const size_t columns_start = at;
    size_t from = std::string::npos;
    for (int depth = 0; at < sql.size(); ++at) {
      if (sql[at] == '(') ++depth;
      if (sql[at] == ')') --depth;
      if (depth == 0 && sql.compare(at, 4, "FROM") == 0 && !sqlWordChar(sql[at - 1]) &&
          (at + 4 >= sql.size() || !sqlWordChar(sql[at + 4]))) {
        from = at;
        break;
      }
    }
    const std::string_view columns = std::string_view(sql).substr(
        columns_start, from == std::string::npos ? std::string::npos : from - columns_start);
    // Which `(` of the column list holds a `,` of its own (`MAX(a, b)`), found in one pass.
    std::vector<bool> two_arguments(columns.size(), false);
    std::vector<size_t> opened;
    for (size_t k = 0; k < columns.size(); ++k) {
      if (columns[k] == '(') opened.push_back(k);
      if (columns[k] == ')' && !opened.empty()) opened.pop_back();
      if (columns[k] == ',' && !opened.empty()) two_arguments[opened.back()] = true;
    }
    bool aggregates = false;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (!sqlWordChar(columns[i]) || (i > 0 && sqlWordChar(columns[i - 1]))) continue;
      size_t end = i;
      while (end < columns.size() && sqlWordChar(columns[end]))
        ++end;
      const std::string_view name = columns.substr(i, end - i);
      size_t paren = end;
      while (paren < columns.size() && std::isspace(static_cast<unsigned char>(columns[paren])))
        ++paren;
      if (paren >= columns.size() || columns[paren] != '(') continue;
      const bool min_max = name == "MIN" || name == "MAX";
      if (!min_max && name != "COUNT" && name != "SUM" && name != "AVG" && name != "TOTAL" &&
          name != "GROUP_CONCAT") {
        continue;
      }
      // `MAX(a, b)` of two arguments is a scalar, a row per row.
      if (min_max && two_arguments[paren]) return false;
      aggregates = true;
    }
    if (aggregates) return true;
    if (from == std::string::npos) return false;
    at = from + 4;
    const std::string_view table = word();
    if (!table.starts_with("PRAGMA_") || !smallPragma(table.substr(7))) return false;
    skipSpace();
    if (at < sql.size() && sql[at] == '(') {
      at = closing(at);
      if (at == std::string::npos) return false;
      ++at;
    }
    // The only table: no join nor other table after it.
    const std::string_view rest = std::string_view(sql).substr(at);
    return rest.find(',') == std::string_view::npos && wordsAt("JOIN") == 0;
  }

  // A `**kwargs` among a call's arguments.
  static bool hasDictionarySplat(TSNode arguments) {
    for (uint32_t i = 0, count = namedChildCount(arguments); i < count; ++i) {
      if (kindOf(nthNamedChild(arguments, i)) == NodeKind::DictionarySplat) return true;
    }
    return false;
  }

  // The pattern of `.glob(...)` on the module's own folder: a string literal without `**`.
  bool hasOwnFolderPattern(TSNode pattern) const {
    return kindOf(pattern) == NodeKind::String && writtenString(pattern) &&
           context_.text(pattern).find("**") == std::string_view::npos;
  }

  // A string literal naming a path below a folder: not absolute (`/var/spool`, `~/x`, which
  // throw the folder away), with no `..` segment (which climbs out of it) nor `**` (a recursive
  // glob pattern).
  bool belowLiteral(TSNode node) const {
    if (kindOf(node) != NodeKind::String || !writtenString(node)) return false;
    if (context_.text(node).find("**") != std::string_view::npos) return false;
    std::string_view path = context_.text(node);
    path.remove_prefix(std::min(path.find_first_of("'\""), path.size()));
    path.remove_prefix(std::min<size_t>(path.find_first_not_of("'\""), path.size()));
    path = path.substr(0, path.find_first_of("'\""));
    if (path.starts_with('/') || path.starts_with('~') || path.starts_with('\\')) return false;
    size_t start = 0;
    while (start <= path.size()) {
      const size_t end = std::min(path.find_first_of("/\\", start), path.size());
      if (path.substr(start, end - start) == "..") return false;
      start = end + 1;
    }
    return true;
  }

  // Whether a path names the module's own folder or a path written below it: `__file__` through
  // `os.path.dirname`, `os.path.abspath`, `os.path.realpath`, `os.path.join` with string
  // literals below it (belowLiteral), `Path(...)`, `str(...)`, `.parent`, `.resolve()`,
  // `.absolute()` and `/ "literal"` (belowLiteral),
  // following names bound once (`HERE = Path(__file__).resolve().parent`). One step up only
  // (`.parent.parent`, the folder above the module's, may be a whole project).
  bool inOwnFolder(ScopeId scope, TSNode node, int depth, bool went_up = false) const {
    if (depth > kMaxDepth || ts_node_is_null(node)) return false;
    switch (kindOf(node)) {
      case NodeKind::ParenthesizedExpression:
        return inOwnFolder(scope, firstNamedChildSkippingExtras(node), depth + 1, went_up);
      case NodeKind::Identifier: {
        if (context_.text(node) == "__file__") return true;
        const Resolution resolution =
            context_.semantic().resolve(scope, context_.text(node), ts_node_start_byte(node));
        if (resolution.kind != Resolution::Kind::Bound ||
            resolution.binding->kind != BindingKind::Assignment) {
          return false;
        }
        ScopeId value_scope = kNoScope;
        const TSNode value = singleAssignedValue(context_, *resolution.binding, &value_scope);
        return inOwnFolder(value_scope, value, depth + 1, went_up);
      }
      case NodeKind::Attribute: {
        const std::string_view name = context_.text(childByField(node, Field::AttributeName));
        return name == "parent" && !went_up &&
               inOwnFolder(scope, childByField(node, Field::Object), depth + 1, true);
      }
      case NodeKind::BinaryOperator: {
        return context_.text(childByField(node, Field::Operator)) == "/" &&
               belowLiteral(childByField(node, Field::Right)) &&
               inOwnFolder(scope, childByField(node, Field::Left), depth + 1, went_up);
      }
      case NodeKind::Call: {
        const TSNode function = childByField(node, Field::Function);
        const TSNode arguments = childByField(node, Field::Arguments);
        if (kindOf(function) == NodeKind::Attribute && qualified(scope, function).empty()) {
          const std::string_view method =
              context_.text(childByField(function, Field::AttributeName));
          return (method == "resolve" || method == "absolute") &&
                 inOwnFolder(scope, childByField(function, Field::Object), depth + 1, went_up);
        }
        const std::string callee = qualified(scope, function);
        const bool one_path = callee == "os.path.dirname" || callee == "os.path.abspath" ||
                              callee == "os.path.realpath" || callee == "pathlib.Path" ||
                              callee == "builtins.str";
        if (!one_path && callee != "os.path.join") return false;
        const uint32_t count = namedChildCount(arguments);
        bool first = true;
        for (uint32_t i = 0; i < count; ++i) {
          const TSNode argument = nthNamedChild(arguments, i);
          const NodeKind kind = kindOf(argument);
          if (kind == NodeKind::Comment) continue;
          if (first) {
            const bool up = callee == "os.path.dirname";
            if ((up && went_up) || !inOwnFolder(scope, argument, depth + 1, went_up || up)) {
              return false;
            }
            first = false;
          } else if (one_path || !belowLiteral(argument)) {
            return false;
          }
        }
        return !first;
      }
      default:
        return false;
    }
  }

  enum class Query : uint8_t { None, Rows, ByKey };

  // `Model.objects.filter(...)`, `Model.objects.all()`: a Django query set, on a manager of a
  // model class (`Order.objects`, `self.model.objects`, `cls.objects`; an instance such as
  // `scene.objects` is no model). ByKey when a call of the chain selects by primary key
  // (`filter(pk=order_id)`, `filter(id__in=[1, 2, 3])`): a row or a few.
  Query queryChain(TSNode call) const {
    bool by_key = false;
    TSNode current = call;
    for (int guard = 0; guard < 8; ++guard) {
      if (kindOf(current) == NodeKind::Call) {
        // `filter(pk=...)` and `get(pk=...)` select by key; `exclude(pk=...)` leaves the rest.
        const TSNode function = childByField(current, Field::Function);
        const std::string_view method = context_.text(childByField(function, Field::AttributeName));
        by_key = by_key || ((method == "filter" || method == "get") &&
                            selectsByKey(childByField(current, Field::Arguments)));
        current = function;
      }
      if (kindOf(current) != NodeKind::Attribute) return Query::None;
      const TSNode object = childByField(current, Field::Object);
      if (context_.text(childByField(current, Field::AttributeName)) == "objects") {
        // `Order`, `models.Order`, `self.model`, `cls`: a class, by its capitalised name.
        const std::string_view model = context_.text(object);
        const std::string_view last = model.substr(model.rfind('.') + 1);
        const bool model_class =
            (!last.empty() && std::isupper(static_cast<unsigned char>(last.front())) != 0) ||
            last == "model" || model == "cls";
        if (!model_class) return Query::None;
        return by_key ? Query::ByKey : Query::Rows;
      }
      current = object;
    }
    return Query::None;
  }

  // `pk=...`, `id=...`, or `pk__in=`/`id__in=` a literal list, tuple or set.
  bool selectsByKey(TSNode arguments) const {
    const uint32_t count = namedChildCount(arguments);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode argument = nthNamedChild(arguments, i);
      if (kindOf(argument) != NodeKind::KeywordArgument) continue;
      const std::string_view name = context_.text(childByField(argument, Field::Name));
      if (name == "pk" || name == "id" || name == "pk__exact" || name == "id__exact") return true;
      const NodeKind value = kindOf(childByField(argument, Field::Value));
      if ((name == "pk__in" || name == "id__in") &&
          (value == NodeKind::List || value == NodeKind::Tuple || value == NodeKind::Set)) {
        return true;
      }
    }
    return false;
  }

  SizeEvidence range(ScopeId scope, const std::vector<TSNode>& arguments, int depth) const {
    if (arguments.empty() || arguments.size() > 3) return {};
    std::array<std::optional<Constant>, 3> bounds;  // as written: (stop) or (start, stop[, step])
    bool constant = true;
    for (size_t i = 0; i < arguments.size() && constant; ++i) {
      bounds[i] = constantInteger(context_, scope, arguments[i]);
      constant = bounds[i].has_value();
    }
    if (constant) {
      // As many items as the constant bounds say: a handful, or a million.
      const Constant first = arguments.size() >= 2 ? *bounds[0] : Constant{};
      const Constant last = arguments.size() >= 2 ? *bounds[1] : *bounds[0];
      const Constant step = arguments.size() >= 3 ? *bounds[2] : Constant{1, false};
      if (first.at_least || step.at_least) return {};  // a huge start or step: unknown
      if (last.at_least) {
        // A huge stop: at least as many items as up to kHugeCount.
        if (step.value <= 0) return evidence(Size::Small, "an empty `range`");
        const int64_t items = (last.value - first.value + step.value - 1) / step.value;
        return writtenCount(Size::Data, "a `range` of " + itemsText(items, true));
      }
      int64_t items = 0;
      if (step.value > 0) {
        items = (last.value - first.value + step.value - 1) / step.value;
      } else if (step.value < 0) {
        items = (first.value - last.value - step.value - 1) / -step.value;
      }
      items = std::max<int64_t>(items, 0);
      SizeEvidence result = writtenCount(items >= kManyItems ? Size::Data : Size::Small,
                                         "a `range` of " + itemsText(items, false));
      // Consecutive integers only: `i % K == c` keeps every K-th of them (of a stepped range
      // it may keep them all).
      if (step.value == 1) result.written_items = items;
      return result;
    }
    // The stop decides: `range(n)`, `range(1, n)`.
    const TSNode stop = arguments.size() == 1 ? arguments[0] : arguments[1];
    SizeEvidence result = countOf(scope, stop, depth + 1);
    if (arguments.size() >= 2 && result.size != Size::Small) {
      // `range(len(x) - 3, len(x))`: a window of small literal width is small.
      const TSNode start = arguments[0];
      if (kindOf(start) == NodeKind::BinaryOperator &&
          context_.text(childByField(start, Field::Left)) == context_.text(stop)) {
        const TSNode width = childByField(start, Field::Right);
        const std::optional<Constant> items = kindOf(width) == NodeKind::Integer
                                                  ? integerLiteral(context_.text(width))
                                                  : std::nullopt;
        if (items && items->value < kManyItems) {
          return evidence(Size::Small, "a `range` of literal width");
        }
      }
    }
    // `range(len(lines))` yields a new integer an item, however the list it counts is held.
    return madeAnew(result);
  }

  SizeEvidence subscript(ScopeId scope, TSNode node, int depth) const {
    const TSNode index = childByField(node, Field::SubscriptIndex);
    if (kindOf(index) != NodeKind::Slice) return {};
    // A step, if any, must be a positive literal: `rows[-5::-1]` and `rows[:3:-1]` walk
    // backwards over all the rest.
    TSNode step{};
    uint32_t colons = 0;
    for (uint32_t i = 0; i < childCount(index); ++i) {
      const TSNode child = nthChild(index, i);
      if (!ts_node_is_named(child)) {
        if (context_.text(child) == ":") ++colons;
        continue;
      }
      if (colons == 2 && kindOf(child) != NodeKind::Comment) step = child;
    }
    if (!ts_node_is_null(step) &&
        (kindOf(step) != NodeKind::Integer || !isFewItemsLiteral(context_.text(step)))) {
      return iterable(scope, childByField(node, Field::Value), depth + 1);
    }
    // `rows[:3]`, `rows[1:4]`: as many as the literal bounds allow.
    const uint32_t count = namedChildCount(index);
    bool literal_stop = false;
    colons = 0;
    for (uint32_t i = 0; i < childCount(index); ++i) {
      const TSNode child = nthChild(index, i);
      if (!ts_node_is_named(child)) {
        if (context_.text(child) == ":") ++colons;
        continue;
      }
      if (colons == 1 && kindOf(child) == NodeKind::Integer &&
          isFewItemsLiteral(context_.text(child))) {
        literal_stop = true;
      }
    }
    if (literal_stop && count > 0) return evidence(Size::Small, "a slice of literal bounds");
    // `rows[-5:]` (the last few) and `rows[k:k + 3]` (a window of literal width): at most that
    // many, whatever is sliced.
    TSNode start{};
    TSNode stop{};
    colons = 0;
    for (uint32_t i = 0; i < childCount(index); ++i) {
      const TSNode child = nthChild(index, i);
      if (!ts_node_is_named(child)) {
        if (context_.text(child) == ":") ++colons;
        continue;
      }
      if (kindOf(child) == NodeKind::Comment) continue;
      if (colons == 0) start = child;
      if (colons == 1) stop = child;
    }
    const auto fewLiteral = [&](TSNode literal) {
      return kindOf(literal) == NodeKind::Integer && isFewItemsLiteral(context_.text(literal));
    };
    if (kindOf(start) == NodeKind::UnaryOperator &&
        context_.text(childByField(start, Field::Operator)) == "-" &&
        fewLiteral(childByField(start, Field::Argument)) && ts_node_is_null(stop)) {
      return evidence(Size::Small, "a slice of the last " + std::string(context_.text(childByField(
                                                                start, Field::Argument))));
    }
    if (!ts_node_is_null(start) && kindOf(stop) == NodeKind::BinaryOperator &&
        context_.text(childByField(stop, Field::Operator)) == "+") {
      const TSNode left = childByField(stop, Field::Left);
      const TSNode right = childByField(stop, Field::Right);
      const std::string_view from = context_.text(start);
      if ((context_.text(left) == from && fewLiteral(right)) ||
          (context_.text(right) == from && fewLiteral(left))) {
        return evidence(Size::Small, "a slice of literal width");
      }
    }
    return iterable(scope, childByField(node, Field::Value), depth + 1);
  }

  SizeEvidence nameSize(ScopeId scope, TSNode node, int depth) const {
    const std::string_view text = context_.text(node);
    const Resolution resolution =
        context_.semantic().resolve(scope, text, ts_node_start_byte(node));
    if (resolution.kind != Resolution::Kind::Bound) {
      const std::string name = qualified(scope, node);
      if (library_.isDataSource(name)) return evidence(Size::Data, "`" + name + "`");
      return {};
    }
    const Binding& binding = *resolution.binding;
    switch (binding.kind) {
      case BindingKind::ClassDefinition:
        if (isEnumClass(context_, binding.node, binding.scope)) {
          return evidence(Size::Small, "the members of Enum `" + std::string(text) + "`");
        }
        return {};
      case BindingKind::Parameter:
        return parameter(binding, text);
      case BindingKind::Assignment: {
        ScopeId value_scope = kNoScope;
        const TSNode value = singleAssignedValue(context_, binding, &value_scope);
        if (!ts_node_is_null(value)) {
          SizeEvidence bound = iterable(value_scope, value, depth + 1);
          if (bound.size == Size::Data && !bound.reason.starts_with("`")) {
            // No line number: the language server keeps a run's findings while edits above
            // it move its lines.
            bound.reason = "`" + std::string(text) + "`, " + bound.reason;
          }
          return bound;
        }
        return {};
      }
      case BindingKind::WithTarget:
        return withTarget(binding, depth);
      case BindingKind::Import:
      case BindingKind::FromImport: {
        const std::string name = std::string(context_.semantic().importedName(binding));
        if (library_.isConfigurationSource(name)) {
          return evidence(Size::Configuration, "`" + name + "`");
        }
        if (library_.isDataSource(name)) return evidence(Size::Data, "`" + name + "`");
        if (isConstantName(text)) {
          return evidence(Size::Small, "the constant `" + std::string(text) + "`");
        }
        return {};
      }
      default:
        return {};
    }
  }

  SizeEvidence parameter(const Binding& binding, std::string_view text) const {
    const SemanticModel& semantic = context_.semantic();
    const ScopeId method = methodReceiving(semantic, binding);
    const MethodKind kind =
        method == kNoScope ? MethodKind::NotAMethod : methodKind(context_, method);
    if (kind != MethodKind::NotAMethod && kind != MethodKind::Static) {
      // `for member in cls` in a classmethod of an Enum.
      if (kind == MethodKind::Class) {
        const TSNode class_node = classOfMethod(semantic, method);
        if (isEnumClass(context_, class_node,
                        semantic.scope(semantic.scope(method).parent).parent)) {
          return evidence(Size::Small, "the members of an Enum");
        }
      }
      return {};
    }
    for (std::string_view configured : kConfigurationParameters) {
      if (text == configured) return evidence(Size::Configuration, concat("`", text, "`"));
    }
    const Scope& function = semantic.scope(binding.scope);
    if (function.kind != ScopeKind::Function) return {};
    // A parameter of a function nested in another one is fed by its enclosing function.
    if (function.parent != kNoScope &&
        semantic.scope(function.parent).kind == ScopeKind::Function) {
      return {};
    }
    const std::string_view function_name = context_.text(childByField(function.node, Field::Name));
    const bool is_public = !function_name.starts_with("_") ||
                           (function_name.starts_with("__") && function_name.ends_with("__"));
    if (!is_public) return {};
    // `*args` and `**kwargs` are argument lists: short in practice.
    if (isVariadic(binding)) return {};
    SizeEvidence result =
        evidence(Size::Data, "`" + std::string(text) + "`, a parameter of `" +
                                 functionDisplayName(context_, binding.scope) + "()`");
    result.from_parameter = true;
    return result;
  }

  // `with open(path) as handle:`: the target is what the context manager's `__enter__` gives,
  // for files the file itself.
  SizeEvidence withTarget(const Binding& binding, int depth) const {
    TSNode pattern = binding.node;
    for (int up = 0; up < 3 && kindOf(pattern) != NodeKind::AsPattern; ++up) {
      pattern = parentOf(pattern);
    }
    if (kindOf(pattern) != NodeKind::AsPattern) return {};
    const TSNode value = nthNamedChild(pattern, 0);
    if (kindOf(value) != NodeKind::Call) return {};
    const ScopeId scope = binding.scope;
    const std::string callee = qualified(scope, childByField(value, Field::Function));
    if (library_.isDataSource(callee)) {
      SizeEvidence few = iterable(scope, value, depth + 1);
      if (few.size == Size::Small || few.size == Size::Configuration) return few;
      const bool file = callee.ends_with(".open") || callee == "builtins.open";
      return evidence(Size::Data, (file                     ? "the lines of the file opened by "
                                   : callee == "os.scandir" ? "the entries listed by "
                                                            : "the result of ") +
                                      shortText(context_, value));
    }
    return iterable(scope, value, depth + 1).size == Size::Data
               ? evidence(Size::Data, "the result of " + shortText(context_, value))
               : SizeEvidence{};
  }

  SizeEvidence attribute(ScopeId scope, TSNode node, int depth) const {
    const std::string name = qualified(scope, node);
    if (library_.isConfigurationSource(name)) {
      return evidence(Size::Configuration, "`" + name + "`");
    }
    if (library_.isDataSource(name)) return evidence(Size::Data, "`" + name + "`");
    TSNode root = node;
    while (kindOf(root) == NodeKind::Attribute)
      root = childByField(root, Field::Object);
    const std::string_view attribute = context_.text(childByField(node, Field::AttributeName));
    if (kindOf(root) != NodeKind::Identifier) return {};
    // `cls.FIELDS` in a classmethod, `Config.FIELDS` of a class of this file: written with the
    // class, not grown by the data.
    TSNode class_node{};
    if (isClassReceiver(context_, scope, root, &class_node)) {
      return evidence(Size::Small, "the class attribute `" + std::string(attribute) + "`");
    }
    const Resolution resolution =
        context_.semantic().resolve(scope, context_.text(root), ts_node_start_byte(root));
    if (resolution.kind != Resolution::Kind::Bound) return {};
    const Binding& binding = *resolution.binding;
    if (binding.kind == BindingKind::ClassDefinition) {
      return evidence(Size::Small,
                      "the class attribute `" + std::string(context_.text(node)) + "`");
    }
    if ((binding.kind == BindingKind::Import || binding.kind == BindingKind::FromImport) &&
        isConstantName(attribute)) {
      return evidence(Size::Small, "the constant " + shortText(context_, node));
    }
    // `args.paths` after `args = parser.parse_args()`: settings. So is an attribute of a plain
    // parameter called `args`: argparse's name for the command line parsed, passed on.
    if (root.id == childByField(node, Field::Object).id) {
      const SizeEvidence object = nameSize(scope, root, depth + 1);
      if (object.size == Size::Configuration || isParsedArguments(binding)) {
        return evidence(Size::Configuration, "the setting " + shortText(context_, node));
      }
    }
    return {};
  }

  // `def command(client, args)`: a plain parameter called `args` (not `*args`).
  bool isParsedArguments(const Binding& binding) const {
    return binding.kind == BindingKind::Parameter &&
           isParsedArgumentsParameterName(context_.text(binding.node)) && !isVariadic(binding);
  }

  // A parameter's binding for `*args` or `**kwargs`.
  static bool isVariadic(const Binding& binding) {
    const NodeKind pattern = kindOf(parentOf(binding.node));
    return pattern == NodeKind::ListSplatPattern || pattern == NodeKind::DictionarySplatPattern;
  }

  const RuleContext& context_;
  LibraryKnowledge library_;
};

}  // namespace

SizeEvidence keptSize(const RuleContext& context, TSNode comprehension,
                      const SizeEvidence& walked) {
  if (walked.written_items <= 0 || !walked.written_in_code) return walked;
  // The name each item is bound to, and the conditions on it.
  std::string_view target;
  std::vector<TSNode> conditions;
  if (kindOf(comprehension) == NodeKind::Call) {
    // `filter(lambda i: i % K == 0, ...)`
    const TSNode predicate = unparenthesized(
        nthNamedChildSkippingExtras(childByField(comprehension, Field::Arguments), 0));
    if (kindOf(predicate) != NodeKind::Lambda) return walked;
    const TSNode parameters = childByField(predicate, Field::Parameters);
    const TSNode parameter = onlyNamedChildSkippingExtras(parameters);
    if (kindOf(parameter) != NodeKind::Identifier) return walked;
    target = context.text(parameter);
    conditions.push_back(childByField(predicate, Field::Body));
  } else {
    uint32_t clauses = 0;
    const uint32_t count = namedChildCount(comprehension);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode clause = nthNamedChild(comprehension, i);
      if (kindOf(clause) == NodeKind::ForInClause) {
        ++clauses;
        const TSNode left = childByField(clause, Field::Left);
        if (kindOf(left) != NodeKind::Identifier) return walked;
        target = context.text(left);
      } else if (kindOf(clause) == NodeKind::IfClause) {
        conditions.push_back(nthNamedChildSkippingExtras(clause, 0));
      }
    }
    if (clauses != 1) return walked;
  }
  for (const TSNode condition : conditions) {
    const int64_t every = everyKth(context, condition, target);
    if (every == 0) continue;
    const int64_t kept = (walked.written_items + every - 1) / every;
    if (kept >= kManyItems) return walked;
    return evidence(Size::Small, "about " + itemsText(kept, false) + " (every " +
                                     groupedDigits(every) + "th of " + walked.reason + ")");
  }
  return walked;
}

bool isManyItemsLiteral(std::string_view text) {
  const std::optional<Constant> value = integerLiteral(text);
  return value && value->value >= kManyItems;
}

bool isFewItemsLiteral(std::string_view text) {
  const std::optional<Constant> value = integerLiteral(text);
  return value && value->value > 0 && value->value < kManyItems;
}

TSNode remainderDivisor(const RuleContext& context, TSNode expression) {
  expression = unparenthesized(expression);
  if (kindOf(expression) != NodeKind::BinaryOperator ||
      context.text(childByField(expression, Field::Operator)) != "%") {
    return TSNode{};
  }
  return unparenthesized(childByField(expression, Field::Right));
}

std::string_view writtenRemainderDivisor(const RuleContext& context, TSNode expression) {
  const TSNode divisor = remainderDivisor(context, expression);
  return kindOf(divisor) == NodeKind::Integer ? context.text(divisor) : std::string_view();
}

std::optional<int64_t> integerLiteralValue(std::string_view text) {
  const std::optional<Constant> value = integerLiteral(text);
  if (!value || value->at_least) return std::nullopt;
  return value->value;
}

bool isIntegerLiteralOfAtLeast(std::string_view text, int64_t least) {
  const std::optional<Constant> value = integerLiteral(text);
  return value && value->value >= least;
}

SizeEvidence iterableSize(const RuleContext& context, ScopeId scope, TSNode iterable) {
  return SizeFinder(context).iterable(scope, iterable, 0);
}

SizeEvidence countSize(const RuleContext& context, ScopeId scope, TSNode count) {
  return SizeFinder(context).countOf(scope, count, 0);
}

bool isParsedArgumentsParameterName(std::string_view name) {
  return name == "args";
}

bool keepsTheWalkedItems(const RuleContext& context, TSNode comprehension) {
  const TSNode element = childByField(comprehension, Field::Body);
  if (kindOf(element) != NodeKind::Identifier) return false;
  TSNode clause{};
  for (uint32_t i = 0; i < namedChildCount(comprehension); ++i) {
    const TSNode child = nthNamedChild(comprehension, i);
    if (kindOf(child) != NodeKind::ForInClause) continue;
    if (!ts_node_is_null(clause)) return false;  // a second `for`: pairs, not items
    clause = child;
  }
  const TSNode target = childByField(clause, Field::Left);
  return kindOf(target) == NodeKind::Identifier && context.text(target) == context.text(element);
}

bool isConfigurationParameterName(std::string_view name) {
  for (std::string_view configured : kConfigurationParameters) {
    if (name == configured) return true;
  }
  return false;
}

}  // namespace heaplint
