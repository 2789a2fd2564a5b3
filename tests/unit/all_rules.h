// Analysis options with every rule of the registry enabled, for the unit tests that compare
// analyses of the same text made in different ways.
#pragma once

#include "analyzer/analyze.h"
#include "rules/registry.h"

namespace heaplint {

// Every rule, with the evidence that only preview turns on (the rules behind preview run either
// way: they are enabled by name).
inline AnalysisOptions allRulesOptions() {
  static const LintSettings preview = [] {
    LintSettings settings;
    settings.preview = true;
    return settings;
  }();
  AnalysisOptions options;
  options.settings = &preview;
  options.rules = allRules();
  for (size_t i = 0; i < options.rules.size(); ++i)
    options.enabled.set(i);
  options.path = "module.py";
  options.verify_fixes = false;
  return options;
}

}  // namespace heaplint
