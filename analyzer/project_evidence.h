// What the definitions of a whole project say, for project rules (project.h) that decide across
// files: which class made a module-level name or a module attribute (`state.commands =
// ChatCommands()` in one module, `state.commands.connect(...)` in another), the bases of each
// class, which of a class's methods keep the callables they receive weakly, which module
// functions hand out one shared object, and whether every instance of a class is made by code
// that runs once. A rule collects them as it walks each file (ProjectDefinitionsCollector), keeps
// them in its FileFacts (ProjectDefinitions) and asks a ProjectIndex of every file in its join.
//
// Names are project names (lifetime_evidence.h: projectName), so facts of different files meet.
#pragma once

#include <tree_sitter/api.h>

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/facts_io.h"
#include "analyzer/library_knowledge.h"
#include "analyzer/semantic_model.h"
#include "analyzer/syntax.h"

namespace heaplint {

class RuleContext;

struct ProjectDefinitions {
  struct Class {
    std::string name;                // "pkg.helpers.Observable"
    std::vector<std::string> bases;  // project names, as far as they resolve
    // Of the methods a rule asked about (ProjectDefinitionsCollector::finish), those that keep
    // the callable they receive weakly (callback_evidence.h: weakCallbackHold), and the others.
    std::vector<std::string> weak_methods, other_methods;
  };
  std::vector<Class> classes;
  // `bus = EventBus()`, `state.commands = ChatCommands()`, `drafts: DraftStorage = None`,
  // `plugins = cast(Plugins, None)`: (what is assigned, what made it).
  std::vector<std::pair<std::string, std::string>> made_by;
  // Module functions that hand out one shared object: (the function, the module-level name it
  // returns or empty).
  std::vector<std::pair<std::string, std::string>> singleton_getters;
  // Calls of capitalised names, as classes are named: (what is called, whether some call may
  // run more than once: in a loop, or in code that does not run once by
  // execution_evidence.h: runsOnceReason).
  std::vector<std::pair<std::string, bool>> instantiations;
  // Module-level `from X import Y as Z`: `module.Z` is another name of `X.Y`, so a class made
  // through a package's re-export is still found (`from .dispatch import Signal`).
  std::vector<std::pair<std::string, std::string>> reexports;

  void write(FactsWriter& out) const;
  bool read(FactsReader& in);
  void append(const ProjectDefinitions& next);
};

class ProjectDefinitionsCollector {
 public:
  // The node kinds collect() needs: a rule adds them to its subscriptions.
  static constexpr std::array<NodeKind, 5> kNodeKinds = {
      NodeKind::Assignment, NodeKind::Call, NodeKind::ClassDefinition, NodeKind::FunctionDefinition,
      NodeKind::ReturnStatement};

  // During the walk: remembers the nodes (no names are resolved yet).
  void collect(TSNode node, NodeKind kind, const RuleContext& context);
  // After the walk. `asks(name)` picks the methods whose hold on callbacks is recorded.
  ProjectDefinitions finish(const RuleContext& context,
                            const std::function<bool(std::string_view)>& asks) const;

 private:
  struct Site {
    TSNode node;
    ScopeId scope;
    bool in_loop;
  };
  std::vector<Site> assignments_;
  std::vector<Site> calls_;
  std::vector<TSNode> classes_;
  std::vector<TSNode> functions_;
  // The return statements of functions_ (none of a nested function or class), as (the
  // function's index, the statement), in source order.
  std::vector<std::pair<size_t, TSNode>> returns_;
};

// Every file's definitions, joined. The definitions must outlive the index.
class ProjectIndex {
 public:
  void add(const ProjectDefinitions& definitions);

  // What made the object named `name`: the project names of its makers, as assigned anywhere.
  std::vector<std::string_view> madeBy(std::string_view name) const;
  // When `name` is a singleton getter: the module-level name it returns (maybe empty).
  std::optional<std::string_view> singletonGetter(std::string_view name) const;
  // Whether the project makes instances of the class (or of its subclasses), and only by code
  // that runs once. False when nothing in the project makes one: a framework or a caller
  // outside decides how many there are.
  bool onlyMadeOnce(std::string_view class_name) const;
  // What the registry named `name` does with what `method` registers: the library table first,
  // then the project's own classes (the first of the class and its bases that defines `method`).
  std::optional<RegistryHold> registryHold(const LibraryKnowledge& library, std::string_view name,
                                           std::string_view method) const;
  // The hold of the first of `names` whose hold is known, through the name itself or what made
  // it (a registry known by its name, its import and the class that made it).
  std::optional<RegistryHold> registryHoldOfAny(const LibraryKnowledge& library,
                                                std::span<const std::string_view> names,
                                                std::string_view method) const;

 private:
  std::optional<RegistryHold> classHold(const LibraryKnowledge& library, std::string_view name,
                                        std::string_view method, int depth) const;
  std::map<std::string_view, const ProjectDefinitions::Class*> classes_;
  std::multimap<std::string_view, std::string_view> subclasses_;
  std::multimap<std::string_view, std::string_view> made_by_;
  std::map<std::string_view, std::string_view> getters_;
  std::map<std::string_view, std::string_view> reexports_;
  std::map<std::string_view, bool> repeats_;  // class -> some instance made by repeating code
};

}  // namespace heaplint
