#include "cli/gitignore.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace heaplint::cli {

GitignoreFile::GitignoreFile(std::filesystem::path directory, std::string_view contents)
    : directory_(std::move(directory)) {
  size_t start = 0;
  while (start <= contents.size()) {
    size_t end = contents.find('\n', start);
    if (end == std::string_view::npos) end = contents.size();
    std::string line(contents.substr(start, end - start));
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Trailing spaces are ignored unless escaped with a backslash.
    while (!line.empty() && line.back() == ' ' &&
           !(line.size() >= 2 && line[line.size() - 2] == '\\')) {
      line.pop_back();
    }
    if (line.empty() || line[0] == '#') continue;
    Pattern pattern;
    if (line[0] == '!') {
      pattern.negated = true;
      line.erase(0, 1);
    } else if (line[0] == '\\' && line.size() > 1 && (line[1] == '#' || line[1] == '!')) {
      line.erase(0, 1);
    }
    if (!line.empty() && line.back() == '/') {
      pattern.directory_only = true;
      line.pop_back();
    }
    if (line.empty()) continue;
    pattern.anchored = line.find('/') != std::string::npos;
    if (line[0] == '/') line.erase(0, 1);
    pattern.glob = std::move(line);
    const auto index = static_cast<uint32_t>(patterns_.size());
    const std::string_view glob = pattern.glob;
    const auto isPlain = [](std::string_view text) {
      return text.find_first_of("*?[\\") == std::string_view::npos;
    };
    if (isPlain(glob)) {
      (pattern.anchored ? by_path_ : by_name_)[pattern.glob].push_back(index);
    } else if (!pattern.anchored && glob.size() > 1 && glob[0] == '*' && isPlain(glob.substr(1))) {
      by_suffix_[std::string(glob.substr(1))].push_back(index);
      if (std::find(suffix_lengths_.begin(), suffix_lengths_.end(), glob.size() - 1) ==
          suffix_lengths_.end()) {
        suffix_lengths_.push_back(glob.size() - 1);
      }
    } else {
      others_.push_back(index);
    }
    patterns_.push_back(std::move(pattern));
    if (end == contents.size()) break;
  }
}

int64_t GitignoreFile::lastApplicable(const Indices& candidates, bool is_directory) const {
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    if (!patterns_[*it].directory_only || is_directory) return *it;
  }
  return -1;
}

GitignoreFile::Verdict GitignoreFile::match(std::string_view relative, bool is_directory) const {
  const size_t slash = relative.rfind('/');
  const std::string_view name =
      slash == std::string_view::npos ? relative : relative.substr(slash + 1);
  // The last matching pattern decides: the latest of the looked-up ones, unless a later one of
  // the others matches too.
  int64_t last = -1;
  const auto lookUp = [&](const Index& index, std::string_view key) {
    const auto found = index.find(key);
    if (found != index.end()) last = std::max(last, lastApplicable(found->second, is_directory));
  };
  lookUp(by_name_, name);
  lookUp(by_path_, relative);
  for (const size_t length : suffix_lengths_) {
    if (length <= name.size()) lookUp(by_suffix_, name.substr(name.size() - length));
  }
  for (auto it = others_.rbegin(); it != others_.rend() && static_cast<int64_t>(*it) > last; ++it) {
    const Pattern& pattern = patterns_[*it];
    if (pattern.directory_only && !is_directory) continue;
    if (globMatch(pattern.glob, pattern.anchored ? relative : name)) {
      last = *it;
      break;
    }
  }
  if (last < 0) return Verdict::NoMatch;
  return patterns_[static_cast<size_t>(last)].negated ? Verdict::Included : Verdict::Ignored;
}

namespace {
bool readGitignore(const std::filesystem::path& directory, std::string& contents) {
  std::ifstream in(directory / ".gitignore", std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  contents = buffer.str();
  return true;
}
}  // namespace

void GitignoreStack::loadAncestors(const std::filesystem::path& start) {
  std::error_code error;
  std::filesystem::path directory = std::filesystem::absolute(start, error).lexically_normal();
  if (!directory.has_filename()) directory = directory.parent_path();
  std::vector<std::filesystem::path> chain;
  bool in_repository = false;
  for (std::filesystem::path d = directory.parent_path();; d = d.parent_path()) {
    chain.push_back(d);
    if (std::filesystem::exists(d / ".git", error)) {
      in_repository = true;
      break;
    }
    if (d == d.parent_path()) break;
  }
  in_repository_ = in_repository;
  if (!in_repository) return;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    std::string contents;
    if (readGitignore(*it, contents)) files_.emplace_back(*it, contents);
  }
}

bool GitignoreStack::enter(const std::filesystem::path& directory) {
  std::error_code error;
  if (!in_repository_ && std::filesystem::exists(directory / ".git", error)) in_repository_ = true;
  if (!in_repository_) return false;
  std::string contents;
  if (!readGitignore(directory, contents)) return false;
  files_.emplace_back(directory, contents);
  return true;
}

bool GitignoreStack::ignored(const std::filesystem::path& path, bool is_directory) const {
  // Deeper files override shallower ones.
  for (auto it = files_.rbegin(); it != files_.rend(); ++it) {
    const std::string relative = path.lexically_relative(it->directory()).generic_string();
    if (relative.empty() || relative == ".." || relative.starts_with("../")) continue;
    switch (it->match(relative, is_directory)) {
      case GitignoreFile::Verdict::Ignored:
        return true;
      case GitignoreFile::Verdict::Included:
        return false;
      case GitignoreFile::Verdict::NoMatch:
        break;
    }
  }
  return false;
}

}  // namespace heaplint::cli
