#include "analyzer/key_evidence.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/concat.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/size_evidence.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

// Names are followed through bindings, calls and attributes; real keys are a few levels deep.
constexpr int kMaxDepth = 10;
// And a query looks at a bounded number of expressions, whatever the code's shape.
constexpr int kMaxSteps = 64;
// A name bound several times in a function is as strong as its strongest binding; past a few
// bindings it is unknown.
constexpr size_t kMaxBindings = 6;

// Builtins whose result is a value made from their arguments, holding nothing else alive.
constexpr std::array<std::string_view, 20> kValueBuiltins = {
    "str",  "int",   "float", "bool", "bytes", "tuple", "frozenset", "len", "hash",   "id",
    "repr", "round", "abs",   "ord",  "chr",   "min",   "max",       "sum", "sorted", "format",
};

KeyEvidence make(KeySource source, std::string reason) {
  KeyEvidence evidence;
  evidence.source = source;
  evidence.reason = std::move(reason);
  return evidence;
}

// The parts of a key together: the strongest decides, parameters add up.
void merge(KeyEvidence& into, KeyEvidence part) {
  // The reason describes the strongest part, parameters counted.
  const bool stronger = part.overall() > into.overall() || into.reason.empty();
  into.parameters |= part.parameters;
  if (part.source > into.source) into.source = part.source;
  if (stronger && !part.reason.empty()) into.reason = std::move(part.reason);
}

std::string shortText(std::string_view text) {
  const size_t cut = std::min<size_t>(text.find('\n'), 40);
  if (cut < text.size()) return concat("`", text.substr(0, cut)) + "...`";
  return concat("`", text) + "`";
}

TSNode unwrap(TSNode node) {
  while ((kindOf(node) == NodeKind::ParenthesizedExpression || kindOf(node) == NodeKind::Type) &&
         namedChildCountSkippingExtras(node) >= 1) {
    node = nthNamedChildSkippingExtras(node, 0);
  }
  return node;
}

bool isVariadic(TSNode parameter) {
  NodeKind kind = kindOf(parameter);
  if (kind == NodeKind::TypedParameter) kind = kindOf(nthNamedChild(parameter, 0));
  return kind == NodeKind::ListSplatPattern || kind == NodeKind::DictionarySplatPattern;
}

// The outermost function around `scope`: a helper nested in it, or a lambda, is part of it, and
// the callers of the outer function decide what its parameters hold.
ScopeId outermostFunctionScope(const SemanticModel& semantic, ScopeId scope) {
  ScopeId found = kNoScope;
  for (ScopeId current = scope; current != kNoScope; current = semantic.scope(current).parent) {
    if (semantic.scope(current).kind == ScopeKind::Function) found = current;
  }
  return found;
}

class KeyFinder {
 public:
  KeyFinder(const RuleContext& context, ScopeId scope, KeyMemo* memo = nullptr)
      : context_(context),
        semantic_(context.semantic()),
        library_(context.options().settings->libraries),
        subject_(outermostFunctionScope(context.semantic(), scope)),
        memo_(memo) {
    const std::string& module = context.options().module.name;
    top_package_ = module.substr(0, module.find('.'));
  }

  KeyEvidence find(ScopeId scope, TSNode node, int depth) {
    node = unwrap(node);
    deepest_ = std::max(deepest_, depth);
    if (depth > kMaxDepth || ++steps_ > kMaxSteps) limited_ = true;
    if (depth > kMaxDepth || steps_ > kMaxSteps || ts_node_is_null(node)) {
      return make(KeySource::Unknown, shortText(context_.text(node)));
    }
    switch (kindOf(node)) {
      case NodeKind::Integer:
      case NodeKind::Float:
      case NodeKind::True:
      case NodeKind::False:
      case NodeKind::None:
      case NodeKind::ComparisonOperator:
      case NodeKind::NotOperator:
        return make(KeySource::Closed, "a literal");
      case NodeKind::String:
      case NodeKind::ConcatenatedString:
        return string(scope, node, depth);
      case NodeKind::Tuple:
      case NodeKind::List:
      case NodeKind::Set:
      case NodeKind::ExpressionList:
      case NodeKind::Dictionary:
      case NodeKind::Pair:
      case NodeKind::Slice:  // `[:2]`: made of its bounds
        return parts(scope, node, depth, false);
      case NodeKind::BinaryOperator:
        // `hash(line) % 16`: one of 16 keys, whatever the left side is (not of 1,000,003).
        if (isFewItemsLiteral(writtenRemainderDivisor(context_, node))) {
          return make(KeySource::Closed, "a remainder");
        }
        return parts(scope, node, depth, true);
      case NodeKind::BooleanOperator:
      case NodeKind::UnaryOperator:
        return parts(scope, node, depth, true);
      case NodeKind::ConditionalExpression: {
        // `"comment" if line.startswith("#") else "code"`: one of its two values; the condition
        // only picks.
        KeyEvidence result = find(scope, nthNamedChildSkippingExtras(node, 0), depth + 1);
        merge(result, find(scope, nthNamedChildSkippingExtras(node, 2), depth + 1));
        return derived(result, node);
      }
      case NodeKind::NamedExpression:
        return find(scope, childByField(node, Field::Value), depth + 1);
      case NodeKind::Lambda:  // code: what it closes over is not followed
        return make(KeySource::Closed, "a function");
      case NodeKind::ListComprehension:
      case NodeKind::SetComprehension:
      case NodeKind::DictionaryComprehension:
      case NodeKind::GeneratorExpression:
        return comprehension(scope, node, depth);
      case NodeKind::Subscript: {
        if (isShortHexPrefix(node)) {
          return make(KeySource::Closed,
                      concat("a few hex digits, ", shortText(context_.text(node))));
        }
        KeyEvidence result = find(scope, childByField(node, Field::Value), depth + 1);
        merge(result, find(scope, childByField(node, Field::SubscriptIndex), depth + 1));
        return derived(result, node);
      }
      case NodeKind::Call:
        return call(scope, node, depth);
      case NodeKind::Attribute:
        return attribute(scope, node, depth);
      case NodeKind::Identifier:
        return identifier(scope, node, depth);
      default:
        return make(KeySource::Unknown, shortText(context_.text(node)));
    }
  }

