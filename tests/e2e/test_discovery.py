"""End-to-end tests of file discovery: recursion, excluded directories, .gitignore, explicit paths,
displayed paths, ordering and determinism across thread counts."""

from __future__ import annotations

import json
import os
import subprocess
import unittest

from e2e_support import SUM_COLUMN, TIMEOUT, HeaplintTestCase, base_env

EXCLUDED = [".git", ".venv", "venv", "__pycache__", "node_modules", "build", "dist", ".tox",
            ".mypy_cache"]


class DiscoveryTest(HeaplintTestCase):
    def files(self, *args: str, cwd=None) -> list[str]:
        """The files with findings, in output order (every file written here has one finding)."""
        result = self.check("-q", *args, cwd=cwd)
        self.assertIn(result.returncode, (0, 1), result.describe())
        seen = []
        for path, _, _, _ in result.findings():
            if path not in seen:
                seen.append(path)
        return seen

    def test_recursive_py_and_pyi(self):
        self.write("top.py")
        self.write("pkg/__init__.py")
        self.write("pkg/sub/deep/module.py")
        self.write("pkg/stubs.pyi")
        self.write("pkg/notes.txt")
        self.write("pkg/script")
        self.write("pkg/module.py.bak")
        self.write("pkg/data.pyc")
        self.assertEqual(
            self.files(),
            ["pkg/__init__.py", "pkg/stubs.pyi", "pkg/sub/deep/module.py", "top.py"],
        )
        self.assertEqual(self.files("pkg/sub"), ["pkg/sub/deep/module.py"])

    def test_excluded_directories_are_skipped(self):
        self.write("kept.py")
        for name in EXCLUDED:
            self.write(f"{name}/inside.py")
            self.write(f"src/{name}/nested.py")
        # Only directories with those exact names are skipped.
        self.write("build.py")
        self.write("mybuild/kept.py")
        self.write("src/dist_utils/kept.py")
        self.write("src/venvs/kept.py")
        self.assertEqual(
            self.files(),
            ["build.py", "kept.py", "mybuild/kept.py", "src/dist_utils/kept.py", "src/venvs/kept.py"],
        )

    def test_excluded_directory_named_explicitly_is_checked(self):
        # As in Ruff, exclusions apply to what the walk finds, not to the paths the user names.
        self.write("build/generated.py")
        self.write(".venv/lib/site.py")
        self.assertEqual(self.files("build"), ["build/generated.py"])
        self.assertEqual(self.files(".venv/lib/site.py"), [".venv/lib/site.py"])

    def test_explicit_non_python_file_is_checked(self):
        self.write("tools/script")
        self.write("tools/config.txt")
        self.assertEqual(self.files("tools/script", "tools/config.txt"),
                         ["tools/config.txt", "tools/script"])
        self.assertEqual(self.files("tools"), [])

    def test_paths_relative_to_the_working_directory(self):
        self.write("a.py")
        self.write("src/pkg/b.py")
        self.assertEqual(self.files(cwd=self.dir / "src"), ["pkg/b.py"])
        self.assertEqual(self.files("..", cwd=self.dir / "src"), ["../a.py", "../src/pkg/b.py"])
        self.assertEqual(self.files(str(self.dir / "src")), ["src/pkg/b.py"])
        self.assertEqual(self.files(str(self.dir / "a.py")), ["a.py"])
        self.assertEqual(self.files("./src/../src/pkg/"), ["src/pkg/b.py"])
        self.assertEqual(self.files("src/pkg/../../a.py"), ["a.py"])

    def test_output_in_sorted_order(self):
        names = ["b.py", "a.py", "a_b.py", "a/z.py", "a/b/c.py", "B.py", "z/a.py", "m.pyi"]
        for name in names:
            self.write(name)
        self.assertEqual(self.files(), sorted(names))
        # The order does not depend on the order of the arguments either.
        self.assertEqual(self.files("z", "b.py", "a", "a.py"), sorted(["z/a.py", "b.py", "a/z.py",
                                                                        "a/b/c.py", "a.py"]))

    def test_names_with_spaces_and_non_ascii(self):
        self.write("my project/ünïcode módule.py")
        self.write("my project/日本語.py")
        expected = ["my project/ünïcode módule.py", "my project/日本語.py"]
        self.assertEqual(self.files(), expected)
        self.assertEqual(self.files("my project/日本語.py"), ["my project/日本語.py"])
        result = self.check("--output-format", "json", ".")
        self.assertEqual([d["filename"] for d in json.loads(result.stdout)], expected)

    def test_file_named_twice_is_reported_once(self):
        self.write("pkg/a.py")
        result = self.check("-q", "pkg/a.py", "pkg", "./pkg/a.py", ".")
        self.assertFindings(result, [("pkg/a.py", 2, SUM_COLUMN, "MEM101")])

    def test_symlinked_file_in_a_directory_is_checked(self):
        self.write("real/target.py")
        (self.dir / "pkg").mkdir()
        (self.dir / "pkg" / "alias.py").symlink_to(self.dir / "real" / "target.py")
        self.assertEqual(self.files("pkg"), ["pkg/alias.py"])

    def test_same_output_with_one_and_two_threads(self):
        # ~50 files over a few levels, with varying numbers of findings and some clean files.
        for i in range(50):
            directory = f"pkg{i % 4}/sub{i % 3}"
            findings = "".join(f"v{k} = sum([x * {k} for x in open({i})])\n" for k in range(i % 4))
            self.write(f"{directory}/mod_{i:02}.py", f"# file {i}\n{findings}")
        self.write("broken.py", "def broken(:\n    total = sum([x for x in open(y)])\n")
        outputs = {}
        for threads in ("1", "2", "8"):
            for output_format in ("concise", "json", "full"):
                result = self.check("-j", threads, "--output-format", output_format, ".")
                self.assertExit(result, 1)
                outputs.setdefault(output_format, {})[threads] = (result.stdout, result.stderr)
        for output_format, by_threads in outputs.items():
            with self.subTest(output_format=output_format):
                self.assertEqual(by_threads["1"], by_threads["2"])
                self.assertEqual(by_threads["1"], by_threads["8"])
        data = json.loads(outputs["json"]["1"][0])
        filenames = [d["filename"] for d in data]
        self.assertEqual(filenames, sorted(filenames))
        self.assertEqual(len(data), sum(i % 4 for i in range(50)) + 1)
        # Within a file, findings come in source order.
        positions = [(d["filename"], d["location"]["row"], d["location"]["column"]) for d in data]
        self.assertEqual(positions, sorted(positions))


