#include "analyzer/class_layout.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/code_model.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/syntax.h"
#include "analyzer/walker.h"

namespace heaplint {
namespace {

// Class decorators that neither replace the class nor change its layout.
constexpr std::array<std::string_view, 5> kNeutralDecorators = {
    "functools.total_ordering", "typing.final",       "typing_extensions.final",
    "typing.runtime_checkable", "abc.abstractmethod",
};

bool sameNode(TSNode a, TSNode b) {
  return a.id == b.id;
}

// The value of keyword argument `name` in a decorator call's arguments, as written.
std::string_view keyword(const RuleContext& context, TSNode arguments, std::string_view name) {
  const uint32_t count = namedChildCount(arguments);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode argument = nthNamedChild(arguments, i);
    if (kindOf(argument) == NodeKind::KeywordArgument &&
        context.text(childByField(argument, Field::Name)) == name) {
      return context.text(childByField(argument, Field::Value));
    }
  }
  return {};
}

// The decorator's name through imports, or as written when it is not an import (a function of
// this module): `cached` for `@cached(size=10)`.
std::string decoratorNameOrSpelling(const RuleContext& context, TSNode decorator, ScopeId scope) {
  std::string name = decoratorName(context, decorator, scope);
  if (!name.empty()) return name;
  TSNode expression = decoratorExpression(decorator);
  if (kindOf(expression) == NodeKind::Call) expression = childByField(expression, Field::Function);
  return std::string(context.text(expression));
}

void classifyDecorator(const RuleContext& context, TSNode decorator, ScopeId scope,
                       ClassLayout& layout) {
  const TSNode expression = decoratorExpression(decorator);
  const TSNode arguments =
      kindOf(expression) == NodeKind::Call ? childByField(expression, Field::Arguments) : TSNode{};
  const std::string name = decoratorName(context, decorator, scope);
  const std::string_view slots = keyword(context, arguments, "slots");
  if (name == "dataclasses.dataclass") {
    // `**options` may say anything the call does not: `slots=True`, `weakref_slot=True`.
    bool splat = false;
    for (uint32_t i = 0, count = namedChildCount(arguments); i < count; ++i) {
      splat = splat || kindOf(nthNamedChild(arguments, i)) == NodeKind::DictionarySplat;
    }
    if (slots == "True") {
      layout.declares_slots = true;
      layout.dataclass_slots = true;
      // Only a literal false value (or none) says the instances have no `__weakref__`.
      const std::string_view weakref_slot = keyword(context, arguments, "weakref_slot");
      layout.dataclass_weakref_slot = splat || !(weakref_slot.empty() || weakref_slot == "False" ||
                                                 weakref_slot == "0" || weakref_slot == "None");
    } else if (!slots.empty() || splat) {
      layout.keeps_dict = true;  // slots=False, or computed: an explicit choice
    } else {
      layout.dataclass_decorator = decorator;
    }
  } else if (name == "attr.define" || name == "attr.mutable" || name == "attr.frozen" ||
             name == "attrs.define" || name == "attrs.mutable" || name == "attrs.frozen") {
    // attrs' next-generation API makes slotted classes unless told otherwise.
    (slots == "False" ? layout.keeps_dict : layout.declares_slots) = true;
    layout.library_slots = slots != "False";
  } else if (name == "attr.s" || name == "attr.attrs" || name == "attrs.attrs") {
    (slots == "True" ? layout.declares_slots : layout.keeps_dict) = true;
    layout.library_slots = slots == "True";
  } else if (std::find(kNeutralDecorators.begin(), kNeutralDecorators.end(), name) ==
             kNeutralDecorators.end()) {
    layout.keeps_dict = true;  // an unknown decorator may replace the class
    layout.layout_not_own = true;
  }
}

// `metaclass=abc.ABCMeta`: it checks abstract methods and leaves the instances' layout alone.
bool isAbcMetaclass(const RuleContext& context, TSNode argument, ScopeId scope) {
  return kindOf(argument) == NodeKind::KeywordArgument &&
         context.text(childByField(argument, Field::Name)) == "metaclass" &&
         context.semantic().qualifiedName(scope, childByField(argument, Field::Value)) ==
             "abc.ABCMeta";
}

// Whether `attribute` (an `x.name` node) is assigned to: the target of an assignment, an augmented
// assignment, a `for` or a `with ... as`, alone or in (nested, starred) tuples of targets.
bool isStoreTarget(TSNode attribute) {
  TSNode target = attribute;
  TSNode parent = parentOf(target);
  for (NodeKind wrapper = kindOf(parent);
       wrapper == NodeKind::PatternList || wrapper == NodeKind::TuplePattern ||
       wrapper == NodeKind::ListPattern || wrapper == NodeKind::ExpressionList ||
       wrapper == NodeKind::ListSplatPattern || wrapper == NodeKind::ParenthesizedExpression;
       wrapper = kindOf(parent)) {
    target = parent;
    parent = parentOf(parent);
  }
  const NodeKind kind = kindOf(parent);
  if (kind == NodeKind::AsPatternTarget) return true;
  return (kind == NodeKind::Assignment || kind == NodeKind::AugmentedAssignment ||
          kind == NodeKind::ForStatement) &&
         sameNode(childByField(parent, Field::Left), target);
}

// An ASCII identifier that a class body's `__slots__` holds as written: not `__private`, which
// the body would mangle to `_Class__private`, nor a special name such as `__class__` or
// `__dict__`.
bool isSlotIdentifier(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  const bool word = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  return word && !name.starts_with("__");
}

// Whether a method's text may keep the instance's `__dict__` in use (`self.__dict__`,
// `vars(self)`, `setattr(self, name, ...)`): the methods a base's layout reads, and
// those MethodLayoutMemo does not remember (what `vars` and `setattr` are depends on bindings
// outside the method).
bool mayUseTheInstanceDict(std::string_view text) {
  return text.find("__dict__") != std::string_view::npos ||
         text.find("vars") != std::string_view::npos ||
         text.find("setattr") != std::string_view::npos;
}

// Adds `name` to the layout's instance attributes unless it is there: the attributes in the
// order first assigned. A few dozen are scanned; past them a set answers, so that a class
// assigning thousands is read in linear time.
void addInstanceAttribute(ClassLayout& layout, std::string_view name) {
  constexpr size_t kScanned = 32;
  std::vector<std::string_view>& names = layout.instance_attributes;
  if (names.size() < kScanned) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    return;
  }
  std::unordered_set<std::string_view>& index = layout.instance_attribute_index;
  if (index.empty()) index.insert(names.begin(), names.end());
  if (index.insert(name).second) names.push_back(name);
}

