// Analysis options with every rule of the registry enabled, for the unit tests that compare
// analyses of the same text made in different ways.
#pragma once

#include "analyzer/analyze.h"
#include "rules/registry.h"

namespace heaplint {

inline AnalysisOptions allRulesOptions() {
  AnalysisOptions options;
  options.rules = allRules();
  for (size_t i = 0; i < options.rules.size(); ++i)
    options.enabled.set(i);
  options.path = "module.py";
  options.verify_fixes = false;
  return options;
}

}  // namespace heaplint
