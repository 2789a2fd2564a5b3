// What an instance of a class can hold, decided across files: whether it has a `__dict__` and a
// `__weakref__` slot, following every base through the project's modules and a table of the
// standard library's classes. Each file describes its module-level classes (ClassLayout, plus
// their bases as absolute dotted names and the module's re-exports); the project step loads every
// file's description into a ClassHierarchy and asks it.
//
// MEM402 (weak references to instances without `__weakref__`), MEM403 (`__slots__` under a base
// that keeps a `__dict__`) and MEM404 (`cached_property` without a `__dict__`) ask it.
#pragma once

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analyzer/diagnostic.h"
#include "analyzer/project.h"
#include "analyzer/semantic_model.h"

namespace heaplint {

class RuleContext;
class FactsWriter;
class FactsReader;

// How a class's own body says its instances are laid out.
enum class SlotsKind : uint8_t {
  None,       // no `__slots__`: instances get a `__dict__` and a `__weakref__`
  Listed,     // `__slots__` of literal strings (slot_names)
  Computed,   // `__slots__` made by code: its names are unknown
  Dataclass,  // `@dataclass(slots=True)`
  Library,    // attrs' slotted classes, which add `__weakref__` and handle `cached_property`
};

struct ClassSummary {
  std::string qualified;  // "pkg.models.Record"
  std::string name;
  uint32_t start = 0;  // the class name
  uint32_t end = 0;
  uint32_t row = 0;
  std::vector<std::string> bases;  // absolute dotted; empty string when unknown
  SlotsKind slots = SlotsKind::None;
  std::vector<std::string> slot_names;  // Listed
  bool weakref_slot = false;            // Dataclass: `weakref_slot=True`
  // A metaclass (other than `abc.ABCMeta`), computed bases or a class decorator that may
  // replace the class: what the body says may not be what instances get.
  bool layout_not_own = false;
  bool exception = false;  // a base is a builtin exception (resolved in this file)

  bool lists(std::string_view slot) const;
};

// A file's module-level classes and its `from ... import` names (so that `from pkg import Record`
// finds pkg/models.py through pkg/__init__.py). Written compactly, as every file of a project
// keeps them until the join: the module's name once, each class's and re-export's name without
// it. A plain `import` binds a module, never a class, and is left out.
struct ModuleClasses {
  std::string module_name;  // ModuleInfo::name of the file
  std::vector<ClassSummary> classes;
  std::vector<std::pair<std::string, std::string>>
      reexports;  // ("pkg.Record", "pkg.models.Record"): a name of the module and what it imports

  void write(FactsWriter& out) const;
  bool read(FactsReader& in);
  void appendShifted(const ModuleClasses& next, int64_t bytes, int64_t rows);
};

// Describes the module-level classes of the file (none in a `.pyi` stub) and its imports. After
// the walk.
ModuleClasses describeModuleClasses(const RuleContext& context);

// The absolute dotted name an expression stands for at module level: a class of this module
// ("pkg.mod.Record"), an import ("collections.OrderedDict"), a builtin ("builtins.dict"), the
// value of a subscript (`Generic[T]` is `typing.Generic`); empty when unknown.
std::string absoluteClassName(const RuleContext& context, ScopeId scope, TSNode expression);

// A place in a class's body that a rule reports if the join finds the class's layout wanting
// (a `weakref.ref(self)`, a `cached_property`), with what the message should name and its fix.
struct ClassSite {
  std::string class_qualified;  // the class whose body holds it
  uint32_t start = 0;
  uint32_t end = 0;
  uint32_t row = 0;
  std::string detail;
  std::optional<Fix> fix;
};

// The facts of a rule on class layouts: the file's classes and the sites it found.
struct ClassFacts final : FileFacts {
  ModuleClasses module;
  std::vector<ClassSite> sites;

  void write(FactsWriter& out) const override;
  static std::unique_ptr<FileFacts> read(FactsReader& in);
  std::unique_ptr<FileFacts> makeEmpty() const override;
  void appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) override;
};

enum class Presence : uint8_t { No, Yes, Unknown };

// What instances of a class carry, and which class of its MRO decides it.
struct InstanceLayout {
  Presence dict = Presence::Unknown;
  Presence weakref = Presence::Unknown;
  // When `dict` is Yes: the nearest base (breadth-first from the class) that gives the
  // `__dict__`, as the project or the standard library names it, and where it is defined
  // (file index, or SIZE_MAX for the standard library).
  std::string dict_from;
  size_t dict_file = SIZE_MAX;
  const ClassSummary* dict_class = nullptr;
  bool exception = false;  // a builtin exception is in the MRO
};

