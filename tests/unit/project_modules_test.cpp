// Module names from import roots (analyzer/project_modules.h) and where the roots come from
// (config/import_roots.h): a folder that is no package and no root is not an import root.
#include "analyzer/project_modules.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config/config_resolver.h"
#include "config/import_roots.h"
#include "tests/unit/temporary_directory.h"

namespace heaplint {
namespace {
namespace fs = std::filesystem;

class ProjectModulesTest : public ::testing::Test {
 protected:
  fs::path write(const std::string& relative, const std::string& contents = "") const {
    directory_.write(relative, contents);
    return root_ / relative;
  }
  std::vector<fs::path> projectRoots() const { return {root_, root_ / "src"}; }
  std::string nameOf(const std::string& relative) const {
    return moduleInfoForPath(root_ / relative, projectRoots()).name;
  }

  TemporaryDirectory directory_;
  fs::path root_ = fs::canonical(directory_.path());
};

TEST_F(ProjectModulesTest, FilesReachedFromARootThroughPackagesAreNamedByTheirPath) {
  write("app.py");
  write("pkg/__init__.py");
  write("pkg/sub/__init__.pyi");
  write("pkg/sub/mod.py");
  write("src/lib/__init__.py");
  write("src/lib/shapes.py");
  write("src/tool.py");
  EXPECT_EQ(nameOf("app.py"), "app");
  EXPECT_EQ(nameOf("pkg/sub/mod.py"), "pkg.sub.mod");
  const ModuleInfo package = moduleInfoForPath(root_ / "pkg/__init__.py", projectRoots());
  EXPECT_EQ(package.name, "pkg");
  EXPECT_TRUE(package.is_package);
  EXPECT_EQ(nameOf("src/lib/shapes.py"), "lib.shapes");
  EXPECT_EQ(nameOf("src/tool.py"), "tool");
}

TEST_F(ProjectModulesTest, AFolderThatIsNoPackageAndNoRootIsNoImportRoot) {
  write("vendor/stubs/inspect.pyi");
  write("vendor/v1.2/pkg/__init__.py");
  write("vendor/v1.2/pkg/json.py");
  const ModuleInfo stub = moduleInfoForPath(root_ / "vendor/stubs/inspect.pyi", projectRoots());
  EXPECT_EQ(stub.name, "<vendor/stubs>.inspect");
  EXPECT_TRUE(stub.is_stub);
  EXPECT_EQ(nameOf("vendor/v1.2/pkg/json.py"), "<vendor/v1_2>.pkg.json");
  // Outside the project: an absolute head, still no importable name.
  const ModuleInfo outside = moduleInfoForPath("/elsewhere/tools/run.py", projectRoots());
  EXPECT_EQ(outside.name, "</elsewhere/tools>.run");
}

TEST_F(ProjectModulesTest, APackageRootKeepsItsPackageName) {
  // A repository that is itself a package: its code imports itself as `proj.sub.mod`.
  write("proj/__init__.py");
  write("proj/sub/__init__.py");
  write("proj/sub/mod.py");
  const std::vector<fs::path> roots{root_ / "proj"};
  EXPECT_EQ(moduleInfoForPath(root_ / "proj/sub/mod.py", roots).name, "proj.sub.mod");
}

TEST_F(ProjectModulesTest, TheNamerNamesEachFileAsAloneWhenFoldersRepeat) {
  const std::vector<std::string> files = {
      "app.py",       "pkg/__init__.py",     "pkg/a.py",       "pkg/a.pyi",
      "pkg/sub/b.py", "pkg/sub/__init__.py", "loose/c.py",     "loose/deeper/d.py",
      "src/lib/e.py", "src/lib/__init__.py", "vendor/x.y/f.py"};
  for (const std::string& file : files)
    write(file);
  ModuleNamer namer;
  size_t named = 0;
  // Files one after another as a sorted list gives them, under two sets of roots (a change of
  // roots within one folder must not keep the other roots' name), and back to the first.
  const std::vector<std::vector<fs::path>> root_sets = {
      projectRoots(), {root_ / "loose"}, {}, projectRoots()};
  for (const std::vector<fs::path>& roots : root_sets) {
    for (const std::string& file : files) {
      const ModuleInfo alone = moduleInfoForPath(root_ / file, roots);
      const ModuleInfo named_in_turn = namer.forFile(root_ / file, roots);
      EXPECT_EQ(named_in_turn.name, alone.name) << file;
      EXPECT_EQ(named_in_turn.is_package, alone.is_package) << file;
      EXPECT_EQ(named_in_turn.is_stub, alone.is_stub) << file;
      named += alone.name.empty() ? 0 : 1;
    }
  }
  EXPECT_EQ(named, files.size() * root_sets.size());
  EXPECT_EQ(namer.forFile(root_ / "pkg/sub/b.py", projectRoots()).name, "pkg.sub.b");
  EXPECT_EQ(namer.forFile(root_ / "pkg/sub/b.py", {}).name.front(), '<');
}

TEST(AbsoluteName, RelativeImportsStayInsideAnUnreachableFolder) {
  const ModuleInfo module{"<vendor/stubs>.inspect", false, true};
  EXPECT_EQ(absoluteName(".helpers", module), "<vendor/stubs>.helpers");
  EXPECT_EQ(absoluteName("..json", module), "");  // never the standard library's `json`
  const ModuleInfo top{"pkg.views", false, false};
  EXPECT_EQ(absoluteName(".models.Record", top), "pkg.models.Record");
  EXPECT_EQ(absoluteName("os.path", top), "os.path");
}

TEST_F(ProjectModulesTest, RootsComeFromTheConfigurationThenGitThenTheFallbacks) {
  // Without a configuration file or a repository: the first fallback that holds the file.
  write("app/main.py");
  const config::ResolvedSettings defaults = config::defaultSettings(root_, {});
  const std::vector<fs::path> fallbacks{"/nowhere", root_ / "app"};
  EXPECT_EQ(config::importRootsFor(defaults, root_ / "app/main.py", fallbacks),
            (std::vector<fs::path>{root_ / "app", root_ / "app/src"}));
  EXPECT_EQ(config::importRootsFor(defaults, root_ / "app/main.py", {}),
            (std::vector<fs::path>{root_ / "app", root_ / "app/src"}));

  // A git repository above the file wins over the fallbacks.
  fs::create_directories(root_ / ".git");
  EXPECT_EQ(config::importRootsFor(defaults, root_ / "app/main.py", fallbacks),
            (std::vector<fs::path>{root_, root_ / "src"}));

  // A configuration file's directory and its `src/`, or what its `src` says (globs expanded).
  const config::ResolvedSettings plain =
      config::loadSettings(write("app/heaplint.toml", "select = [\"ALL\"]\n"), {});
  EXPECT_EQ(config::importRootsFor(plain, root_ / "app/main.py", fallbacks),
            (std::vector<fs::path>{root_ / "app", root_ / "app/src"}));
  write("app/packages/one/x.py");
  write("app/packages/two/y.py");
  const config::ResolvedSettings configured =
      config::loadSettings(write("app/heaplint.toml", "src = [\"lib\", \"packages/*\"]\n"), {});
  EXPECT_EQ(config::importRootsFor(configured, root_ / "app/main.py", fallbacks),
            (std::vector<fs::path>{root_ / "app/lib", root_ / "app/packages/one",
                                   root_ / "app/packages/two"}));
}

TEST(FallbackRoots, TheFirstDirectoryGivenThatHoldsTheFileWins) {
  // In the order given, not the nearest: the CLI puts the current directory first.
  const std::vector<fs::path> order{"/work/repo", "/work/repo/app", "/work"};
  const config::FallbackRoots roots(order);
  EXPECT_EQ(roots.firstHolding("/work/repo/app/main.py"), fs::path("/work/repo"));
  EXPECT_EQ(roots.firstHolding("/work/other/x.py"), fs::path("/work"));
  // Below a directory means inside it: not a sibling sharing its name's start, not itself.
  EXPECT_EQ(roots.firstHolding("/workshop/x.py"), std::nullopt);
  EXPECT_EQ(roots.firstHolding("/work"), std::nullopt);

  // Given paths are normalised (a trailing slash, `..`), and the root holds every file.
  const std::vector<fs::path> loose{"/srv/app/../lib/", "/"};
  const config::FallbackRoots normalised(loose);
  EXPECT_EQ(normalised.firstHolding("/srv/lib/pkg/mod.py"), fs::path("/srv/lib"));
  EXPECT_EQ(normalised.firstHolding("/etc/x.py"), fs::path("/"));
  EXPECT_EQ(config::FallbackRoots({}).firstHolding("/etc/x.py"), std::nullopt);
}

}  // namespace
}  // namespace heaplint
