// A module compiled beside its source (mypyc, Cython): which file names Python would import
// instead of the `.py`, and how file discovery and the language server learn of them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "analyzer/project.h"
#include "cli/file_discovery.h"

namespace heaplint {
namespace {
namespace fs = std::filesystem;

TEST(CompiledModule, ExtensionFileNamesOfAModule) {
  EXPECT_TRUE(isExtensionModuleFor("checker.cpython-311-x86_64-linux-gnu.so", "checker"));
  EXPECT_TRUE(isExtensionModuleFor("checker.abi3.so", "checker"));
  EXPECT_TRUE(isExtensionModuleFor("checker.so", "checker"));
  EXPECT_TRUE(isExtensionModuleFor("checker.cp311-win_amd64.pyd", "checker"));
  EXPECT_TRUE(isExtensionModuleFor("checker.pyd", "checker"));
  // Another module, or not an extension module at all.
  EXPECT_FALSE(isExtensionModuleFor("checkers.cpython-311-x86_64-linux-gnu.so", "checker"));
  EXPECT_FALSE(isExtensionModuleFor("check.so", "checker"));
  EXPECT_FALSE(isExtensionModuleFor("checker.py", "checker"));
  EXPECT_FALSE(isExtensionModuleFor("checker.so.txt", "checker"));
  EXPECT_FALSE(isExtensionModuleFor("checker.x.y.so", "checker"));
  EXPECT_FALSE(isExtensionModuleFor("checker..so", "checker"));
  EXPECT_FALSE(isExtensionModuleFor("checker.so", ""));
}

class CompiledModuleFiles : public ::testing::Test {
 protected:
  CompiledModuleFiles()
      : root_(fs::temp_directory_path() /
              ("heaplint-compiled-" + std::to_string(std::random_device{}()))) {
    fs::create_directories(root_ / "pkg");
    for (const char* name : {"pkg/checker.py", "pkg/checker.cpython-311-x86_64-linux-gnu.so",
                             "pkg/plain.py", "pkg/plain.so.txt"}) {
      std::ofstream(root_ / name) << "";
    }
  }
  ~CompiledModuleFiles() override { fs::remove_all(root_); }

  fs::path root_;
};

TEST_F(CompiledModuleFiles, TheDirectoryListingSaysWhichSourceIsCompiled) {
  EXPECT_TRUE(hasExtensionModuleBeside(root_ / "pkg" / "checker.py"));
  EXPECT_FALSE(hasExtensionModuleBeside(root_ / "pkg" / "plain.py"));

  const cli::Discovery walked = cli::discoverFiles({root_.string()}, {});
  ASSERT_EQ(walked.files.size(), 2u);
  for (const cli::SourceFile& file : walked.files) {
    EXPECT_EQ(file.compiled_beside, std::filesystem::path(file.path).filename() == "checker.py")
        << file.display;
  }
  // A file named on the command line is looked up on its own.
  const cli::Discovery named = cli::discoverFiles({(root_ / "pkg" / "checker.py").string()}, {});
  ASSERT_EQ(named.files.size(), 1u);
  EXPECT_TRUE(named.files.front().compiled_beside);
}

TEST_F(CompiledModuleFiles, FilesNamedTogetherShareTheirDirectorysListing) {
  // As pre-commit names them: the directory is listed once, and each file still gets its answer.
  const cli::Discovery named = cli::discoverFiles(
      {(root_ / "pkg" / "plain.py").string(), (root_ / "pkg" / "checker.py").string()}, {});
  ASSERT_EQ(named.files.size(), 2u);
  for (const cli::SourceFile& file : named.files) {
    EXPECT_EQ(file.compiled_beside, std::filesystem::path(file.path).filename() == "checker.py")
        << file.display;
  }
}

}  // namespace
}  // namespace heaplint