 private:
  // `digest.hexdigest()[:2]`, `hex(n)[2:4]`: at most three hex digits, 4,096 keys, whatever was
  // hashed (sharding by a hash's prefix).
  bool isShortHexPrefix(TSNode subscript) const {
    const TSNode slice = childByField(subscript, Field::SubscriptIndex);
    if (kindOf(slice) != NodeKind::Slice) return false;
    const std::string_view value = context_.text(childByField(subscript, Field::Value));
    const bool hex = value.ends_with(".hexdigest()") || value.starts_with("hex(");
    if (!hex) return false;
    // `[:N]` or `[M:N]`, integer literals, no step, N - M at most 3 (`hex()` starts with "0x").
    std::optional<int64_t> bounds[2] = {0, std::nullopt};
    uint32_t colons = 0;
    for (uint32_t i = 0; i < childCount(slice); ++i) {
      const TSNode child = nthChild(slice, i);
      if (!ts_node_is_named(child)) {
        if (context_.text(child) == ":" && ++colons > 1) return false;  // a step
        continue;
      }
      if (kindOf(child) == NodeKind::Comment) continue;
      bounds[colons] = kindOf(child) == NodeKind::Integer
                           ? integerLiteralValue(context_.text(child))
                           : std::nullopt;
      if (!bounds[colons]) return false;
    }
    return colons == 1 && bounds[0] && bounds[1] && *bounds[1] > *bounds[0] &&
           *bounds[1] - *bounds[0] <= 3;
  }

  // A value computed from `inner`: it no longer holds the objects it was made from, but there is
  // one per object (`str(self)`, `contact.name`).
  KeyEvidence derived(KeyEvidence inner, TSNode node) const {
    if (inner.source == KeySource::Object) {
      inner.source = KeySource::Entity;
      inner.reason = shortText(context_.text(node)) + ", made from " + inner.reason;
    }
    return inner;
  }

