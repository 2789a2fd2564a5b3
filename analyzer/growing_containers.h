// The join shared by the rules that report long-lived containers that only grow: MEM201 for
// module-level containers, MEM205 for class-level ones. Each file's pass records its container
// definitions and uses (container_evidence.h); with its calls (call_evidence.h), the join reports
// every container that grows, with keys that grow with the program's input, and that nothing in
// the project evicts.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "analyzer/call_evidence.h"
#include "analyzer/container_evidence.h"
#include "analyzer/project.h"

namespace heaplint {

struct AnalysisOptions;

struct GrowingContainerFacts final : FileFacts {
  ContainerFacts containers;

  void write(FactsWriter& out) const override;
  std::unique_ptr<FileFacts> makeEmpty() const override {
    return std::make_unique<GrowingContainerFacts>();
  }
  void appendShifted(const FileFacts& next, int64_t bytes, int64_t rows) override;
  static std::unique_ptr<FileFacts> read(FactsReader& in);
};

// The last part of an eviction's target that evicts every container of the module before it
// (`pkg.fonts.*`: `globals()[name].clear()`, where the name is computed).
inline constexpr std::string_view kAnyContainerOf = "*";

// How strongly a container's growth is shown (growthStrength's comments say why): by data,
// objects looked up before being added, or objects new at each call (reported); by parameters,
// instance state, values of kept objects, or registration APIs (reported with --preview); or
// not at all (closed keys, classes, configuration).
enum class GrowthStrength : uint8_t { None, Preview, Default };
GrowthStrength growthStrength(const ContainerLedger::Growth& growth);

// Reports each container of `files` (their facts are GrowingContainerFacts) that grows and that
// nothing evicts: "<kind_prefix> dict `name` grows in `f()`, with keys ...". With
// `skip_callbacks`, containers grown with callbacks (bound methods, closures) are left to MEM301.
void reportGrowingContainers(std::span<const ProjectFileView> files, const AnalysisOptions& options,
                             ProjectReporter& reporter, std::string_view kind_prefix,
                             bool skip_callbacks = false);

}  // namespace heaplint