class ClassHierarchy {
 public:
  void add(size_t file, const ModuleClasses& classes);
  // Every file's classes, from facts that are ClassFacts.
  explicit ClassHierarchy(std::span<const ProjectFileView> files);
  ClassHierarchy() = default;

  struct Found {
    size_t file = 0;
    const ClassSummary* summary = nullptr;
  };
  // The class a dotted name stands for, following re-exports (at most 8 hops); null when the
  // project does not define it.
  const Found* find(std::string name) const;

  // What instances of `summary` carry, from its own body and every base's (a visited set; at
  // most 64 classes). Unknown when a base is neither in the project nor in the standard-library
  // table, or when a class's layout is not its own (or a compiled module beside its source
  // replaces it).
  InstanceLayout instanceLayout(const ClassSummary& summary) const;
  // The same question for the bases only: what a class inherits.
  InstanceLayout inheritedLayout(const ClassSummary& summary) const;

  // Whether `base` is among the bases of `summary`, directly or through project classes (a
  // visited set; at most 64 classes).
  bool derivesFrom(const ClassSummary& summary, const ClassSummary& base) const;
  // Whether a project class derived from `base` may carry what `member` says (its own layout or
  // a base gives it a `__dict__` or a `__weakref__`, or nothing says it has none): then code in
  // `base` may only ever run on such instances.
  bool subclassMayHave(const ClassSummary& base, Presence InstanceLayout::*member) const;
  // Whether every instance that code of `summary` runs on certainly lacks what `member` says:
  // its layout lacks it, it is not an empty-slots base (`__slots__ = ()`, for subclasses to lay
  // out), and no project class derived from it may have it.
  bool certainlyLacks(const ClassSummary& summary, Presence InstanceLayout::*member) const;
  // The class that holds a site of file `file`, when the project defines it in that file (not
  // shadowed by an earlier definition of the same name); null otherwise.
  const ClassSummary* classOf(size_t file, const ClassSite& site) const;

  // The join of the rules whose sites fail at run time when the instance lacks `member`
  // (MEM402: `__weakref__`, MEM404: `__dict__`): calls `report(file, site, summary)` for every
  // site of the files' ClassFacts whose class certainlyLacks() it.
  using SiteReport = std::function<void(size_t, const ClassSite&, const ClassSummary&)>;
  void forEachSiteLacking(std::span<const ProjectFileView> files, Presence InstanceLayout::*member,
                          const SiteReport& report) const;

 private:
  std::map<std::string, Found, std::less<>> classes_;
  std::map<std::string, std::string, std::less<>> aliases_;
  std::vector<const ClassSummary*> all_;
  // The project classes that name each class as a direct base, built on the first question
  // about subclasses (after every add()): asking every class of the project whether it derives
  // from a base, for every site, was quadratic in the number of classes.
  mutable std::unordered_map<const ClassSummary*, std::vector<const ClassSummary*>> subclasses_;
  mutable bool subclasses_built_ = false;
  void buildSubclasses() const;
  // Files with a compiled module beside them (mypyc, Cython): Python imports that one, whose
  // classes are native, with a layout of their own.
  std::vector<size_t> compiled_;
  bool compiled(size_t file) const {
    return std::find(compiled_.begin(), compiled_.end(), file) != compiled_.end();
  }
};

// The standard library's knowledge, as data (CPython 3.11, checked by creating a subclass with
// `__slots__` and reading `__dictoffset__` and `__weakrefoffset__`): what a slotted subclass of
// `qualified` inherits. Unknown for a class the table does not list.
struct StdlibLayout {
  Presence dict = Presence::Unknown;
  Presence weakref = Presence::Unknown;
  bool exception = false;
};
StdlibLayout stdlibLayout(std::string_view qualified);

// For messages: "`Point` has `__slots__` without `\"__dict__\"`", "`Child` and every class it
// derives from have ...", or "`@dataclass(slots=True)` gives `Record` no `__dict__`" (`slot` is
// "__dict__" or "__weakref__").
std::string slotsWithoutPhrase(const ClassSummary& summary, std::string_view slot);

}  // namespace heaplint