  // A string literal, or an f-string made from its interpolations.
  KeyEvidence string(ScopeId scope, TSNode node, int depth) {
    KeyEvidence result = make(KeySource::Closed, "a literal");
    bool interpolated = false;
    const auto interpolations = [&](TSNode string_node) {
      const uint32_t count = namedChildCount(string_node);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode child = nthNamedChild(string_node, i);
        if (kindOf(child) != NodeKind::Interpolation) continue;
        interpolated = true;
        merge(result, find(scope, nthNamedChild(child, 0), depth + 1));
      }
    };
    if (kindOf(node) == NodeKind::ConcatenatedString) {
      const uint32_t count = namedChildCount(node);
      for (uint32_t i = 0; i < count; ++i)
        interpolations(nthNamedChild(node, i));
    } else {
      interpolations(node);
    }
    return interpolated ? derived(result, node) : result;
  }

  KeyEvidence parts(ScopeId scope, TSNode node, int depth, bool computed) {
    KeyEvidence result = make(KeySource::Closed, "a literal");
    const uint32_t count = namedChildCount(node);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode child = nthNamedChild(node, i);
      const NodeKind kind = kindOf(child);
      if (kind == NodeKind::Comment) continue;
      if (kind == NodeKind::ListSplat || kind == NodeKind::DictionarySplat) {
        merge(result, derived(find(scope, nthNamedChild(child, 0), depth + 1), child));
        continue;
      }
      merge(result, find(scope, child, depth + 1));
    }
    return computed ? derived(result, node) : result;
  }

  KeyEvidence comprehension(ScopeId scope, TSNode node, int depth) {
    KeyEvidence result = make(KeySource::Closed, "a literal");
    const uint32_t count = namedChildCount(node);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode clause = nthNamedChild(node, i);
      if (kindOf(clause) != NodeKind::ForInClause) continue;
      // Only the first iterable is evaluated outside; the others depend on it.
      merge(result, find(scope, childByField(clause, Field::Right), depth + 1));
      break;
    }
    return derived(result, node);
  }

  // Whether `binding` is a name bound to `ctypes.CFUNCTYPE(...)` (or WINFUNCTYPE, PYFUNCTYPE).
  bool isCallbackPointerType(const Binding& binding) const {
    ScopeId value_scope{};
    const TSNode value = singleAssignedValue(context_, binding, &value_scope);
    if (ts_node_is_null(value) || kindOf(value) != NodeKind::Call) return false;
    const std::string factory = qualified(value_scope, childByField(value, Field::Function));
    return factory == "ctypes.CFUNCTYPE" || factory == "ctypes.WINFUNCTYPE" ||
           factory == "ctypes.PYFUNCTYPE";
  }

  std::string qualified(ScopeId scope, TSNode expression) const {
    std::string name = semantic_.qualifiedName(scope, expression);
    if (name.empty() && kindOf(expression) == NodeKind::Identifier) {
      const std::string_view text = context_.text(expression);
      if (SemanticModel::isBuiltinName(text) &&
          semantic_.resolve(scope, text, ts_node_start_byte(expression)).kind ==
              Resolution::Kind::StarImported) {
        name = concat("builtins.", text);
      }
    }
    return name;
  }

  // Calls whose result is `True` or `False`: the builtins and `os.path` tests, and the `str`,
  // `bytes`, `set` and `pathlib` predicates (by method name, on any receiver).
  static bool returnsABool(std::string_view callee, std::string_view method) {
    static constexpr auto kFunctions = std::to_array<std::string_view>({
        "builtins.bool",
        "builtins.isinstance",
        "builtins.issubclass",
        "builtins.callable",
        "builtins.hasattr",
        "builtins.any",
        "builtins.all",
        "os.path.exists",
        "os.path.isfile",
        "os.path.isdir",
        "os.path.isabs",
        "os.path.islink",
    });
    static constexpr auto kMethods = std::to_array<std::string_view>({
        "*.startswith", "*.endswith",     "*.isdigit",     "*.isalpha",  "*.isalnum",
        "*.isspace",    "*.islower",      "*.isupper",     "*.istitle",  "*.isdecimal",
        "*.isnumeric",  "*.isidentifier", "*.isprintable", "*.isascii",  "*.is_file",
        "*.is_dir",     "*.is_symlink",   "*.is_absolute", "*.issubset", "*.issuperset",
        "*.isdisjoint",
    });
    return std::find(kFunctions.begin(), kFunctions.end(), callee) != kFunctions.end() ||
           std::find(kMethods.begin(), kMethods.end(), method) != kMethods.end();
  }

  KeyEvidence call(ScopeId scope, TSNode node, int depth) {
    const TSNode function = childByField(node, Field::Function);
    const TSNode arguments = childByField(node, Field::Arguments);
    const std::string callee = qualified(scope, function);
    std::vector<TSNode> positional;
    TSNode last_positional{};
    const uint32_t count = namedChildCount(arguments);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode argument = nthNamedChild(arguments, i);
      if (kindOf(argument) == NodeKind::Comment) continue;
      if (kindOf(argument) != NodeKind::KeywordArgument) positional.push_back(argument);
    }
    if (!positional.empty()) last_positional = positional.back();
    if (callee == "builtins.type" && positional.size() == 1) {
      return make(KeySource::Class, shortText(context_.text(node)));
    }
    // `min(len(name), 80)`: a length cut at a count written in the code, one of that many
    // numbers. (Not `min(float(x), 100)`, which caps from above only.)
    if (callee == "builtins.min" && positional.size() == 2) {
      const auto isLength = [&](TSNode argument) {
        return kindOf(argument) == NodeKind::Call &&
               qualified(scope, childByField(argument, Field::Function)) == "builtins.len";
      };
      const auto isLimit = [&](TSNode argument) {
        return kindOf(argument) == NodeKind::Integer && isFewItemsLiteral(context_.text(argument));
      };
      if ((isLength(positional[0]) && isLimit(positional[1])) ||
          (isLimit(positional[0]) && isLength(positional[1]))) {
        return make(KeySource::Closed,
                    concat("a length below a limit, ", shortText(context_.text(node))));
      }
    }
    // `getattr(request, "urlconf", settings.ROOT_URLCONF)`: an override of a setting.
    if (callee == "builtins.getattr" && positional.size() == 3) {
      KeyEvidence fallback = find(scope, last_positional, depth + 1);
      if (fallback.overall() == KeySource::Configuration) return fallback;
    }
    const std::string method =
        kindOf(function) == NodeKind::Attribute
            ? concat("*.", context_.text(childByField(function, Field::AttributeName)))
            : std::string();
    if (library_.isDataSource(callee) || (!method.empty() && library_.isDataSource(method))) {
      return make(KeySource::Data, concat("the result of ", shortText(context_.text(node))));
    }
    if (library_.isConfigurationSource(callee) ||
        (!method.empty() && library_.isConfigurationSource(method))) {
      return make(KeySource::Configuration,
                  concat("configuration (", shortText(context_.text(node))) + ")");
    }
    // A yes-or-no answer (`line.startswith("#")`, `bool(x)`, `isinstance(x, T)`): two keys.
    if (returnsABool(callee, method)) {
      return make(KeySource::Closed, concat(kYesOrNo, shortText(context_.text(node))));
    }
    // A class called makes a new instance each time.
    if (kindOf(function) == NodeKind::Identifier) {
      TSNode class_node{};
      if (isClassReceiver(context_, scope, function, &class_node)) {
        return make(KeySource::Object, concat(kNewInstance, "instance of `cls`"));
      }
      const Resolution resolution =
          semantic_.resolve(scope, context_.text(function), ts_node_start_byte(function));
      if (resolution.kind == Resolution::Kind::Bound &&
          resolution.binding->kind == BindingKind::ClassDefinition) {
        // `Level(name)` of an Enum: one of its members.
        const TSNode definition = resolution.binding->node;
        if (!resolution.binding->prelude && kindOf(definition) == NodeKind::ClassDefinition &&
            isEnumClass(context_, definition, resolution.binding->scope)) {
          return make(KeySource::Closed,
                      concat("a member of the Enum `", context_.text(function), "`"));
        }
        return make(KeySource::Object, concat(kNewInstance, "`", context_.text(function), "`"));
      }
      // A ctypes function pointer (`listener_t = ctypes.CFUNCTYPE(...)`, then
      // `listener_t(callback)`): C code calls it, and the ctypes documentation says to keep it
      // alive for as long as C may; a container of them holds them on purpose.
      if (resolution.kind == Resolution::Kind::Bound &&
          isCallbackPointerType(*resolution.binding)) {
        return make(KeySource::Closed, "a ctypes callback kept alive for C code");
      }
    }
    KeyEvidence result = make(KeySource::Closed, "a literal");
    bool any = false;
    if (callee.starts_with("builtins.")) {
      const std::string_view name = std::string_view(callee).substr(9);
      bool value_builtin = false;
      for (std::string_view known : kValueBuiltins)
        value_builtin = value_builtin || known == name;
      if (!value_builtin) return make(KeySource::Unknown, shortText(context_.text(node)));
    } else if (kindOf(function) == NodeKind::Attribute && callee.empty()) {
      // A method: its result is made from its receiver (and arguments). What a method of
      // `self` returns comes from the instance's state, which the code around does not show.
      const TSNode receiver = unwrap(childByField(function, Field::Object));
      if (kindOf(receiver) == NodeKind::Identifier &&
          isInstanceReceiver(context_, scope, receiver)) {
        merge(result, make(KeySource::Unknown, shortText(context_.text(node))));
      } else {
        merge(result, find(scope, receiver, depth + 1));
      }
      any = true;
    }
    for (uint32_t i = 0; i < count; ++i) {
      TSNode argument = nthNamedChild(arguments, i);
      if (kindOf(argument) == NodeKind::Comment) continue;
      if (kindOf(argument) == NodeKind::KeywordArgument) {
        argument = childByField(argument, Field::Value);
      } else if (kindOf(argument) == NodeKind::ListSplat ||
                 kindOf(argument) == NodeKind::DictionarySplat) {
        argument = nthNamedChild(argument, 0);
      }
      any = true;
      // A callback handed to the call (`on_error=_report`) does not make its result.
      if (!isFunctionValue(scope, argument)) merge(result, find(scope, argument, depth + 1));
    }
    // `uuid4()`, `time.time()`, `next_id()`: nothing says what comes back.
    if (!any) return make(KeySource::Unknown, shortText(context_.text(node)));
    return derived(result, node);
  }

  bool isFunctionValue(ScopeId scope, TSNode node) const {
    if (kindOf(node) == NodeKind::Lambda) return true;
    if (kindOf(node) != NodeKind::Identifier) return false;
    const Resolution resolution =
        semantic_.resolve(scope, context_.text(node), ts_node_start_byte(node));
    return resolution.kind == Resolution::Kind::Bound &&
           resolution.binding->kind == BindingKind::FunctionDefinition;
  }

  KeyEvidence attribute(ScopeId scope, TSNode node, int depth) {
    const TSNode object = unwrap(childByField(node, Field::Object));
    const std::string_view name = context_.text(childByField(node, Field::AttributeName));
    if (name == "__class__") return make(KeySource::Class, shortText(context_.text(node)));
    const SizeEvidence size = iterableSize(context_, scope, node);
    if (size.size == Size::Configuration) {
      return make(KeySource::Configuration, concat("the setting ", shortText(context_.text(node))));
    }
    if (size.size == Size::Data && !size.from_parameter) {
      return make(KeySource::Data, size.reason);
    }
    // `settings.ROOT_URLCONF`: an attribute of a configuration object.
    const std::string object_name = semantic_.qualifiedName(scope, object);
    if (!object_name.empty() && library_.isConfigurationSource(object_name)) {
      return make(KeySource::Configuration, concat("the setting ", shortText(context_.text(node))));
    }
    if (kindOf(object) == NodeKind::Identifier) {
      TSNode class_node{};
      if (isInstanceReceiver(context_, scope, object, &class_node)) {
        // `self.on_draw` is a bound method: it holds `self`. Other attributes are the
        // instance's state, which the code around does not show.
        if (definesMethod(class_node, name)) {
          return make(KeySource::Object, concat(kBoundMethod, shortText(context_.text(node))) +
                                             ", which holds `self`");
        }
        return make(KeySource::Unknown, shortText(context_.text(node)));
      }
      if (isClassReceiver(context_, scope, object)) {
        return make(KeySource::Class, shortText(context_.text(node)));
      }
      const Resolution resolution =
          semantic_.resolve(scope, context_.text(object), ts_node_start_byte(object));
      if (resolution.kind == Resolution::Kind::Bound) {
        const BindingKind kind = resolution.binding->kind;
        // `Config.FIELDS`, `os.sep`, `sys.version`: made when the module or class was.
        if (kind == BindingKind::ClassDefinition || kind == BindingKind::Import ||
            kind == BindingKind::FromImport) {
          return make(KeySource::Closed, shortText(context_.text(node)));
        }
      }
    }
    return derived(find(scope, object, depth + 1), node);
  }

  bool definesMethod(TSNode class_node, std::string_view name) const {
    const TSNode body = childByField(class_node, Field::Body);
    const uint32_t count = namedChildCount(body);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode statement = nthNamedChild(body, i);
      bool property = false;
      if (kindOf(statement) == NodeKind::DecoratedDefinition) {
        // `@property` (and `cached_property`, `.setter`): the attribute is a value, not a method.
        const uint32_t decorators = namedChildCount(statement);
        for (uint32_t j = 0; j < decorators; ++j) {
          const TSNode decorator = nthNamedChild(statement, j);
          if (kindOf(decorator) != NodeKind::Decorator) continue;
          const std::string_view last = lastName(decoratorExpression(decorator));
          property = property || last == "property" || last == "cached_property" ||
                     last == "setter" || last == "getter";
        }
        statement = childByField(statement, Field::Definition);
      }
      if (kindOf(statement) == NodeKind::FunctionDefinition &&
          context_.text(childByField(statement, Field::Name)) == name) {
        return !property;
      }
    }
    return false;
  }

  KeyEvidence identifier(ScopeId scope, TSNode node, int depth) {
    const std::string_view name = context_.text(node);
    const Resolution resolution = semantic_.resolve(scope, name, ts_node_start_byte(node));
    if (resolution.kind == Resolution::Kind::Builtin) {
      return make(KeySource::Closed, concat("the builtin `", name) + "`");
    }
    ScopeId binding_scope = kNoScope;
    if (resolution.kind == Resolution::Kind::Bound) {
      binding_scope = resolution.binding->scope;
    } else if (resolution.kind == Resolution::Kind::Ambiguous) {
      binding_scope = scopeBinding(scope, name);
    }
    if (binding_scope == kNoScope) return make(KeySource::Unknown, concat("`", name, "`"));
    const ScopeKind where = semantic_.scope(binding_scope).kind;
    if (where == ScopeKind::Module || where == ScopeKind::Class) {
      if (resolution.kind != Resolution::Kind::Bound) {
        return make(KeySource::Unknown, concat("`", name, "`"));
      }
      return outerName(*resolution.binding, name);
    }
    TSNode class_node{};
    if (isInstanceReceiver(context_, scope, node, &class_node)) {
      // The instances of a metaclass are classes.
      if (isMetaclass(class_node)) return make(KeySource::Class, concat("`", name, "`"));
      // The instances of an Enum are its members, made once with the class.
      if (isEnumClass(context_, class_node, scope)) {
        return make(KeySource::Closed,
                    concat("`", name, "`, a member of the Enum `",
                           context_.text(childByField(class_node, Field::Name)), "`"));
      }
      return make(KeySource::Object, concat("`", name, "`"));
    }
    if (isClassReceiver(context_, scope, node)) {
      return make(KeySource::Class, concat("`", name, "`"));
    }
    // A name bound several times is as strong as its strongest binding; a binding made from the
    // name itself (`segment = str(segment)`) adds what its other bindings hold.
    const std::vector<const Binding*> bindings = semantic_.bindingsIn(binding_scope, name);
    if (bindings.empty() || bindings.size() > kMaxBindings) {
      return make(KeySource::Unknown, concat("`", name, "`"));
    }
    KeyEvidence result = make(KeySource::Closed, "");
    for (const Binding* each : bindings) {
      const auto active = std::find(active_.begin(), active_.end(), each);
      if (active != active_.end()) {
        lowest_skipped_ = std::min(lowest_skipped_, static_cast<size_t>(active - active_.begin()));
        continue;
      }
      active_.push_back(each);
      followed_.push_back(each);
      merge(result, follow(*each, name, depth));
      active_.pop_back();
    }
    return result;
  }

  // localBinding, through the memo. What it records for an entry decides where the entry may
  // stand in for following the binding again: the steps taken (the budget left must cover them),
  // the depth reached (the same, for kMaxDepth), the bindings followed (none may be active, or
  // following would have skipped it), and that nothing was cut short by the limits or by a
  // binding made active before this one (the answer would then depend on the way here).
  KeyEvidence follow(const Binding& binding, std::string_view name, int depth) {
    if (memo_ == nullptr) return localBinding(binding, name, depth);
    if (const KeyMemo::Entry* entry = memo_->find(&binding, subject_)) {
      const bool none_active =
          std::none_of(entry->followed.begin(), entry->followed.end(), [&](const void* each) {
            return std::find(active_.begin(), active_.end(), each) != active_.end();
          });
      if (steps_ + entry->steps <= kMaxSteps && depth + entry->depth_below <= kMaxDepth &&
          none_active) {
        steps_ += entry->steps;
        deepest_ = std::max(deepest_, depth + entry->depth_below);
        for (const void* each : entry->followed)
          followed_.push_back(static_cast<const Binding*>(each));
        return entry->evidence;
      }
    }
    const size_t base = active_.size() - 1;  // where `binding` itself is
    const int steps_before = steps_;
    const int deepest_before = std::exchange(deepest_, depth);
    const bool limited_before = std::exchange(limited_, false);
    const size_t skipped_before = std::exchange(lowest_skipped_, SIZE_MAX);
    const size_t followed_from = followed_.size();
    KeyEvidence result = localBinding(binding, name, depth);
    if (!limited_ && (lowest_skipped_ == SIZE_MAX || lowest_skipped_ >= base)) {
      KeyMemo::Entry entry;
      entry.evidence = result;
      entry.steps = steps_ - steps_before;
      entry.depth_below = deepest_ - depth;
      entry.followed.assign(followed_.begin() + static_cast<std::ptrdiff_t>(followed_from),
                            followed_.end());
      memo_->keep(&binding, subject_, std::move(entry));
    }
    deepest_ = std::max(deepest_, deepest_before);
    limited_ = limited_ || limited_before;
    lowest_skipped_ = std::min(lowest_skipped_, skipped_before);
    return result;
  }

  // A class deriving from `type` (or `abc.ABCMeta`), directly or through classes of this file.
  bool isMetaclass(TSNode class_node) const {
    for (int depth = 0; depth < 8 && !ts_node_is_null(class_node); ++depth) {
      const TSNode bases = childByField(class_node, Field::Superclasses);
      TSNode next{};
      const uint32_t count = namedChildCount(bases);
      for (uint32_t i = 0; i < count; ++i) {
        const TSNode base = nthNamedChild(bases, i);
        const NodeKind kind = kindOf(base);
        if (kind != NodeKind::Identifier && kind != NodeKind::Attribute) continue;
        const std::string name = qualified(0, base);
        if (name == "builtins.type" || name == "abc.ABCMeta" || name == "enum.EnumMeta" ||
            name == "enum.EnumType") {
          return true;
        }
        if (kind != NodeKind::Identifier) continue;
        const Resolution resolution =
            semantic_.resolve(0, context_.text(base), ts_node_start_byte(base));
        if (resolution.kind == Resolution::Kind::Bound &&
            resolution.binding->kind == BindingKind::ClassDefinition) {
          next = resolution.binding->node;
        }
      }
      class_node = next;
    }
    return false;
  }

  // The scope that binds `name` as seen from `scope` (class bodies are not seen from methods).
  ScopeId scopeBinding(ScopeId scope, std::string_view name) const {
    for (ScopeId current = scope; current != kNoScope; current = semantic_.scope(current).parent) {
      if (current != scope && semantic_.scope(current).kind == ScopeKind::Class) continue;
      if (!semantic_.bindingsIn(current, name).empty()) return current;
    }
    return kNoScope;
  }

  // A module- or class-level name: made when the module or class body ran, unless a function
  // rebinds it (`global`).
  KeyEvidence outerName(const Binding& binding, std::string_view name) const {
    if (binding.kind == BindingKind::ClassDefinition) {
      return make(KeySource::Class, concat("the class `", name) + "`");
    }
    for (const Binding* each : semantic_.bindingsIn(binding.scope, name)) {
      if (each->through_global) return make(KeySource::Unknown, concat("`", name, "`"));
    }
    return make(KeySource::Closed, concat("the module-level `", name) + "`");
  }

  KeyEvidence localBinding(const Binding& binding, std::string_view name, int depth) {
    switch (binding.kind) {
      case BindingKind::Parameter:
        return parameter(binding, name);
      case BindingKind::Assignment:
      case BindingKind::NamedExpression:
      case BindingKind::AugmentedAssignment: {
        TSNode target = binding.node;
        TSNode parent = parentOf(target);
        bool direct = true;
        for (int up = 0; up < 4 && !ts_node_is_null(parent); ++up) {
          const NodeKind kind = kindOf(parent);
          if (kind == NodeKind::Assignment || kind == NodeKind::AugmentedAssignment ||
              kind == NodeKind::NamedExpression) {
            break;
          }
          direct = false;  // inside a tuple or list pattern: a part of the value
          target = parent;
          parent = parentOf(parent);
        }
        const NodeKind kind = kindOf(parent);
        if (kind != NodeKind::Assignment && kind != NodeKind::AugmentedAssignment &&
            kind != NodeKind::NamedExpression) {
          return make(KeySource::Unknown, concat("`", name, "`"));
        }
        const TSNode value =
            childByField(parent, kind == NodeKind::NamedExpression ? Field::Value : Field::Right);
        KeyEvidence evidence = find(binding.scope, value, depth + 1);
        if (!direct || kind == NodeKind::AugmentedAssignment) evidence = derived(evidence, value);
        return named(std::move(evidence), name);
      }
      case BindingKind::LoopTarget:
      case BindingKind::ComprehensionTarget:
        return loopTarget(binding, name, depth);
      case BindingKind::WithTarget: {
        TSNode item = parentOf(binding.node);
        for (int up = 0; up < 3 && kindOf(item) != NodeKind::AsPattern; ++up) {
          item = parentOf(item);
        }
        if (kindOf(item) != NodeKind::AsPattern) {
          return make(KeySource::Unknown, concat("`", name, "`"));
        }
        return named(derived(find(binding.scope, nthNamedChild(item, 0), depth + 1), item), name);
      }
      case BindingKind::Import:
      case BindingKind::FromImport:
        return make(KeySource::Closed, concat("the imported `", name) + "`");
      case BindingKind::FunctionDefinition:
        return make(KeySource::Object, concat("`", name, "`", kFunctionPerCall));
      case BindingKind::ClassDefinition:
        return make(KeySource::Object, concat("`", name, "`", kClassPerCall));
      default:
        return make(KeySource::Unknown, concat("`", name, "`"));
    }
  }

  // Names the value in the reason: "`color`, made from ...".
  static KeyEvidence named(KeyEvidence evidence, std::string_view name) {
    if (evidence.source >= KeySource::Entity &&
        !evidence.reason.starts_with(concat("`", name, "`"))) {
      evidence.reason = concat("`", name) + "`, " + evidence.reason;
    }
    return evidence;
  }

  // `for line in handle:` binds items of `handle`: data when the iterable is, and made from
  // whatever the iterable is made from otherwise.
  KeyEvidence loopTarget(const Binding& binding, std::string_view name, int depth) {
    TSNode loop = parentOf(binding.node);
    for (int up = 0; up < 6 && !ts_node_is_null(loop); ++up) {
      const NodeKind kind = kindOf(loop);
      if (kind == NodeKind::ForStatement || kind == NodeKind::ForInClause) break;
      loop = parentOf(loop);
    }
    if (kindOf(loop) != NodeKind::ForStatement && kindOf(loop) != NodeKind::ForInClause) {
      return make(KeySource::Unknown, concat("`", name, "`"));
    }
    ScopeId scope = binding.scope;
    if (kindOf(loop) == NodeKind::ForInClause && isFirstClause(loop)) {
      scope = semantic_.scope(binding.scope).parent;  // evaluated outside the comprehension
    }
    const TSNode iterable = childByField(loop, Field::Right);
    const SizeEvidence size = iterableSize(context_, scope, iterable);
    const std::string item = concat("`", name) + "`, an item of ";
    switch (size.size) {
      case Size::Small:
        return make(KeySource::Closed, item + size.reason);
      case Size::Configuration:
        return make(KeySource::Configuration, item + size.reason);
      case Size::Data:
        if (!size.from_parameter) return make(KeySource::Data, item + size.reason);
        break;
      case Size::Unknown:
        break;
    }
    return named(derived(find(scope, iterable, depth + 1), iterable), name);
  }

  static bool isFirstClause(TSNode clause) {
    const TSNode comprehension = parentOf(clause);
    const uint32_t count = namedChildCount(comprehension);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode child = nthNamedChild(comprehension, i);
      if (kindOf(child) == NodeKind::ForInClause) return ts_node_eq(child, clause);
    }
    return false;
  }

  KeyEvidence parameter(const Binding& binding, std::string_view name) const {
    const Scope& function = semantic_.scope(binding.scope);
    const std::string shown = concat("`", name, "`");
    if (isConfigurationParameterName(name)) {
      return make(KeySource::Configuration, shown + ", the configuration passed in");
    }
    // Where the parameter sits, and what its annotation says.
    const TSNode parameters = childByField(function.node, Field::Parameters);
    const uint32_t count = namedChildCount(parameters);
    uint32_t index = 0;
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode entry = nthNamedChild(parameters, i);
      const TSNode entry_name = parameterName(entry);
      if (ts_node_is_null(entry_name)) continue;
      if (ts_node_start_byte(entry_name) == binding.offset) {
        if (index == 0 && context_.text(childByField(function.node, Field::Name)) == "__new__") {
          return make(KeySource::Class, shown);
        }
        // A plain `args` read through its attributes (`args.topic`): argparse's name for the
        // command line parsed, as many values as a user types.
        if (isParsedArgumentsParameterName(name) && !isVariadic(entry) &&
            usesAttributesOf(function.node, name, /*fields_only=*/true)) {
          return make(KeySource::Configuration, shown + ", the command line parsed");
        }
        const TSNode annotation = childByField(entry, Field::TypeAnnotation);
        std::string_view class_name;
        const AnnotationKind kind = annotationKind(binding.scope, annotation, &class_name);
        if (kind == AnnotationKind::ClassObject) return make(KeySource::Class, shown);
        // An object of the project's, when the function uses it as one (`contact.name`): a
        // name imported from the project may also be a type alias (`Pos = int`).
        if (kind == AnnotationKind::ProjectObject && usesAttributesOf(function.node, name)) {
          return make(KeySource::Object, concat(shown, ", a `", class_name, "`"));
        }
        if (binding.scope != subject_ || isVariadic(entry) || index >= 32) {
          return make(KeySource::Unknown, shown);
        }
        KeyEvidence result =
            make(KeySource::Closed,
                 shown + ", a parameter of `" + functionDisplayName(context_, subject_) + "()`");
        result.parameters = 1U << index;
        return result;
      }
      ++index;
    }
    return make(KeySource::Unknown, shown);
  }

  enum class AnnotationKind : uint8_t { Other, ClassObject, ProjectObject };

  // Whether the body of `function` reads an attribute of the name (`contact.name`,
  // `contact.get()`), or with `fields_only` a field that it does not call (`args.topic`, not
  // `args.sort()`). Iterative; nested definitions are their own.
  bool usesAttributesOf(TSNode function, std::string_view name, bool fields_only = false) const {
    bool found = false;
    visitSubtree(childByField(function, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::ClassDefinition) {
        return Visit::SkipChildren;
      }
      if (kind == NodeKind::Attribute) {
        const TSNode object = childByField(node, Field::Object);
        const TSNode parent = parentOf(node);
        const bool called = kindOf(parent) == NodeKind::Call &&
                            ts_node_eq(childByField(parent, Field::Function), node);
        if (!(fields_only && called) && kindOf(object) == NodeKind::Identifier &&
            context_.text(object) == name) {
          found = true;
          return Visit::Stop;
        }
      }
      return Visit::Descend;
    });
    return found;
  }

  std::string_view lastName(TSNode annotation) const {
    const std::string_view text = context_.text(annotation);
    const size_t bracket = text.find('[');
    const std::string_view head = text.substr(0, bracket);
    const size_t dot = head.rfind('.');
    return dot == std::string_view::npos ? head : head.substr(dot + 1);
  }

  // `type[X]` holds classes; `Contact` (or `Optional[Contact]`, `Contact | None`) an instance of
  // a class of the project: one object per call, which a key made of it keeps alive.
  AnnotationKind annotationKind(ScopeId scope, TSNode annotation,
                                std::string_view* class_name) const {
    annotation = unwrap(annotation);
    const NodeKind kind = kindOf(annotation);
    if (kind == NodeKind::GenericType || kind == NodeKind::Subscript) {
      const TSNode head = nthNamedChild(annotation, 0);
      const std::string_view last = lastName(head);
      if (last == "type" || last == "Type") return AnnotationKind::ClassObject;
      if (last == "Optional" || last == "Union") {
        bool project = false;
        visitSubtree(annotation, [&](TSNode child, TSFieldId /*field*/) {
          if (ts_node_eq(child, annotation)) return Visit::Descend;
          if (ts_node_eq(child, head)) return Visit::SkipChildren;
          const NodeKind child_kind = kindOf(child);
          if (child_kind == NodeKind::Identifier || child_kind == NodeKind::Attribute) {
            if (!project && isProjectClass(scope, child)) {
              project = true;
              *class_name = lastName(child);
            }
            return Visit::SkipChildren;
          }
          return Visit::Descend;
        });
        return project ? AnnotationKind::ProjectObject : AnnotationKind::Other;
      }
      return AnnotationKind::Other;
    }
    if (kind == NodeKind::BinaryOperator || kind == NodeKind::UnionType) {
      const uint32_t count = namedChildCount(annotation);
      for (uint32_t i = 0; i < count; ++i) {
        if (annotationKind(scope, nthNamedChild(annotation, i), class_name) ==
            AnnotationKind::ProjectObject) {
          return AnnotationKind::ProjectObject;
        }
      }
      return AnnotationKind::Other;
    }
    if (kind == NodeKind::Identifier || kind == NodeKind::Attribute) {
      if (!isProjectClass(scope, annotation)) return AnnotationKind::Other;
      *class_name = lastName(annotation);
      return AnnotationKind::ProjectObject;
    }
    return AnnotationKind::Other;
  }

  // A class defined in this file, or imported from the file's own top-level package.
  bool isProjectClass(ScopeId scope, TSNode expression) const {
    const std::string_view last = lastName(expression);
    if (last.empty() || last.front() < 'A' || last.front() > 'Z') return false;
    if (kindOf(expression) == NodeKind::Identifier) {
      const Resolution resolution =
          semantic_.resolve(scope, context_.text(expression), ts_node_start_byte(expression));
      if (resolution.kind == Resolution::Kind::Bound &&
          resolution.binding->kind == BindingKind::ClassDefinition) {
        return true;
      }
    }
    const std::string name = semantic_.qualifiedName(scope, expression);
    if (name.empty() || top_package_.empty()) return false;
    const std::string absolute = absoluteName(name, context_.options().module);
    return absolute.size() > top_package_.size() && absolute.starts_with(top_package_) &&
           absolute[top_package_.size()] == '.';
  }

  const RuleContext& context_;
  const SemanticModel& semantic_;
  LibraryKnowledge library_;
  ScopeId subject_;
  std::string top_package_;
  KeyMemo* memo_;
  int steps_ = 0;
  std::vector<const Binding*> active_;  // bindings being followed, against cycles
  // For the memo (follow): since the binding being followed began.
  int deepest_ = 0;                       // the deepest find()
  bool limited_ = false;                  // a find() cut short by kMaxDepth or kMaxSteps
  size_t lowest_skipped_ = SIZE_MAX;      // the lowest index in active_ of a binding skipped
  std::vector<const Binding*> followed_;  // every binding followed, in order
};

}  // namespace

