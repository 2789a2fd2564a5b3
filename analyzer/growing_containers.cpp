#include "analyzer/growing_containers.h"

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "analyzer/analyze.h"
#include "analyzer/concat.h"
#include "analyzer/execution_evidence.h"
#include "analyzer/facts_io.h"

namespace heaplint {

void GrowingContainerFacts::write(FactsWriter& out) const {
  containers.write(out);
}

void GrowingContainerFacts::appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) {
  const auto& more = static_cast<const GrowingContainerFacts&>(next);
  containers.appendShifted(more.containers, bytes, rows);
}

std::unique_ptr<FileFacts> GrowingContainerFacts::read(FactsReader& in) {
  auto facts = std::make_unique<GrowingContainerFacts>();
  if (!facts->containers.read(in)) return nullptr;
  return facts;
}

namespace {

// The instance an `__init__` is initialising, stored by it.
bool storesEachNewInstance(const ContainerLedger::Growth& growth) {
  return !growth.from_caller && growth.reason == "`self`" &&
         growth.event->function.ends_with(".__init__");
}

}  // namespace

GrowthStrength growthStrength(const ContainerLedger::Growth& growth) {
  // A class factory that keeps a new class per key (and the key with it): each class is heavy,
  // and the cache pins it however the keys are made.
  if (growth.event->stores_new_class && growth.event->looks_up &&
      growth.source >= KeySource::Parameter) {
    return GrowthStrength::Default;
  }
  switch (growth.source) {
    case KeySource::Data:
      return GrowthStrength::Default;
    case KeySource::Entity:
      // A value made from an object (`str(self)`, `config.path`, `url.path`) is one per object:
      // a few when the program keeps the object (a locale, an interpreter's settings), one per
      // request when the object is made per request (pyramid's quoted path segments of each new
      // `ResourceURL`, judged real). Which, the code does not say: objects made at each call of
      // a function that runs per type definition or per seed wheel (pyVmomi, virtualenv) were
      // judged a few on unseen code, as were all the kept ones. Preview only.
      return GrowthStrength::Preview;
    case KeySource::Object:
      // A function that only adds, without looking the container up first, is a registration
      // API (`register_font(font)`): its callers' setup fills it, a few entries a program. On
      // code the rules had never seen, such registries were every finding of this kind and none
      // was judged real; the memos and seen-sets that leaked all looked their keys up.
      // `Connection.live.append(self)` in `__init__` keeps every instance ever made: not setup.
      if (growth.event->looks_up || storesEachNewInstance(growth)) return GrowthStrength::Default;
      return GrowthStrength::Preview;
    case KeySource::Parameter:
      // Callers passing on their own input. A memo or seen-set that looks entries up before
      // adding them grows with what its callers pass, but whether they pass a few names (date
      // formats, encodings, locales) or every request's data is not in the code: on unseen code
      // these were names every time, so only preview reports them, as it reports keys nothing
      // shows (Unknown). A function that only adds is a registration API, which its callers'
      // configuration fills.
    case KeySource::Unknown:
      return growth.event->looks_up ? GrowthStrength::Preview : GrowthStrength::None;
    default:
      return GrowthStrength::None;
  }
}

namespace {

// The target that evicts every container of the module (or class) that `target` is in.
std::string anyContainerOf(std::string_view target) {
  const size_t dot = target.rfind('.');
  return dot == std::string_view::npos ? std::string(kAnyContainerOf)
                                       : concat(target.substr(0, dot + 1), kAnyContainerOf);
}

// A callback kept in the container (a bound method, a function made per call): a subscription,
// which MEM301 reports where it is registered.
bool isCallback(const ContainerLedger::Growth& growth) {
  return growth.reason.starts_with(kBoundMethod) || growth.reason.ends_with(kFunctionPerCall);
}

// A file's facts: those the view has as objects, or read from its packed bytes into `storage`.
const GrowingContainerFacts* factsOf(const ProjectFileView& file,
                                     std::unique_ptr<FileFacts>& storage) {
  if (file.facts != nullptr) return static_cast<const GrowingContainerFacts*>(file.facts);
  storage.reset();
  if (file.packed_facts.empty()) return nullptr;
  FactsReader in(file.packed_facts);
  storage = GrowingContainerFacts::read(in);
  return static_cast<const GrowingContainerFacts*>(storage.get());
}

}  // namespace

void reportGrowingContainers(std::span<const ProjectFileView> files, const AnalysisOptions& options,
                             ProjectReporter& reporter, std::string_view kind_prefix,
                             bool skip_callbacks) {
  // The facts are read a file at a time, three times over, rather than every file's kept at
  // once: the ledger copies only the uses of the containers defined, a small part of them.
  CallIndex calls;
  ContainerLedger ledger;
  std::unique_ptr<FileFacts> storage;
  std::set<std::string, std::less<>> defined;
  for (size_t i = 0; i < files.size(); ++i) {
    const GrowingContainerFacts* facts = factsOf(files[i], storage);
    if (facts == nullptr) continue;
    calls.add(i, files[i]);
    for (const ContainerDefinition& container : facts->containers.definitions) {
      defined.insert(container.target);
      defined.insert(anyContainerOf(container.target));
    }
  }
  ledger.keepOnly(std::move(defined));
  for (size_t i = 0; i < files.size(); ++i) {
    const GrowingContainerFacts* facts = factsOf(files[i], storage);
    if (facts != nullptr) ledger.add(i, facts->containers, calls);
  }
  const bool preview = options.settings->preview;
  for (size_t i = 0; i < files.size(); ++i) {
    const GrowingContainerFacts* facts = factsOf(files[i], storage);
    if (facts == nullptr) continue;
    for (const ContainerDefinition& container : facts->containers.definitions) {
      if (ledger.isEvicted(container.target) ||
          ledger.isEvicted(anyContainerOf(container.target)) ||
          isDemoOrDebugCode(container.target) || isMigrationPath(files[i].path)) {
        continue;
      }
      const auto growth = ledger.growthOf(container.target, calls);
      if (!growth || (skip_callbacks && isCallback(*growth))) continue;
      const GrowthStrength strength = growthStrength(*growth);
      if (strength == GrowthStrength::None || (strength == GrowthStrength::Preview && !preview)) {
        continue;
      }
      std::string where = concat("`", growth->event->display, "`");
      if (growth->file != i) {
        where += concat(" (", files[growth->file].path, ":", std::to_string(growth->event->row + 1),
                        ")");
      }
      std::string keys;
      if (growth->from_caller) {
        keys = concat(", with keys its callers make from ", growth->reason, " (",
                      files[growth->caller_file].path, ":", std::to_string(growth->caller_row + 1),
                      ")");
      } else if (growth->source == KeySource::Parameter) {
        keys =
            concat(", with keys from ", growth->reason, ", which no caller in the project shows");
      } else {
        keys = concat(", with keys from ", growth->reason);
      }
      if (growth->event->stores_new_class) keys += ", each entry a class made per call";
      Diagnostic diagnostic;
      diagnostic.start = container.start;
      diagnostic.end = container.end;
      diagnostic.message = concat(kind_prefix, " ", container.kind, " `", container.display,
                                  "` grows in ", where, keys,
                                  ", and nothing removes from it: every entry stays alive for "
                                  "the life of the process");
      diagnostic.fix_title =
          "Bound it (`functools.lru_cache(maxsize=...)`, evict past a size limit) or hold values "
          "weakly (`weakref.WeakValueDictionary`)";
      reporter.report(i, std::move(diagnostic), container.row);
    }
  }
}

}  // namespace heaplint