class GitignoreTest(HeaplintTestCase):
    def files(self, *args: str, cwd=None) -> list[str]:
        return DiscoveryTest.files(self, *args, cwd=cwd)

    def test_root_gitignore_with_negation(self):
        self.git_init()
        self.write(".gitignore", "# generated code\nignored.py\ngenerated/*\n!generated/keep.py\nlogs/\n*_pb2.py\n")
        for name in ("kept.py", "ignored.py", "sub/ignored.py", "generated/a.py", "generated/keep.py",
                     "logs/today.py", "api_pb2.py", "sub/api_pb2.py", "sub/logs.py"):
            self.write(name)
        self.assertEqual(self.files(), ["generated/keep.py", "kept.py", "sub/logs.py"])

    def test_nested_gitignore_files(self):
        self.git_init()
        self.write(".gitignore", "*.gen.py\n")
        self.write("sub/.gitignore", "local.py\ndeep/*.py\n!deep/wanted.py\n!keep.gen.py\n")
        for name in ("local.py", "a.gen.py", "sub/local.py", "sub/b.gen.py", "sub/keep.gen.py",
                     "sub/deep/x.py", "sub/deep/wanted.py", "other/local.py"):
            self.write(name)
        expected = ["local.py", "other/local.py", "sub/deep/wanted.py", "sub/keep.gen.py"]
        self.assertEqual(self.files(), expected)
        self.assertEqual(self.files(".", cwd=self.dir), expected)
        # The same verdicts when the walk starts below the .gitignore files.
        self.assertEqual(self.files("sub"), ["sub/deep/wanted.py", "sub/keep.gen.py"])
        self.assertEqual(self.files("sub/deep"), ["sub/deep/wanted.py"])
        self.assertEqual(self.files(cwd=self.dir / "sub" / "deep"), ["wanted.py"])

    def test_negation_cannot_reinclude_a_file_in_an_ignored_directory(self):
        # git: "It is not possible to re-include a file if a parent directory of that file is
        # excluded."
        self.git_init()
        self.write(".gitignore", "vendor/\n!vendor/mine.py\n")
        self.write("vendor/mine.py")
        self.write("app.py")
        self.assertEqual(self.files(), ["app.py"])

    def test_anchored_and_double_star_patterns(self):
        self.git_init()
        self.write(".gitignore", "/top.py\na/y.py\n**/cache/\ndocs/**/*.py\n[!a]/z.py\ngen_[0-9].py\n")
        for name in ("top.py", "a/top.py", "a/y.py", "b/a/y.py", "x/cache/c.py", "cache/c.py",
                     "docs/conf.py", "docs/api/x.py", "b/z.py", "a/z.py", "gen_1.py", "gen_a.py"):
            self.write(name)
        self.assertEqual(self.files(), ["a/top.py", "a/z.py", "b/a/y.py", "gen_a.py"])
        # Cross-check every verdict with git itself.
        listed = subprocess.run(
            ["git", "ls-files", "--others", "--exclude-standard", "*.py"],
            cwd=self.dir, env=base_env(), capture_output=True, text=True, timeout=TIMEOUT, check=True,
        ).stdout.split()
        self.assertEqual(sorted(listed), self.files())

    def test_no_respect_gitignore(self):
        self.git_init()
        self.write(".gitignore", "ignored.py\nhidden/\n")
        self.write("ignored.py")
        self.write("hidden/a.py")
        self.write("kept.py")
        self.assertEqual(self.files(), ["kept.py"])
        self.assertEqual(self.files("--no-respect-gitignore"), ["hidden/a.py", "ignored.py", "kept.py"])

    def test_git_directory_skipped_without_gitignore(self):
        self.git_init()
        self.write(".git/hooks/hook.py")
        self.write("kept.py")
        self.assertEqual(self.files("--no-respect-gitignore"), ["kept.py"])

    def test_explicitly_named_ignored_file_is_checked(self):
        self.git_init()
        self.write(".gitignore", "ignored.py\nhidden/\n")
        self.write("ignored.py")
        self.write("hidden/a.py")
        self.assertEqual(self.files("ignored.py", "hidden/a.py"), ["hidden/a.py", "ignored.py"])

    def test_gitignore_outside_a_git_repository_is_not_used(self):
        # As git and Ruff: a .gitignore only applies inside a repository (no `.git` above it).
        # Otherwise whether a file is checked would depend on which directory the walk starts at.
        probe = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=self.dir,
                               env=base_env(), capture_output=True, timeout=TIMEOUT)
        if probe.returncode == 0:
            self.skipTest("the temporary directory is inside a git repository")
        self.write("project/.gitignore", "ignored.py\n")
        self.write("project/ignored.py")
        self.write("project/kept.py")
        self.write("project/sub/ignored.py")
        everything = ["project/ignored.py", "project/kept.py", "project/sub/ignored.py"]
        self.assertEqual(self.files("project"), everything)
        self.assertEqual(self.files(cwd=self.dir / "project"),
                         ["ignored.py", "kept.py", "sub/ignored.py"])
        # Starting below the .gitignore must give the same verdict for the same file.
        self.assertEqual(self.files("project/sub"), ["project/sub/ignored.py"])


if __name__ == "__main__":
    unittest.main()
