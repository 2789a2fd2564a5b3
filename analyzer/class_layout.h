// What a class's instances hold, as the rules on `__slots__` need it: whether the class already
// has slots, whether its instances must keep a `__dict__` (or their layout is not the class's to
// choose), which attributes its instance methods assign, and whether `__new__` interns instances.
// MEM401 asks whether slots would pay off and what they would list; a rule on weak references to
// slotted instances or on `cached_property` of a slotted class would ask the same.
//
// Answered after the walk (decorators and builtins resolve then), from the class statement alone.
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;

struct ClassLayout {
  // `__slots__` in the body, `@dataclass(slots=True)`, or an attrs class with slots (`@define`,
  // `@frozen` and `@mutable` slot by default, `@attr.s` when given `slots=True`).
  bool declares_slots = false;
  // Instances keep a `__dict__`, or the layout is not the class's own to choose: attributes set
  // through `self.__dict__`, the builtin `vars(self)` or `setattr(self, computed, ...)`; a
  // `__getattr__`, `__getattribute__` or `__setattr__`; a metaclass or computed bases; a class
  // decorator that may replace the class; an explicit `slots=False` (or `@attr.s` without slots).
  bool keeps_dict = false;
  // `__new__` hands back cached instances (a memoizer of the library table, a decorator whose
  // name says `cache`, or a body that looks instances up in a mapping: `cls._cache[name]`,
  // `.get(key)`, `.setdefault(key, ...)`): making one per item makes a handful of objects.
  bool interned = false;
  // A plain `@dataclass` (no `slots=` argument): the decorator that `slots=True` would go to.
  TSNode dataclass_decorator{};
  // Assigned through the instance in the instance methods (not class or static methods) and the
  // functions nested in them, and through the instance `__new__` makes (`obj =
  // super().__new__(cls)`), by assignment or by a literal name through `setattr` or
  // `__setattr__`, in source order.
  std::vector<std::string_view> instance_attributes;
  // `instance_attributes` as a set, once there are more than a few dozen (a generated class may
  // assign 40,000): what addInstanceAttribute asks before adding one. Empty until then.
  std::unordered_set<std::string_view> instance_attribute_index;
  // Names the class body binds with a value (class attributes, methods).
  std::vector<std::string_view> class_attributes;
  size_t annotated_fields = 0;  // `name: T` in the body: a dataclass's fields

  // For the rules that ask what an instance can hold (MEM402-MEM404):
  // The value of `__slots__ = ...` in the body (the last one), or a null node.
  TSNode slots_value{};
  // `slots_value` is a string, or a tuple, list or dictionary of strings (or empty):
  // `slot_names` lists them, quotes removed. False for anything computed.
  bool slots_literal = false;
  std::vector<std::string_view> slot_names;
  // `@dataclass(slots=True)`, and whether it also says `weakref_slot=True`.
  bool dataclass_slots = false;
  bool dataclass_weakref_slot = false;
  // An attrs class with slots: attrs adds `__weakref__` and supports `cached_property` itself.
  bool library_slots = false;
  // The layout may not be what the body says: a metaclass, computed bases, or a class decorator
  // that may replace the class.
  bool layout_not_own = false;
  // Names the body makes properties (`@property`, `@x.setter`, `x = property(...)`): assigning
  // them through the instance calls the property.
  std::vector<std::string_view> properties;
  // With every method read and a literal `__slots__`: the attributes the instance methods assign
  // that the slots do not list (nor leave to a `"__dict__"` slot) and no property takes
  // (`self.extra = 1` with `__slots__ = ("a",)`). The class works only as the base of a class
  // with a `__dict__`, or of one whose slots list them.
  std::vector<std::string_view> outside_slots;
};

