// `heaplint rule CODE`, `heaplint rule --all`, `heaplint rules [--json]` and `heaplint version`.
#pragma once

#include <string>

namespace heaplint::cli {

// One rule's documentation: as text, or as the JSON object `heaplint rules --json` lists.
int runRule(const std::string& selector, bool json);
// Every rule's documentation, one after the other (text) or as one JSON list.
int runAllRules(bool json);
int runRules(bool json);
// `heaplint version [--output-format json]`.
int runVersion(bool json);

}  // namespace heaplint::cli
