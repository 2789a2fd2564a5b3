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

// The rules a run without settings enables (no preview), as the language server runs them by
// default: what they ask of the shared evidence differs from every rule's (call facts described
// only for functions with mutable defaults, say).
inline AnalysisOptions defaultRulesOptions() {
  static const LintSettings defaults;
  AnalysisOptions options;
  options.settings = &defaults;
  options.rules = allRules();
  for (size_t i = 0; i < options.rules.size(); ++i)
    options.enabled.set(i, !options.rules[i]->preview);
  options.path = "module.py";
  options.verify_fixes = false;
  return options;
}

}  // namespace heaplint
