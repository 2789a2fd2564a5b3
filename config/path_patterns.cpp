#include "config/path_patterns.h"

#include "analyzer/glob.h"

namespace heaplint::config {

PathPattern::PathPattern(std::string_view text) : text_(text) {
  std::string_view glob = text;
  while (glob.starts_with("./"))
    glob.remove_prefix(2);
  if (glob.ends_with('/')) {
    directory_only_ = true;
    glob.remove_suffix(1);
  }
  // A slash anywhere but at the end anchors the pattern to the root, as in .gitignore.
  anchored_ = glob.find('/') != std::string_view::npos;
  while (glob.starts_with('/'))
    glob.remove_prefix(1);
  glob_ = std::string(glob);
}

bool PathPattern::matchesEntry(std::string_view relative, bool is_directory) const {
  if (relative.empty() || glob_.empty()) return false;
  if (directory_only_ && !is_directory) return false;
  if (anchored_) return globMatch(glob_, relative);
  const size_t slash = relative.rfind('/');
  return globMatch(glob_, slash == std::string_view::npos ? relative : relative.substr(slash + 1));
}

bool PathPattern::matchesPathOrParent(std::string_view relative, bool is_directory) const {
  for (size_t slash = relative.find('/'); slash != std::string_view::npos;
       slash = relative.find('/', slash + 1)) {
    if (matchesEntry(relative.substr(0, slash), true)) return true;
  }
  return matchesEntry(relative, is_directory);
}

bool isPlainAbsolute(std::string_view text) {
  if (text.size() < 2 || text.front() != '/' || text.back() == '/') return false;
  for (size_t start = 1; start <= text.size();) {
    size_t end = text.find('/', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view part = text.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string relativeBelow(const std::filesystem::path& path, const std::filesystem::path& root) {
  const std::string& path_text = path.native();
  const std::string& base = root.native();
  if (isPlainAbsolute(path_text) && isPlainAbsolute(base)) {
    // What lexically_relative gives for plain paths: the parts below the root, or nothing.
    if (path_text.size() > base.size() + 1 && path_text.starts_with(base) &&
        path_text[base.size()] == '/') {
      return path_text.substr(base.size() + 1);
    }
    return {};
  }
  const std::filesystem::path relative = path.lexically_relative(root);
  std::string text = relative.generic_string();
  if (relative.empty() || text == "." || text == ".." || text.starts_with("../")) return {};
  return text;
}

}  // namespace heaplint::config
