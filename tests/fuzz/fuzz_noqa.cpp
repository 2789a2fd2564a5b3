// noqa comments on arbitrary bytes: parsing never fails, and what a comment suppresses is what
// it names.
#include <cstddef>
#include <cstdint>
#include <string>

#include "analyzer/noqa.h"
#include "tests/fuzz/fuzz_support.h"

using namespace heaplint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInput) return 0;
  const RuleTable rules = allRules();
  const std::string comment = "#" + std::string(reinterpret_cast<const char*>(data), size);
  const NoqaComment parsed = parseNoqaComment(comment, rules);
  fuzz::require(parsed.scope != NoqaComment::Scope::None || parsed.rules.none(),
                "a comment that is not a noqa names rules");
  NoqaDirectives directives;
  directives.add(3, parsed);
  for (size_t rule = 0; rule < rules.size(); ++rule) {
    const bool named = parsed.blanket || parsed.rules.test(rule);
    if (parsed.scope == NoqaComment::Scope::Line) {
      fuzz::require(directives.suppresses(3, rule) == named, "a line noqa suppresses wrongly");
      fuzz::require(!directives.suppresses(4, rule), "a line noqa suppresses another line");
    } else if (parsed.scope == NoqaComment::Scope::File) {
      fuzz::require(directives.suppresses(100, rule) == named, "a file noqa suppresses wrongly");
    }
  }
  return 0;
}
