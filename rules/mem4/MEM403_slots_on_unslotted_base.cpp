// MEM403 slots-on-unslotted-base: `__slots__` that save nothing, because a base gives every
// instance a `__dict__` anyway. Decided across files: each file reports its classes
// (class_hierarchy.h); the project step follows every base.

#include <algorithm>
#include <array>
#include <memory>
#include <string>

#include "analyzer/analyze.h"
#include "analyzer/class_hierarchy.h"
#include "analyzer/concat.h"
#include "rules/common.h"

namespace heaplint {
namespace {

constexpr std::string_view kDocumentation = R"md(## What it does
Checks for a class that declares `__slots__` (listing at least one name, and not `"__dict__"`)
or is `@dataclass(slots=True)`, while a class it derives from has no `__slots__`: a class of the
project being linted (in any module) or a standard-library class known to keep a `__dict__`
(`threading.Thread`, `logging.Handler`, `json.JSONEncoder`, `argparse.Action`,
`collections.OrderedDict`, `collections.Counter`, `io` classes, ...). The finding is reported at
the class and names the base and where it is defined: "`__slots__` of `Circle` save no memory:
its base `Shape` (shapes/base.py:3) has no `__slots__`, so every instance still gets a
`__dict__`".

## Why is this bad?
Slots save memory only when no class of the MRO gives instances a `__dict__`. Below a base
without `__slots__`, every instance still carries the dictionary (about 100 bytes and up on
CPython 3.11) and the slots add their own pointers on top: the class pays for slots and gets
nothing back. Attributes outside the slots are still accepted, too, so the slots do not even
catch typos. The fix belongs in the base: `__slots__ = ()` there (or the base's own attribute
names) makes the subclass's slots work.

## Known problems
A preview rule (on with `--preview`): blind review judged 5 of its 11 findings on the development
corpus real (minidom's `Element`, `Attr`, `CharacterData`; nltk's `Lemma`, `Synset`: objects made
by the hundred thousand whose slots a slotless base undoes). The others: classes made a few times
(one `Document` per tree), bases that cannot change (a standard-library `UserList`, a class
swapped for a compiled one at import), and subclasses that use the inherited `__dict__` on
purpose (attributes set outside their slots). Giving the base `__slots__ = ()` is only safe once
every attribute set outside the slots is added to them.

Not flagged, by design:
- `__slots__ = ()`: an empty declaration costs nothing and often says "this subclass adds no
  attributes" (or readies the class for slotted subclasses); it is not a failed saving.
- exception classes (any class deriving from a builtin exception): `BaseException` keeps a
  `__dict__` whatever subclasses declare, so slots there never save memory; they are written to
  declare the attributes, and an exception is made once per failure, not in bulk.
- bases the rule cannot see: a class from an installed library (it may or may not have slots),
  a base without `__slots__` in test code, a class whose layout is not its own (a metaclass
  other than `abc.ABCMeta`, computed bases, a class decorator that may replace the class),
  `__slots__` made by code, attrs classes, `Enum`, `NamedTuple` and `TypedDict` bases, and
  classes of modules compiled beside their source (a `base.cpython-311-x86_64-linux-gnu.so`
  next to `base.py`, as mypyc and Cython build them), which Python replaces with native ones.
- `object`, `abc.ABC`, `typing.Generic`, `typing.Protocol`, the `collections.abc` classes and
  the builtin containers: they add no `__dict__`.
- classes whose slots list `"__dict__"`: the dictionary is asked for.
Test code is skipped (`test-file-patterns`).

## Example
```python
class Shape:
    def __init__(self, name):
        self.name = name


class Circle(Shape):
    __slots__ = ("radius",)
```

## Use instead
```python
class Shape:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class Circle(Shape):
    __slots__ = ("radius",)
```

## Fix safety
There is no fix: slots in the base change what the base's own instances and its other
subclasses accept.

## Options
`test-file-patterns` (shared with the other rules that leave tests alone).

## References
- [Python docs: `__slots__`](https://docs.python.org/3/reference/datamodel.html#slots)
- Peers: slotscheck's `require-superclass` (it imports the code to check it).
)md";

class SlotsOnUnslottedBase final : public RuleChecker {
 public:
  void onNode(TSNode /*node*/, NodeKind /*kind*/, RuleContext& /*context*/) override {}

