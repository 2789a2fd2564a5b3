#include "analyzer/settings.h"

#include "analyzer/glob.h"

namespace heaplint {

const LintSettings& LintSettings::defaults() {
  static const LintSettings settings;
  return settings;
}

bool isTestFile(std::string_view path, const std::vector<std::string>& patterns) {
  const size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::string_view directories =
      slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) continue;
    if (pattern.back() == '/') {
      const std::string_view directory_pattern =
          std::string_view(pattern).substr(0, pattern.size() - 1);
      size_t start = 0;
      while (start <= directories.size() && !directories.empty()) {
        size_t end = directories.find('/', start);
        if (end == std::string_view::npos) end = directories.size();
        if (globMatch(directory_pattern, directories.substr(start, end - start))) return true;
        start = end + 1;
      }
    } else if (pattern.find('/') != std::string::npos) {
      if (globMatch(pattern, path)) return true;
    } else if (globMatch(pattern, name)) {
      return true;
    }
  }
  return false;
}

}  // namespace heaplint
