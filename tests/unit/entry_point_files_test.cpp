// What the gc rules make of the file a call sits in: entry points that configure the process on
// purpose (the interpreter's start-up hooks, notebooks) against library modules.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "tests/unit/all_rules.h"

namespace heaplint {
namespace {

std::vector<std::string> codesIn(const std::string& text, const std::string& path) {
  AnalysisOptions options = defaultRulesOptions();
  options.path = path;
  const SourceText source(text);
  std::vector<std::string> codes;
  for (const Diagnostic& diagnostic : analyze(source, options).diagnostics) {
    codes.emplace_back(diagnostic.rule->code);
  }
  return codes;
}

const std::vector<std::string> kImportTimeTuning = {"MEM504"};

TEST(EntryPointFiles, TheInterpretersStartUpHooksAndNotebooksTuneTheCollectorOnPurpose) {
  const std::string tuning = "import gc\n\ngc.set_threshold(50_000, 20, 20)\n";
  EXPECT_EQ(codesIn(tuning, "pkg/module.py"), kImportTimeTuning);
  EXPECT_EQ(codesIn(tuning, "pkg/customize.py"), kImportTimeTuning);
  EXPECT_TRUE(codesIn(tuning, "site-packages/sitecustomize.py").empty());
  EXPECT_TRUE(codesIn(tuning, "usercustomize.py").empty());
  EXPECT_TRUE(codesIn(tuning, "analysis/explore.ipynb").empty());
  EXPECT_TRUE(codesIn(tuning, "fabfile.py").empty());
  EXPECT_TRUE(codesIn(tuning, "noxfile.py").empty());
  EXPECT_TRUE(codesIn(tuning, "docs/conf.py").empty());
  EXPECT_TRUE(codesIn(tuning, "project/doc/conf.py").empty());
  EXPECT_TRUE(codesIn(tuning, "docs\\source\\conf.py").empty());
  // A package's own settings module is imported.
  EXPECT_EQ(codesIn(tuning, "mylib/conf.py"), kImportTimeTuning);
  EXPECT_EQ(codesIn(tuning, "mydoc/conf.py"), kImportTimeTuning);
  EXPECT_EQ(codesIn(tuning, "pkg/autodoc/conf.py"), kImportTimeTuning);
}

TEST(EntryPointFiles, TuningThatNeverRunsIsNotReported) {
  for (const char* guard : {"if TYPE_CHECKING:", "if typing.TYPE_CHECKING:", "if False:", "if (0):",
                            "if t.TYPE_CHECKING:"}) {
    const std::string text = std::string("import gc\nimport typing\nimport typing as t\n") +
                             "from typing import TYPE_CHECKING\n\n" + guard + "\n    gc.freeze()\n";
    EXPECT_TRUE(codesIn(text, "pkg/module.py").empty()) << guard;
  }
  // Its `else` runs.
  EXPECT_EQ(codesIn("import gc\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
                    "    pass\nelse:\n    gc.freeze()\n",
                    "pkg/module.py"),
            kImportTimeTuning);
  // A flag of the project's that happens to be false is not read as one.
  EXPECT_EQ(codesIn("import gc\nDEBUG = False\n\nif DEBUG:\n    gc.freeze()\n", "pkg/module.py"),
            kImportTimeTuning);
}

TEST(EntryPointFiles, EnableHandedToAnExitStackWhileTheModuleLoads) {
  const std::string text =
      "import contextlib\nimport gc\n\nwith contextlib.ExitStack() as stack:\n"
      "    gc.disable()\n    stack.callback(gc.enable)\n    TABLE = {i: str(i) for i in "
      "range(100)}\n";
  EXPECT_TRUE(codesIn(text, "pkg/module.py").empty());
  // Registered before the disable: it still runs when the `with` ends.
  EXPECT_TRUE(codesIn("import contextlib\nimport gc\n\nwith contextlib.ExitStack() as stack:\n"
                      "    stack.callback(gc.enable)\n    gc.disable()\n",
                      "pkg/module.py")
                  .empty());
  // A stack kept open at module level calls it only at exit; one that ends before the disable
  // does not help.
  EXPECT_EQ(codesIn("import contextlib\nimport gc\n\n_stack = contextlib.ExitStack()\n"
                    "_stack.callback(gc.enable)\ngc.disable()\n",
                    "pkg/module.py"),
            kImportTimeTuning);
  EXPECT_EQ(codesIn("import contextlib\nimport gc\n\nwith contextlib.ExitStack() as stack:\n"
                    "    stack.callback(gc.enable)\ngc.disable()\n",
                    "pkg/module.py"),
            kImportTimeTuning);
  // Another stack than the `with`'s: `stack_2` is not `stack`.
  EXPECT_EQ(codesIn("import contextlib\nimport gc\n\nstack_2 = contextlib.ExitStack()\n"
                    "with contextlib.ExitStack() as stack:\n    gc.disable()\n"
                    "    stack_2.callback(gc.enable)\n",
                    "pkg/module.py"),
            kImportTimeTuning);
  // Among other items of the `with`.
  EXPECT_TRUE(codesIn("import contextlib\nimport gc\n\nwith open('t') as stack_f, "
                      "contextlib.ExitStack() as stack:\n    gc.disable()\n"
                      "    stack.callback(gc.enable)\n",
                      "pkg/module.py")
                  .empty());
}

}  // namespace
}  // namespace heaplint
