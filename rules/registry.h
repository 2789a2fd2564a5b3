// The registry: one sorted table of every rule heaplint knows.
#pragma once

#include <string>
#include <string_view>

#include "analyzer/rule.h"

namespace heaplint {

RuleTable allRules();

// The documentation's URL for a rule.
std::string ruleUrl(const RuleDefinition& rule);

// Splits a rule's documentation into its sections ("What it does", "Example", ...).
std::string_view documentationSection(const RuleDefinition& rule, std::string_view heading);

}  // namespace heaplint
