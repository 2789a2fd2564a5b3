// `heaplint rule CODE` and `heaplint rules [--json]`.
#pragma once

#include <string>

namespace heaplint::cli {

int runRule(const std::string& selector);
int runRules(bool json);

}  // namespace heaplint::cli
