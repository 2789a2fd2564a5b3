// How the command line shows a path it found: below the current directory, relative to it;
// elsewhere, as it is. Discovery's own paths take a shortcut through their text
// (config::isPlainAbsolute); the others go through std::filesystem, with the same results.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "cli/file_discovery.h"

namespace heaplint::cli {
namespace {
namespace fs = std::filesystem;

TEST(DisplayPath, RelativeBelowTheCurrentDirectoryAndWholeElsewhere) {
  const fs::path cwd = fs::current_path();
  ASSERT_TRUE(cwd.is_absolute());
  EXPECT_EQ(displayPath(cwd / "pkg" / "mod.py"), "pkg/mod.py");
  EXPECT_EQ(displayPath(cwd / "mod.py"), "mod.py");
  EXPECT_EQ(displayPath(cwd), ".");
  // A sibling whose name starts with the current directory's is not below it.
  const fs::path sibling = cwd.string() + "x/mod.py";
  EXPECT_EQ(displayPath(sibling), sibling.string());
  EXPECT_EQ(displayPath("/"), "/");
  // Not plain: normalised first, by std::filesystem.
  EXPECT_EQ(displayPath(cwd / "pkg" / ".." / "mod.py"), "mod.py");
  EXPECT_EQ(displayPath("pkg/./mod.py"), "pkg/mod.py");
  if (cwd.has_parent_path() && cwd != cwd.root_path()) {
    const fs::path above = cwd.parent_path() / "elsewhere.py";
    EXPECT_EQ(displayPath(above), above.string());
  }
}

}  // namespace
}  // namespace heaplint::cli