std::string_view keySourceName(KeySource source) {
  switch (source) {
    case KeySource::Closed:
      return "closed";
    case KeySource::Class:
      return "class";
    case KeySource::Configuration:
      return "configuration";
    case KeySource::Parameter:
      return "parameter";
    case KeySource::Unknown:
      return "unknown";
    case KeySource::Entity:
      return "entity";
    case KeySource::Object:
      return "object";
    case KeySource::Data:
      return "data";
  }
  return "unknown";
}

std::string reasonForFacts(std::string_view reason) {
  constexpr std::string_view kAtLine = " at line ";
  std::string portable;
  portable.reserve(reason.size());
  size_t from = 0;
  for (size_t at = reason.find(kAtLine); at != std::string_view::npos;
       at = reason.find(kAtLine, from)) {
    size_t end = at + kAtLine.size();
    while (end < reason.size() && std::isdigit(static_cast<unsigned char>(reason[end])) != 0) {
      ++end;
    }
    portable.append(reason.substr(from, at - from));
    // Not followed by a number: the words stay.
    if (end == at + kAtLine.size()) portable.append(kAtLine);
    from = end;
  }
  portable.append(reason.substr(from));
  return portable;
}

KeyEvidence keyEvidence(const RuleContext& context, ScopeId scope, TSNode expression) {
  return KeyFinder(context, scope).find(scope, expression, 0);
}

