// Settings that rules read: the Python version targeted and each rule's options. The CLI and the
// language server fill them (from configuration, once it exists); tests build them directly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/library_knowledge.h"

namespace heaplint {

struct PythonVersion {
  int major = 3;
  int minor = 10;
  friend auto operator<=>(const PythonVersion&, const PythonVersion&) = default;
};

struct SubscriptionPair {
  std::string subscribe;    // e.g. "connect"
  std::string unsubscribe;  // e.g. "disconnect"
};

struct LintSettings {
  PythonVersion target_version;
  // Preview mode (`--preview`): rules may also report what is not yet precise on unseen code.
  bool preview = false;
  // MEM301: method names that register a callback, with the names that undo them.
  std::vector<SubscriptionPair> subscription_pairs = {
      {"subscribe", "unsubscribe"},
      {"connect", "disconnect"},
      {"add_listener", "remove_listener"},
      {"add_handler", "remove_handler"},
      {"add_callback", "remove_callback"},
      {"on", "off"},
      {"register", "unregister"},
      {"add_done_callback", "remove_done_callback"},
      {"append", "remove"},
  };
  // MEM501 (and the other rules that leave tests alone): paths treated as test code. A pattern
  // ending in '/' names a directory anywhere in the path; other patterns match the file name, or
  // the whole path when they contain a '/'.
  // `tests.py`, `tests_*.py` and `*_tests.py`: Django's per-app test module, and suites named
  // like it; `testutils.py` and `testing/`: helpers only the tests import; `benchmarks/` (asv's
  // layout): code that exercises a pattern on purpose, to measure it.
  std::vector<std::string> test_file_patterns = {
      "test_*.py",   "*_test.py", "tests.py", "tests_*.py", "*_tests.py", "testutils.py",
      "conftest.py", "tests/",    "test/",    "testing/",   "benchmarks/"};
  // MEM401: classes (dotted names) to treat as hot even where no loop shows it.
  std::vector<std::string> extra_hot_classes;
  // What libraries do beyond the built-in table (analyzer/library_knowledge.h).
  LibrarySettings libraries;
  // `# noqa: C419` (the Ruff rule a heaplint rule overlaps, RuleDefinition::ruff_code) silences
  // the heaplint rule too.
  bool ruff_noqa_codes = true;

  static const LintSettings& defaults();
};

bool isTestFile(std::string_view path, const std::vector<std::string>& patterns);

}  // namespace heaplint
