// The language server's workspace index (lsp/workspace_index.h) gives way to the server.
#include "lsp/workspace_index.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "analyzer/foreground_gate.h"
#include "lsp/settings_provider.h"
#include "tests/unit/eventually.h"
#include "tests/unit/temporary_directory.h"

namespace heaplint::lsp {
namespace {

using namespace std::chrono_literals;

TEST(WorkspaceIndex, IndexesNothingWhileTheServerWorksAndEverythingOnceItIsDone) {
  const TemporaryDirectory workspace;
  workspace.write("a.py", "import gc\ngc.collect()\n");
  workspace.write("pkg/b.py", "def f(cache={}):\n    return cache\n");
  SettingsProvider settings{ClientSettings{}};
  settings.setWorkspaceFolders({workspace.path()});
  ForegroundGate gate;
  std::atomic<bool> ready{false};
  WorkspaceIndex index(settings, gate);
  std::optional<ForegroundGate::Busy> busy;
  busy.emplace(gate);
  index.start({workspace.path()}, [&] { ready = true; });
  // Two tiny files take the index well under a millisecond.
  EXPECT_FALSE(becomesTrue(ready, 300ms));
  EXPECT_EQ(index.size(), 0U);
  busy.reset();  // the index must not be destroyed while the gate is held
  EXPECT_TRUE(becomesTrue(ready, 10s));
  EXPECT_EQ(index.size(), 2U);
}

}  // namespace
}  // namespace heaplint::lsp