class LayoutReader {
 public:
  LayoutReader(const RuleContext& context, ClassLayout& layout)
      : context_(context), layout_(layout) {}

  // `class_scope` may be unknown (kNoScope): decorators' names then resolve from `outer_scope`
  // (callers pass the module's: a class nested in a function misses that function's imports,
  // but the spelling of a name still counts).
  void body(TSNode class_definition, ScopeId class_scope, ScopeId outer_scope) {
    names_scope_ = class_scope != kNoScope ? class_scope : outer_scope;
    const TSNode block = childByField(class_definition, Field::Body);
    const uint32_t count = namedChildCount(block);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode statement = nthNamedChild(block, i);
      switch (kindOf(statement)) {
        case NodeKind::ExpressionStatement:
          assignment(nthNamedChild(statement, 0));
          walrusBindings(statement);
          continue;
        case NodeKind::IfStatement:
        case NodeKind::TryStatement:
        case NodeKind::WithStatement:
        case NodeKind::ForStatement:
        case NodeKind::WhileStatement:
        case NodeKind::MatchStatement:
          nestedBindings(statement);
          continue;
        case NodeKind::ClassDefinition:
          layout_.class_attributes.push_back(context_.text(childByField(statement, Field::Name)));
          continue;
        case NodeKind::ImportStatement:
        case NodeKind::ImportFromStatement:
          importedNames(statement);
          continue;
        default:
          break;
      }
      const bool decorated = kindOf(statement) == NodeKind::DecoratedDefinition;
      if (decorated) statement = childByField(statement, Field::Definition);
      if (kindOf(statement) != NodeKind::FunctionDefinition) continue;
      const std::string_view name = context_.text(childByField(statement, Field::Name));
      layout_.class_attributes.push_back(name);
      if (decorated && isPropertyDefinition(statement)) layout_.properties.push_back(name);
      if (decorated && cachesOnTheInstance(statement)) layout_.keeps_dict = true;
      if (name == "__getattr__" || name == "__getattribute__" || name == "__setattr__") {
        layout_.keeps_dict = true;
      }
      if (name == "__new__" &&
          ((decorated && class_scope != kNoScope && cachesInstances(statement, class_scope)) ||
           (class_scope != kNoScope && looksUpInstances(statement, class_scope)))) {
        layout_.interned = true;
      }
    }
  }

  // `@property`, `@name.setter`: assigning the name through the instance calls the property.
  // (Only a property with a setter can be assigned, and `.setter` is spelled the same whatever
  // name `property` was imported as.)
  bool isPropertyDefinition(TSNode function) const {
    return anyDecorator(function, [&](TSNode decorator) {
      const std::string_view text = context_.text(decoratorExpression(decorator));
      return text == "property" || text.ends_with(".setter");
    });
  }

  // A decorator that stores the method's result in the instance's `__dict__`:
  // `functools.cached_property` by any name it is imported as, and the libraries' descriptors
  // named for caching on the instance (Django's and Werkzeug's `cached_property`, Pyramid's
  // `reify`, SQLAlchemy's `memoized_property` and `memoized_instancemethod`, Mercurial's
  // `propertycache`, pandas' `cache_readonly`, jaraco's `method_cache`, zope's `Lazy`, the many
  // `lazy_property`s and `lazyprop`s). Slots would make each of them fail on first access. Both
  // the name it resolves to and the name it is spelled with count: quiet is the safe side.
  bool cachesOnTheInstance(TSNode function) const {
    return anyDecorator(function, [&](TSNode decorator) {
      return namedForCachingOnTheInstance(withoutCalls(decoratorExpression(decorator)),
                                          CachingUse::Decorator);
    });
  }

  // `total = cached_property(compute)` in the body: the callee, by either name.
  bool callCachesOnTheInstance(TSNode call) const {
    return namedForCachingOnTheInstance(withoutCalls(childByField(call, Field::Function)),
                                        CachingUse::CalledInClassBody);
  }

  // The spelling first: it needs no allocation, and it answers most names. A name the module or
  // the class body binds once to another (`memo = functools.cached_property`, `auto_attr =
  // cached_property`) is followed, four links deep.
  bool namedForCachingOnTheInstance(TSNode expression, CachingUse use) const {
    constexpr int kLinks = 4;
    ScopeId scope = names_scope_;
    for (int link = 0;; ++link) {
      if (LibraryKnowledge::cachesOnTheInstance(spelledName(expression), use) ||
          LibraryKnowledge::cachesOnTheInstance(
              context_.semantic().qualifiedName(scope, expression), use)) {
        return true;
      }
      if (link == kLinks || kindOf(expression) != NodeKind::Identifier) return false;
      const Resolution resolved = context_.semantic().resolve(scope, context_.text(expression),
                                                              ts_node_start_byte(expression));
      if (resolved.kind != Resolution::Kind::Bound) return false;
      TSNode value = singleAssignedValue(context_, *resolved.binding, &scope);
      // `a = b = cached_property`: the value of `a` is the assignment to `b`.
      while (kindOf(value) == NodeKind::Assignment)
        value = childByField(value, Field::Right);
      expression = unparenthesized(value);
      if (ts_node_is_null(expression)) return false;  // not a plain assignment
    }
  }

  // `a.b` for `a.b(1)(2)` and for `(a.b)`.
  static TSNode withoutCalls(TSNode expression) {
    for (;;) {
      if (kindOf(expression) == NodeKind::Call) {
        expression = childByField(expression, Field::Function);
      } else if (kindOf(expression) == NodeKind::ParenthesizedExpression) {
        TSNode inner{};
        for (uint32_t i = 0, count = namedChildCount(expression); i < count; ++i) {
          inner = nthNamedChild(expression, i);
          if (kindOf(inner) != NodeKind::Comment) break;
        }
        expression = inner;
      } else {
        return expression;
      }
    }
  }

  // The text of a name or a chain of attributes (`functools.cached_property`); empty for any
  // other expression (`hooks["lazy_property"]`), whose text says nothing of what it is.
  std::string_view spelledName(TSNode expression) const {
    for (TSNode link = expression; kindOf(link) != NodeKind::Identifier;
         link = childByField(link, Field::Object)) {
      if (kindOf(link) != NodeKind::Attribute) return {};
    }
    return context_.text(expression);
  }

  template <typename Accepts>
  bool anyDecorator(TSNode function, const Accepts& accepts) const {
    const TSNode decorated = decoratedDefinitionOf(function);
    for (uint32_t i = 0, count = namedChildCount(decorated); i < count; ++i) {
      const TSNode decorator = nthNamedChild(decorated, i);
      if (kindOf(decorator) == NodeKind::Decorator && accepts(decorator)) return true;
    }
    return false;
  }

  // method(), through the memo when the method's text alone decides what it assigns
  // (MethodLayoutMemo; the caller has checked that the document does not name `builtins`).
  void rememberedMethod(MethodLayoutMemo& memo, TSNode function, ScopeId function_scope) {
    const std::string_view text = context_.text(function);
    if (!ts_node_is_null(decoratedDefinitionOf(function)) || mayUseTheInstanceDict(text)) {
      method(function, function_scope);
      return;
    }
    if (memo.replay(text, layout_)) return;
    ClassLayout own;
    LayoutReader(context_, own).method(function, function_scope);
    memo.remember(text, own);
    layout_.keeps_dict = layout_.keeps_dict || own.keeps_dict;
    for (const std::string_view name : own.instance_attributes)
      addInstanceAttribute(name);
  }

  // What the instance methods assign through their first parameter, nested functions and lambdas
  // included (`def put(v): self.y = v` assigns the instance's attribute as much as the method).
  void method(TSNode function, ScopeId function_scope) {
    if (context_.text(childByField(function, Field::Name)) == "__new__") {
      madeInstances(function, function_scope);
      return;
    }
    const MethodKind kind = methodKind(context_, function_scope);
    if (kind != MethodKind::Instance && kind != MethodKind::Property) return;
    const TSNode receiver = firstParameterName(function);
    if (ts_node_is_null(receiver)) return;
    assignedThrough(function, context_.text(receiver), function_scope);
  }

  // `__new__` assigns the instance it makes through the name it binds it to
  // (`obj = super().__new__(cls)`, `self = object.__new__(cls)`, `inst = Base.__new__(cls)`): a
  // slot must hold those attributes as much as those `__init__` assigns.
  void madeInstances(TSNode function, ScopeId function_scope) {
    visitSubtree(childByField(function, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind node_kind = kindOf(node);
      if (node_kind == NodeKind::ClassDefinition || node_kind == NodeKind::FunctionDefinition ||
          node_kind == NodeKind::Lambda) {
        return Visit::SkipChildren;
      }
      if (node_kind != NodeKind::Assignment) return Visit::Descend;
      const TSNode left = childByField(node, Field::Left);
      const TSNode right = childByField(node, Field::Right);
      if (kindOf(left) != NodeKind::Identifier || kindOf(right) != NodeKind::Call) {
        return Visit::Descend;
      }
      const TSNode callee = childByField(right, Field::Function);
      if (kindOf(callee) == NodeKind::Attribute &&
          context_.text(childByField(callee, Field::AttributeName)) == "__new__") {
        assignedThrough(function, context_.text(left), function_scope);
      }
      return Visit::Descend;
    });
  }

  // What the body of `function` assigns through the name `self`.
  void assignedThrough(TSNode function, std::string_view self, ScopeId function_scope) {
    visitSubtree(childByField(function, Field::Body), [&](TSNode node, TSFieldId /*field*/) {
      const NodeKind node_kind = kindOf(node);
      if (node_kind == NodeKind::ClassDefinition) return Visit::SkipChildren;
      if (node_kind == NodeKind::Attribute) {
        attribute(node, self);
      } else if (node_kind == NodeKind::Call) {
        call(node, self, function_scope);
      }
      return Visit::Descend;
    });
  }

 private:
  // `a = b = None` is a chain of assignments: each link binds (a loop, for chains of any length).
  void assignment(TSNode node) {
    for (TSNode link = node; kindOf(link) == NodeKind::Assignment;
         link = childByField(link, Field::Right)) {
      assignmentLink(link);
    }
  }

  // `LIMIT = (size := 4) * 2` binds `size` in the class body too.
  void walrusBindings(TSNode statement) {
    visitSubtree(statement, [&](TSNode node, TSFieldId /*field*/) {
      switch (kindOf(node)) {
        case NodeKind::NamedExpression:
          layout_.class_attributes.push_back(context_.text(childByField(node, Field::Name)));
          return Visit::Descend;
        case NodeKind::Lambda:
          return Visit::SkipChildren;
        default:
          return Visit::Descend;
      }
    });
  }

  // Whether an `as` target belongs to an `except` clause, whose name is unbound after it.
  static bool inExceptClause(TSNode target) {
    for (TSNode node = parentOf(target); !ts_node_is_null(node); node = parentOf(node)) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::ExceptClause || kind == NodeKind::ExceptGroupClause) return true;
      if (kind != NodeKind::AsPattern && kind != NodeKind::ParenthesizedExpression) return false;
    }
    return false;
  }

  // Names bound in a compound statement of the body (`if`, `try`, `with`, `for`, `while`,
  // `match`): class attributes as much as those bound at the top, `with ... as` targets,
  // `for` targets, `:=` targets and the names `case` patterns capture included.
  void nestedBindings(TSNode statement) {
    visitSubtree(statement, [&](TSNode node, TSFieldId /*field*/) {
      switch (kindOf(node)) {
        case NodeKind::ForStatement:
          targetNames(childByField(node, Field::Left));
          return Visit::Descend;
        case NodeKind::NamedExpression:
          layout_.class_attributes.push_back(context_.text(childByField(node, Field::Name)));
          return Visit::Descend;
        case NodeKind::AsPatternTarget:
          if (!inExceptClause(node)) targetNames(node);
          return Visit::SkipChildren;
        case NodeKind::CasePattern:
          // Every name in a pattern, a class or constant's too: more than it captures.
          targetNames(node);
          return Visit::SkipChildren;
        case NodeKind::Assignment:
          // `__slots__` under an `if` or a `try`: the class may have slots, as code decides.
          if (const TSNode left = childByField(node, Field::Left);
              kindOf(left) == NodeKind::Identifier && context_.text(left) == "__slots__") {
            layout_.declares_slots = true;
            layout_.slots_value = childByField(node, Field::Right);
            layout_.slots_literal = false;
            layout_.slot_names.clear();
            return Visit::Descend;
          }
          targetNames(childByField(node, Field::Left));
          if (const TSNode right = childByField(node, Field::Right);
              kindOf(right) == NodeKind::Call && callCachesOnTheInstance(right)) {
            layout_.keeps_dict = true;
          }
          return Visit::Descend;
        case NodeKind::FunctionDefinition:
          if (cachesOnTheInstance(node)) layout_.keeps_dict = true;
          [[fallthrough]];
        case NodeKind::ClassDefinition:
          layout_.class_attributes.push_back(context_.text(childByField(node, Field::Name)));
          return Visit::SkipChildren;
        case NodeKind::ImportStatement:
        case NodeKind::ImportFromStatement:
          importedNames(node);
          return Visit::SkipChildren;
        case NodeKind::Lambda:
          return Visit::SkipChildren;
        default:
          return Visit::Descend;
      }
    });
  }

  // `import a.b` binds `a`; `from m import x, y as z` binds `x` and `z`.
  void importedNames(TSNode statement) {
    const TSNode module = childByField(statement, Field::ModuleName);
    for (uint32_t i = 0, count = namedChildCount(statement); i < count; ++i) {
      const TSNode name = nthNamedChild(statement, i);
      if (!ts_node_is_null(module) && sameNode(name, module)) continue;
      if (kindOf(name) == NodeKind::AliasedImport) {
        layout_.class_attributes.push_back(context_.text(childByField(name, Field::Alias)));
      } else if (kindOf(name) == NodeKind::DottedName) {
        const TSNode head = kindOf(statement) == NodeKind::ImportStatement
                                ? nthNamedChild(name, 0)
                                : nthNamedChild(name, namedChildCount(name) - 1);
        layout_.class_attributes.push_back(context_.text(head));
      }
    }
  }

  // The identifiers a target binds: `x`, `lo, hi`, `(a, [b, *c])`.
  void targetNames(TSNode target) {
    if (kindOf(target) == NodeKind::Identifier) {
      layout_.class_attributes.push_back(context_.text(target));
      return;
    }
    visitSubtree(target, [&](TSNode inner, TSFieldId /*field*/) {
      if (kindOf(inner) == NodeKind::Identifier) {
        layout_.class_attributes.push_back(context_.text(inner));
      }
      return kindOf(inner) == NodeKind::Attribute || kindOf(inner) == NodeKind::Subscript
                 ? Visit::SkipChildren
                 : Visit::Descend;
    });
  }

  void assignmentLink(TSNode node) {
    const TSNode left = childByField(node, Field::Left);
    // `lo, hi = 0, 10` binds class attributes too.
    if (kindOf(left) != NodeKind::Identifier) {
      targetNames(left);
      return;
    }
    const std::string_view name = context_.text(left);
    if (!ts_node_is_null(childByField(node, Field::TypeAnnotation))) ++layout_.annotated_fields;
    if (name == "__slots__") {
      layout_.declares_slots = true;
      slots(childByField(node, Field::Right));
    } else if (const TSNode right = childByField(node, Field::Right); !ts_node_is_null(right)) {
      layout_.class_attributes.push_back(name);
      if (kindOf(right) == NodeKind::Call) {
        const TSNode callee = childByField(right, Field::Function);
        if (context_.text(callee) == "property") layout_.properties.push_back(name);
        // `total = functools.cached_property(compute)` stores into the instance's `__dict__`.
        if (callCachesOnTheInstance(right)) layout_.keeps_dict = true;
      }
    }
  }

  // `__slots__ = "a"`, `("a", "b")`, `["a"]`, `()`, `{"a": "doc"}`: the names, when every one is
  // a plain string.
  void slots(TSNode value) {
    layout_.slots_value = value;
    layout_.slot_names.clear();
    layout_.slots_literal = false;
    const NodeKind kind = kindOf(value);
    if (kind == NodeKind::String) {
      layout_.slots_literal = addSlotName(value);
      return;
    }
    if (kind != NodeKind::Tuple && kind != NodeKind::List &&
        kind != NodeKind::ParenthesizedExpression && kind != NodeKind::ExpressionList &&
        kind != NodeKind::Dictionary) {
      return;
    }
    const uint32_t count = namedChildCount(value);
    for (uint32_t i = 0; i < count; ++i) {
      TSNode element = nthNamedChild(value, i);
      if (kindOf(element) == NodeKind::Comment) continue;
      if (kind == NodeKind::Dictionary) {
        if (kindOf(element) != NodeKind::Pair) return;  // `**other`
        element = childByField(element, Field::Key);
      }
      if (kindOf(element) != NodeKind::String || !addSlotName(element)) return;
    }
    layout_.slots_literal = true;
  }

  bool addSlotName(TSNode string) {
    const std::optional<std::string_view> name = literalName(string);
    if (name) layout_.slot_names.push_back(*name);
    return name.has_value();
  }

  // The text of a plain string literal (an optional `u` or `r` prefix), without its quotes.
  std::optional<std::string_view> literalName(TSNode string) const {
    if (kindOf(string) != NodeKind::String) return std::nullopt;
    if (namedChildCount(string) > 3) return std::nullopt;  // interpolations: an f-string
    return plainStringContent(context_.text(string));
  }

  void addInstanceAttribute(std::string_view name) {
    heaplint::addInstanceAttribute(layout_, name);
  }

  // A `__new__` that looks its instances up in a mapping of the class or the module
  // (`cls._cache[name]`, `Sym._pool.get(key)`, `_REGISTRY.setdefault(key, ...)`, also through a
  // local bound once to one: `cache = cls._cache`): it hands back cached instances. Not a lookup
  // in what `__new__` is given or makes (`kwargs.get("owner")`, `args[0]`, a loop's item,
  // `cls.__mro__[0]`).
  bool looksUpInstances(TSNode function, ScopeId class_scope) const {
    const SemanticModel& semantic = context_.semantic();
    ScopeId own = kNoScope;  // the scope of `__new__` itself
    for (ScopeId id = class_scope + 1; id < semantic.scopeCount() && own == kNoScope; ++id) {
      if (ts_node_eq(semantic.scope(id).node, function)) own = id;
    }
    if (own == kNoScope) return false;
    const std::string_view receiver = context_.text(firstParameterName(function));  // `cls`
    TSNode statement = decoratedDefinitionOf(function);
    if (ts_node_is_null(statement)) statement = function;
    const std::string_view class_name =
        context_.text(childByField(parentOf(parentOf(statement)), Field::Name));
    // Whether `mapping` is the class's (`cls._cache`, `Sym._cache`) or a module-level name's.
    const std::function<bool(TSNode, int)> shared = [&](TSNode mapping, int depth) {
      mapping = unparenthesized(mapping);
      if (kindOf(mapping) == NodeKind::Attribute) {
        const std::string_view owner = context_.text(childByField(mapping, Field::Object));
        const std::string_view name = context_.text(childByField(mapping, Field::AttributeName));
        // Not a special name (`cls.__mro__`); a private one (`cls.__instances`) is the class's.
        return (owner == receiver || owner == class_name) &&
               !(name.starts_with("__") && name.ends_with("__"));
      }
      if (kindOf(mapping) != NodeKind::Identifier || depth > 2) return false;
      const Resolution resolution =
          semantic.resolve(own, context_.text(mapping), ts_node_start_byte(mapping));
      if (resolution.kind != Resolution::Kind::Bound) return false;
      const Binding& binding = *resolution.binding;
      if (semantic.scope(binding.scope).kind == ScopeKind::Module) return true;
      if (binding.scope != own) return false;
      // `cache = cls._cache`: a local alias of a shared mapping.
      ScopeId value_scope = kNoScope;
      const TSNode value = singleAssignedValue(context_, binding, &value_scope);
      return !ts_node_is_null(value) && shared(value, depth + 1);
    };
    bool found = false;
    visitSubtree(childByField(function, Field::Body), [&](TSNode node, TSFieldId) {
      const NodeKind kind = kindOf(node);
      if (kind == NodeKind::FunctionDefinition || kind == NodeKind::Lambda ||
          kind == NodeKind::ClassDefinition) {
        return Visit::SkipChildren;
      }
      if (kind == NodeKind::Subscript) {
        found = shared(childByField(node, Field::Value), 0);
      } else if (kind == NodeKind::Call) {
        const TSNode callee = childByField(node, Field::Function);
        const std::string_view method = context_.text(childByField(callee, Field::AttributeName));
        found = kindOf(callee) == NodeKind::Attribute &&
                (method == "get" || method == "setdefault") &&
                shared(childByField(callee, Field::Object), 0);
      }
      return found ? Visit::Stop : Visit::Descend;
    });
    return found;
  }

  bool cachesInstances(TSNode function, ScopeId class_scope) const {
    const LibraryKnowledge library(context_.options().settings->libraries);
    const TSNode decorated = decoratedDefinitionOf(function);
    const uint32_t count = namedChildCount(decorated);
    for (uint32_t i = 0; i < count; ++i) {
      const TSNode decorator = nthNamedChild(decorated, i);
      if (kindOf(decorator) != NodeKind::Decorator) continue;
      const std::string name = decoratorNameOrSpelling(context_, decorator, class_scope);
      const std::string_view last = std::string_view(name).substr(name.rfind('.') + 1);
      if (library.memoizer(name) || last.find("cache") != std::string_view::npos) return true;
    }
    return false;
  }

  // `self.__dict__`, and an attribute assigned through the instance.
  void attribute(TSNode node, std::string_view self) {
    const TSNode object = childByField(node, Field::Object);
    if (kindOf(object) != NodeKind::Identifier || context_.text(object) != self) return;
    const std::string_view name = context_.text(childByField(node, Field::AttributeName));
    if (name == "__dict__") {
      layout_.keeps_dict = true;
    } else if (isStoreTarget(node)) {
      // `self.__class__ = Frozen` and the like: special names no slot can stand for.
      if (name.starts_with("__") && name.ends_with("__")) {
        layout_.keeps_dict = true;
      } else {
        addInstanceAttribute(name);
      }
    }
  }

  // `super().__setattr__` or `self.__setattr__`: the callee's object is the instance.
  bool isInstanceSetattr(TSNode callee, std::string_view self) const {
    const TSNode object = childByField(callee, Field::Object);
    return (kindOf(object) == NodeKind::Call &&
            context_.text(childByField(object, Field::Function)) == "super") ||
           (kindOf(object) == NodeKind::Identifier && context_.text(object) == self);
  }

  // An attribute set by the name in `literal`: an attribute of the instance when the literal is
  // an identifier that slots can hold as written; else (computed, an f-string, `"__private"`,
  // which a class body would mangle, `"content-type"`) the instance's `__dict__` is in use.
  void setByName(TSNode literal) {
    const std::optional<std::string_view> name = literalName(literal);
    if (name && isSlotIdentifier(*name)) {
      addInstanceAttribute(*name);
    } else {
      layout_.keeps_dict = true;
    }
  }

  // `vars(self)`, `setattr(self, name, ...)`, when they are the builtins,
  // `object.__setattr__(self, name, ...)`, `super().__setattr__(name, ...)` and
  // `self.__setattr__(name, ...)`.
  void call(TSNode node, std::string_view self, ScopeId scope) {
    const TSNode arguments = childByField(node, Field::Arguments);
    const TSNode first = firstNamedChildSkippingExtras(arguments);
    const TSNode callee = childByField(node, Field::Function);
    // Any receiver's `__setattr__` with a computed name counts: quiet is the safe side.
    if (kindOf(callee) == NodeKind::Attribute &&
        context_.text(childByField(callee, Field::AttributeName)) == "__setattr__") {
      const bool on_self = kindOf(first) == NodeKind::Identifier && context_.text(first) == self;
      const TSNode attribute = nthNamedChildSkippingExtras(arguments, on_self ? 1 : 0);
      if (on_self || isInstanceSetattr(callee, self)) {
        setByName(attribute);
      } else if (!literalName(attribute)) {
        layout_.keeps_dict = true;
      }
      return;
    }
    if (kindOf(first) != NodeKind::Identifier || context_.text(first) != self) return;
    std::string name = context_.semantic().qualifiedName(scope, callee);
    if (name.empty() && kindOf(callee) == NodeKind::Identifier &&
        context_.semantic()
                .resolve(scope, context_.text(callee), ts_node_start_byte(callee))
                .kind == Resolution::Kind::StarImported) {
      name = "builtins." + std::string(context_.text(callee));
    }
    if (name == "builtins.vars") {
      layout_.keeps_dict = true;
    } else if (name == "builtins.setattr") {
      setByName(nthNamedChildSkippingExtras(arguments, 1));
    }
  }

  const RuleContext& context_;
  ClassLayout& layout_;
  ScopeId names_scope_ = 0;
};

}  // namespace