// What the instance methods of a document's classes assign, remembered by each method's text: the
// language server reads a slotted class's layout on every keystroke in it (every method, for
// `outside_slots`: in `_pydecimal.py`, a third of the analysis of a keystroke in `Decimal`),
// while all its methods but the edited one are as they were. Only a method whose effects its
// text alone decides is remembered: undecorated (`methodKind` reads no decorator), naming none of
// `setattr`, `vars` and `__dict__`, in a document that does not name `builtins` (no call in it can
// then be those builtins: `call` resolves nothing that matters). Kept across the analyses of one
// document, and shared by the walks of each, which may run side by side.
class MethodLayoutMemo {
 public:
  MethodLayoutMemo() = default;
  // Smaller bounds, for tests.
  MethodLayoutMemo(size_t most_remembered, size_t most_remembered_bytes)
      : most_remembered_(most_remembered), most_remembered_bytes_(most_remembered_bytes) {}

  // An analysis of the document starts: a text not read in the last kAnalysesKept analyses that
  // read a method afresh is forgotten. Typing in a method makes a new text a keystroke, and the
  // texts before it go; an undo a few keystrokes back still finds its text; edits that read no
  // method afresh (outside the slotted classes) age nothing. The methods of a class in a run not
  // walked meanwhile age too: after typing in one big slotted class, the first keystroke back in
  // another reads its methods again.
  void startAnalysis();
  // Adds what a method whose text is `method_text` assigns to `layout`, as reading it would
  // (LayoutReader::method); false when no method of that text is remembered.
  bool replay(std::string_view method_text, ClassLayout& layout);
  // Remembers what the method whose text is `method_text` assigns: `effects` as read from it,
  // whose `instance_attributes` are views into `method_text`. Past either bound the text is not
  // remembered: what is there is the methods of the classes walked lately and the texts typed
  // over lately, each of which may save reading a method again, and aging makes room.
  void remember(std::string_view method_text, const ClassLayout& effects);
  // How many methods replay() has answered since startAnalysis().
  size_t replayed() const;

 private:
  // Analyses that read a method afresh, after which a text none of them read is forgotten.
  static constexpr uint64_t kAnalysesKept = 16;
  struct Attribute {
    uint32_t offset;  // from the start of the method's text
    uint32_t length;
  };
  struct Entry {
    std::vector<Attribute> attributes;  // first assignment first
    bool keeps_dict = false;
    uint64_t last_read = 0;  // `age_` when it was last remembered or replayed
  };
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };

  size_t most_remembered_ = 4096;
  size_t most_remembered_bytes_ = size_t{8} << 20;  // of the methods' texts (the keys)
  mutable std::mutex mutex_;
  // Keyed by the whole text: two methods are told apart by their text, not by a hash of it.
  std::unordered_map<std::string, Entry, TextHash, std::equal_to<>> entries_;
  size_t remembered_bytes_ = 0;
  uint64_t age_ = 0;          // the analyses before this one that read a method afresh
  bool read_afresh_ = false;  // this analysis read a method afresh (remember() was called)
  size_t replayed_ = 0;
};

// The layout of the class defined by `class_definition`, whose statement runs in `scope`.
ClassLayout classLayout(const RuleContext& context, TSNode class_definition, ScopeId scope);

// The same, from the class statement's decorators, bases and body statements only: the methods
// are not read (`instance_attributes` stays empty, `interned` false, and attributes set through
// `self.__dict__` or `vars(self)` are not seen). Cheap enough for every class of a project.
ClassLayout declaredClassLayout(const RuleContext& context, TSNode class_definition, ScopeId scope);

// What slotting a subclass must respect in a base: the declared layout, an interning `__new__`,
// and `keeps_dict` from the methods whose text names `__dict__`, `vars` or `setattr` (only those
// are read, or every method when `module_names_builtins`: the module's text names `builtins`, so
// it may call them by another name; `instance_attributes` stays empty). A class whose text names
// `__slots__` gets its whole layout, `outside_slots` included, as from classLayout(). Cheap
// enough on every keystroke in a big class.
ClassLayout baseClassLayout(const RuleContext& context, TSNode class_definition, ScopeId scope,
                            bool module_names_builtins);

}  // namespace heaplint