KeyEvidence keyEvidence(const RuleContext& context, ScopeId scope, TSNode expression,
                        KeyMemo* memo) {
  return KeyFinder(context, scope, memo).find(scope, expression, 0);
}

const KeyMemo::Entry* KeyMemo::find(const void* binding, ScopeId subject) const {
  const auto it = entries_.find({binding, subject});
  return it == entries_.end() ? nullptr : &it->second;
}

void KeyMemo::keep(const void* binding, ScopeId subject, Entry entry) {
  entries_.emplace(std::make_pair(binding, subject), std::move(entry));
}

std::vector<ParameterSlot> parameterSlots(const RuleContext& context, TSNode function,
                                          ScopeId scope) {
  std::vector<ParameterSlot> slots;
  const TSNode parameters = childByField(function, Field::Parameters);
  const uint32_t count = namedChildCount(parameters);
  bool positional = true;
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode entry = nthNamedChild(parameters, i);
    const NodeKind kind = kindOf(entry);
    if (kind == NodeKind::KeywordSeparator) positional = false;
    const TSNode name = parameterName(entry);
    if (ts_node_is_null(name)) continue;
    ParameterSlot slot;
    slot.name = context.text(name);
    slot.variadic = isVariadic(entry);
    if (slot.variadic) positional = false;
    slot.positional = positional && !slot.variadic;
    const TSNode value = childByField(entry, Field::Value);
    if (!ts_node_is_null(value)) slot.when_omitted = keyEvidence(context, scope, value).overall();
    slots.push_back(slot);
  }
  return slots;
}

}  // namespace heaplint