namespace {

// What the class statement says before its body: metaclasses, computed bases, decorators.
void readHeader(const RuleContext& context, TSNode class_definition, ScopeId scope,
                ClassLayout& layout) {
  const TSNode bases = childByField(class_definition, Field::Superclasses);
  const uint32_t base_count = namedChildCount(bases);
  for (uint32_t i = 0; i < base_count; ++i) {
    const TSNode base = nthNamedChild(bases, i);
    const NodeKind kind = kindOf(base);
    if (kind == NodeKind::KeywordArgument || kind == NodeKind::ListSplat ||
        kind == NodeKind::DictionarySplat) {
      layout.keeps_dict = true;  // a metaclass or computed bases: anything may happen
      layout.layout_not_own = layout.layout_not_own || !isAbcMetaclass(context, base, scope);
    }
  }
  const TSNode decorated = decoratedDefinitionOf(class_definition);
  const uint32_t decorator_count = namedChildCount(decorated);
  for (uint32_t i = 0; i < decorator_count; ++i) {
    const TSNode decorator = nthNamedChild(decorated, i);
    if (kindOf(decorator) == NodeKind::Decorator) {
      classifyDecorator(context, decorator, scope, layout);
    }
  }
}

// Which methods a layout reads: none; those whose text names `__dict__`, `vars` or `setattr`;
// every one but only for what keeps the `__dict__` (the module may call those builtins by
// another name); or all.
enum class Methods { None, UsingTheInstanceDict, EveryOneForTheDict, All };

// Whether the class body defines a decorated `__new__` (which may intern instances).
bool hasDecoratedNew(const RuleContext& context, TSNode class_definition) {
  const TSNode block = childByField(class_definition, Field::Body);
  for (uint32_t i = 0, count = namedChildCount(block); i < count; ++i) {
    const TSNode statement = nthNamedChild(block, i);
    if (kindOf(statement) != NodeKind::DecoratedDefinition) continue;
    const TSNode definition = childByField(statement, Field::Definition);
    if (kindOf(definition) == NodeKind::FunctionDefinition &&
        context.text(childByField(definition, Field::Name)) == "__new__") {
      return true;
    }
  }
  return false;
}

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The attributes the methods assign that the literal `__slots__` neither lists nor leaves to a
// `__dict__` slot, and that no property of the body takes.
std::vector<std::string_view> outsideSlots(const ClassLayout& layout) {
  std::vector<std::string_view> outside;
  if (!layout.slots_literal || contains(layout.slot_names, "__dict__")) return outside;
  // A set, for a generated class that lists thousands of slots.
  const std::unordered_set<std::string_view> slots(layout.slot_names.begin(),
                                                   layout.slot_names.end());
  for (std::string_view attribute : layout.instance_attributes) {
    if (!slots.contains(attribute) && !contains(layout.properties, attribute)) {
      outside.push_back(attribute);
    }
  }
  return outside;
}

ClassLayout readLayout(const RuleContext& context, TSNode class_definition, ScopeId scope,
                       Methods methods) {
  ClassLayout layout;
  readHeader(context, class_definition, scope, layout);
  // A class that names `__slots__` may assign outside them, which only a subclass's `__dict__`
  // makes work: every method is read for what it assigns. Few classes name `__slots__`.
  if (methods != Methods::None &&
      context.text(class_definition).find("__slots__") != std::string_view::npos) {
    methods = Methods::All;
  }
  // Most classes give a base's layout nothing to read beyond their statement: one pass over the
  // text instead of one per method.
  const bool every_method = methods == Methods::All || methods == Methods::EveryOneForTheDict;
  if (methods == Methods::None || (methods == Methods::UsingTheInstanceDict &&
                                   !mayUseTheInstanceDict(context.text(class_definition)) &&
                                   !hasDecoratedNew(context, class_definition))) {
    LayoutReader(context, layout).body(class_definition, kNoScope, scope);
    return layout;
  }
  const SemanticModel& semantic = context.semantic();
  // Scopes are numbered in the order they open, mostly in source order: a binary search by start
  // finds the class's, and a scan stays the answer when a scope opened out of order (a lambda
  // in a class's bases opens before the class's body but starts after the class).
  ScopeId class_scope = kNoScope;
  const uint32_t class_start = ts_node_start_byte(class_definition);
  ScopeId low = 0;
  ScopeId high = static_cast<ScopeId>(semantic.scopeCount());
  while (low < high) {
    const ScopeId middle = low + (high - low) / 2;
    if (ts_node_start_byte(semantic.scope(middle).node) < class_start) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  for (ScopeId id = low;
       id < semantic.scopeCount() && ts_node_start_byte(semantic.scope(id).node) == class_start;
       ++id) {
    if (sameNode(semantic.scope(id).node, class_definition)) class_scope = id;
  }
  for (ScopeId id = 0; id < semantic.scopeCount() && class_scope == kNoScope; ++id) {
    if (sameNode(semantic.scope(id).node, class_definition)) class_scope = id;
  }
  LayoutReader reader(context, layout);
  reader.body(class_definition, class_scope, scope);
  if (class_scope == kNoScope) return layout;
  // A document that names `builtins` may call `setattr` or `vars` by another name in any method.
  // (Only asked with a memo: the command line has none, and would scan the file once a class.)
  MethodLayoutMemo* memo = context.methodLayoutMemo();
  if (memo != nullptr && context.source().text().find("builtins") != std::string_view::npos)
    memo = nullptr;
  // The methods' scopes follow the class's (scopes are numbered in the order they open).
  for (ScopeId id = class_scope + 1; id < semantic.scopeCount(); ++id) {
    const Scope& candidate = semantic.scope(id);
    if (ts_node_start_byte(candidate.node) >= ts_node_end_byte(class_definition)) break;
    if (candidate.parent == class_scope && candidate.kind == ScopeKind::Function &&
        (every_method || mayUseTheInstanceDict(context.text(candidate.node)))) {
      if (memo != nullptr) {
        reader.rememberedMethod(*memo, candidate.node, id);
      } else {
        reader.method(candidate.node, id);
      }
    }
  }
  // Read from a few methods only: not what the instances hold.
  if (methods != Methods::All) {
    layout.instance_attributes.clear();
    layout.instance_attribute_index.clear();
    return layout;
  }
  layout.outside_slots = outsideSlots(layout);
  return layout;
}

}  // namespace

void MethodLayoutMemo::startAnalysis() {
  const std::lock_guard lock(mutex_);
  replayed_ = 0;
  if (!read_afresh_) return;
  read_afresh_ = false;
  ++age_;
  std::erase_if(entries_, [&](const auto& entry) {
    if (entry.second.last_read + kAnalysesKept >= age_) return false;
    remembered_bytes_ -= entry.first.size();
    return true;
  });
}

bool MethodLayoutMemo::replay(std::string_view method_text, ClassLayout& layout) {
  const std::lock_guard lock(mutex_);
  const auto found = entries_.find(method_text);
  if (found == entries_.end()) return false;
  Entry& entry = found->second;
  entry.last_read = age_;
  ++replayed_;
  layout.keeps_dict = layout.keeps_dict || entry.keeps_dict;
  for (const Attribute& attribute : entry.attributes)
    addInstanceAttribute(layout, method_text.substr(attribute.offset, attribute.length));
  return true;
}

void MethodLayoutMemo::remember(std::string_view method_text, const ClassLayout& effects) {
  Entry entry;
  entry.keeps_dict = effects.keeps_dict;
  for (const std::string_view name : effects.instance_attributes) {
    entry.attributes.push_back(Attribute{static_cast<uint32_t>(name.data() - method_text.data()),
                                         static_cast<uint32_t>(name.size())});
  }
  const std::lock_guard lock(mutex_);
  // Also when the text is not remembered: a full memo ages, and makes room.
  read_afresh_ = true;
  if (entries_.size() >= most_remembered_ ||
      remembered_bytes_ + method_text.size() > most_remembered_bytes_) {
    return;
  }
  entry.last_read = age_;
  if (entries_.try_emplace(std::string(method_text), std::move(entry)).second)
    remembered_bytes_ += method_text.size();
}

size_t MethodLayoutMemo::replayed() const {
  const std::lock_guard lock(mutex_);
  return replayed_;
}

ClassLayout declaredClassLayout(const RuleContext& context, TSNode class_definition,
                                ScopeId scope) {
  return readLayout(context, class_definition, scope, Methods::None);
}

ClassLayout baseClassLayout(const RuleContext& context, TSNode class_definition, ScopeId scope,
                            bool module_names_builtins) {
  return readLayout(
      context, class_definition, scope,
      module_names_builtins ? Methods::EveryOneForTheDict : Methods::UsingTheInstanceDict);
}

ClassLayout classLayout(const RuleContext& context, TSNode class_definition, ScopeId scope) {
  return readLayout(context, class_definition, scope, Methods::All);
}

}  // namespace heaplint
