#include "cli/gitignore.h"

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
    patterns_.push_back(std::move(pattern));
    if (end == contents.size()) break;
  }
}

GitignoreFile::Verdict GitignoreFile::match(std::string_view relative, bool is_directory) const {
  const size_t slash = relative.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? relative
                                                                : relative.substr(slash + 1);
  // The last matching pattern decides.
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
    if (it->directory_only && !is_directory) continue;
    const bool matched = it->anchored ? globMatch(it->glob, relative) : globMatch(it->glob, name);
    if (matched) return it->negated ? Verdict::Included : Verdict::Ignored;
  }
  return Verdict::NoMatch;
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
