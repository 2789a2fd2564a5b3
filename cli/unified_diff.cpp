#include "cli/unified_diff.h"

#include <dtl/dtl.hpp>
#include <sstream>
#include <vector>

namespace heaplint::cli {
namespace {
// A last line without a newline carries the marker patch(1) expects, so it prints right as
// context, deletion or addition alike.
std::vector<std::string> splitLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.emplace_back(text.substr(start));
      lines.back() += "\n\\ No newline at end of file";
      break;
    }
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}
}  // namespace

std::string unifiedDiff(std::string_view path, std::string_view before, std::string_view after) {
  if (before == after) return {};
  const std::vector<std::string> a = splitLines(before);
  const std::vector<std::string> b = splitLines(after);
  dtl::Diff<std::string, std::vector<std::string>> diff(a, b);
  diff.onHuge();
  diff.compose();
  diff.composeUnifiedHunks();
  std::ostringstream out;
  out << "--- " << path << "\n+++ " << path << "\n";
  diff.printUnifiedFormat(out);
  return out.str();
}

}  // namespace heaplint::cli
