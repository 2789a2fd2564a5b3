// heaplint-parse-floor: the floor that `heaplint check` is measured against.
//
// Same file discovery (cli::discoverFiles), same reading (cli::readFile), same worker pool shape
// (an atomic next-file index shared by N threads, the calling thread being one of them), one
// tree-sitter parser per thread (heaplint::PythonParser), and nothing else: each tree is deleted
// as soon as it is built. Whatever `heaplint check` spends beyond this is the linter's own cost.
//
//   heaplint-parse-floor [-j N] [--no-respect-gitignore] [--list-files] [PATH...]
//
// Prints "parse-floor: F files, B bytes, E unreadable, S with syntax errors, T threads" to stderr.
// --list-files prints the discovered files (one per line, as opened) and parses nothing, so a
// benchmark driver can hand both tools the very same subset.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/source_text.h"
#include "cli/file_discovery.h"
#include "cli/file_io.h"

namespace {

struct Options {
  unsigned threads = 2;
  bool respect_gitignore = true;
  bool list_files = false;
  std::vector<std::string> paths;
};

int usage(std::string_view message) {
  std::cerr << "heaplint-parse-floor: " << message << "\n"
            << "usage: heaplint-parse-floor [-j N] [--no-respect-gitignore] [--list-files] "
               "[PATH...]\n";
  return 2;
}

bool parseThreads(std::string_view text, unsigned& threads) {
  if (text.empty()) return false;
  unsigned long value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 4096) return false;
  }
  threads = static_cast<unsigned>(value);  // 0: one per core, as in heaplint
  return true;
}

struct Totals {
  std::atomic<uint64_t> files{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> unreadable{0};
  std::atomic<uint64_t> syntax_errors{0};
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  bool only_paths = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (only_paths || arg.empty() || arg[0] != '-' || arg == "-") {
      options.paths.emplace_back(arg);
    } else if (arg == "--") {
      only_paths = true;
    } else if (arg == "-j" || arg == "--threads") {
      if (i + 1 >= argc || !parseThreads(argv[i + 1], options.threads)) {
        return usage("-j needs a number");
      }
      ++i;
    } else if (arg.starts_with("--threads=")) {
      if (!parseThreads(arg.substr(10), options.threads)) return usage("-j needs a number");
    } else if (arg.starts_with("-j")) {
      if (!parseThreads(arg.substr(2), options.threads)) return usage("-j needs a number");
    } else if (arg == "--no-respect-gitignore") {
      options.respect_gitignore = false;
    } else if (arg == "--list-files") {
      options.list_files = true;
    } else if (arg == "-h" || arg == "--help") {
      usage("parse every Python file once with tree-sitter, nothing else");
      return 0;
    } else {
      return usage("unknown option " + std::string(arg));
    }
  }
  if (options.paths.empty()) options.paths.emplace_back(".");

  const heaplint::cli::Discovery discovery = heaplint::cli::discoverFiles(
      options.paths, heaplint::cli::DiscoveryOptions{options.respect_gitignore});
  for (const std::string& error : discovery.errors) {
    std::cerr << "heaplint-parse-floor: error: " << error << '\n';
  }
  const std::vector<heaplint::cli::SourceFile>& files = discovery.files;

  if (options.list_files) {
    for (const heaplint::cli::SourceFile& file : files)
      std::cout << file.path << '\n';
    return discovery.errors.empty() ? 0 : 2;
  }

  Totals totals;
  std::atomic<size_t> next{0};
  const auto work = [&] {
    heaplint::PythonParser parser;  // one per thread
    std::string contents;
    std::string error;
    for (size_t i = next++; i < files.size(); i = next++) {
      contents.clear();
      if (!heaplint::cli::readFile(files[i].path, contents, error)) {
        ++totals.unreadable;
        continue;
      }
      totals.bytes += contents.size();
      ++totals.files;
      // PythonParser::parse takes a SourceText (it skips a byte-order mark), as analyze() does.
      const heaplint::SourceText source(std::move(contents));
      const heaplint::TreePtr tree = parser.parse(source);
      if (tree && ts_node_has_error(ts_tree_root_node(tree.get()))) ++totals.syntax_errors;
      // The tree is deleted here; nothing else is done with it.
    }
  };

  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<size_t>(threads, std::max<size_t>(files.size(), 1)));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (std::thread& thread : pool)
    thread.join();

  std::cerr << "parse-floor: " << totals.files.load() << " files, " << totals.bytes.load()
            << " bytes, " << totals.unreadable.load() << " unreadable, "
            << totals.syntax_errors.load() << " with syntax errors, " << threads << " threads\n";
  return discovery.errors.empty() && totals.unreadable == 0 ? 0 : 2;
}