  void finish(RuleContext& context) override {
    facts_ = std::make_unique<ClassFacts>();
    facts_->module = describeModuleClasses(context);
  }

  std::unique_ptr<FileFacts> takeFacts() override { return std::move(facts_); }

 private:
  std::unique_ptr<ClassFacts> facts_;
};

// Slots that promise a saving: names listed (not `"__dict__"`), or a slotted dataclass.
bool declaresSavingSlots(const ClassSummary& summary) {
  if (summary.layout_not_own) return false;
  if (summary.slots == SlotsKind::Dataclass) return true;
  return summary.slots == SlotsKind::Listed && !summary.slot_names.empty() &&
         !summary.lists("__dict__");
}

void join(std::span<const ProjectFileView> files, const AnalysisOptions& /*options*/,
          ProjectReporter& reporter) {
  const ClassHierarchy hierarchy(files);
  for (size_t i = 0; i < files.size(); ++i) {
    const auto* facts = static_cast<const ClassFacts*>(files[i].facts);
    // A compiled module beside the source replaces its classes with native ones.
    if (facts == nullptr || (files[i].module != nullptr && files[i].module->compiled_beside)) {
      continue;
    }
    for (const ClassSummary& summary : facts->module.classes) {
      if (!declaresSavingSlots(summary)) continue;
      const ClassHierarchy::Found* self = hierarchy.find(summary.qualified);
      if (self == nullptr || self->summary != &summary) continue;  // redefined: the first wins
      const InstanceLayout inherited = hierarchy.inheritedLayout(summary);
      if (inherited.dict != Presence::Yes || inherited.exception) continue;
      std::string base;
      if (inherited.dict_class != nullptr) {
        base = heaplint::quoted(inherited.dict_class->name) + " (" +
               std::string(files[inherited.dict_file].path) + ":" +
               std::to_string(inherited.dict_class->row + 1) + ") has no `__slots__`";
      } else {
        base = heaplint::quoted(inherited.dict_from) + " (standard library) keeps a `__dict__`";
      }
      const bool direct =
          std::any_of(summary.bases.begin(), summary.bases.end(), [&](const std::string& name) {
            const ClassHierarchy::Found* found = hierarchy.find(name);
            return name == inherited.dict_from ||
                   (found != nullptr && found->summary == inherited.dict_class);
          });
      const std::string what =
          summary.slots == SlotsKind::Dataclass
              ? "`slots=True` of dataclass " + heaplint::quoted(summary.name) + " saves"
              : "`__slots__` of " + heaplint::quoted(summary.name) + " save";
      Diagnostic diagnostic;
      diagnostic.start = summary.start;
      diagnostic.end = summary.end;
      diagnostic.message = concat(what, " no memory: ", direct ? "its base " : "its ancestor ",
                                  base, ", so every instance still gets a `__dict__`");
      diagnostic.fix_title = inherited.dict_class != nullptr
                                 ? "Give " + heaplint::quoted(inherited.dict_class->name) +
                                       " `__slots__` too (`()` when it sets no attributes)"
                                 : "Drop the `__slots__`, or derive from a class without a "
                                   "`__dict__`";
      reporter.report(i, std::move(diagnostic), summary.row);
    }
  }
}

// Nothing to collect during the walk: the module's classes are read after it.
constexpr std::array kSubscriptions = {NodeKind::ClassDefinition};

}  // namespace

extern const RuleDefinition kSlotsOnUnslottedBase{
    .code = "MEM403",
    .name = "slots-on-unslotted-base",
    .summary = "`__slots__` that save nothing: a base keeps a `__dict__`",
    .documentation = kDocumentation,
    .subscriptions = kSubscriptions,
    .create = []() -> std::unique_ptr<RuleChecker> {
      return std::make_unique<SlotsOnUnslottedBase>();
    },
    .join = join,
    .read_facts = ClassFacts::read,
    .preview = true,
};

}  // namespace heaplint
