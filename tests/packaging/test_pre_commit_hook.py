"""The `language: python` pre-commit hooks (.pre-commit-hooks.yaml) with pre-commit from PyPI
(the latest release when pinned in requirements.txt), a clean PRE_COMMIT_HOME and no heaplint on
PATH: pre-commit clones the hooks repository (a git snapshot of this source tree, with no
node_modules and no third_party/) and pip-installs it into the hook's environment. That build
gets the tree-sitter sources from the npm registry (CMake checks them against package-lock.json's
integrity hashes), so this test needs the npm registry; Python packages come from the wheelhouse.

An installed hook lets a clean commit through and blocks a bad one; `try-repo` fails on a bad file
and leaves the clean one alone. `try-repo` keeps no environment between runs (it makes a new
store each time), so it builds heaplint once more: one run covers both files. Both builds are
Debug builds (SKBUILD_CMAKE_BUILD_TYPE), which compile faster; what pre-commit does is the same."""

from __future__ import annotations

import os
import shutil
import unittest
from pathlib import Path

from packaging_support import (CLEAN_SOURCE, ONE_FINDING, SOURCE_DIR, Timer,
                               class_temporary_directory, copy_source_tree, git_commit_all, git_env,
                               make_venv, offline_pip_env, populate_wheelhouse, run)


@unittest.skipUnless((SOURCE_DIR / ".git").exists(), "needs the git checkout (git ls-files)")
@unittest.skipIf(shutil.which("git") is None, "git is not installed")
class PythonPreCommitHookTest(unittest.TestCase):
    root: Path
    hooks: Path
    hooks_rev: str
    env: dict[str, str]
    pre_commit: Path
    timer: Timer

    @classmethod
    def setUpClass(cls) -> None:
        cls.root = class_temporary_directory(cls, "heaplint-pre-commit-python-")
        cls.timer = Timer()
        populate_wheelhouse()
        env = offline_pip_env()
        venv_bin = make_venv(cls.root / "pre-commit-venv", "pre-commit", env=env)
        cls.pre_commit = venv_bin / "pre-commit"
        env.update(git_env(cls.root / "home"))
        env["SKBUILD_CMAKE_BUILD_TYPE"] = "Debug"
        # No heaplint anywhere on PATH: the hook must bring its own.
        env["PATH"] = f"{venv_bin}{os.pathsep}/usr/local/bin:/usr/bin:/bin"
        cls.env = env
        if shutil.which("heaplint", path=env["PATH"]) is not None:
            raise unittest.SkipTest("a heaplint is installed system-wide")
        cls.hooks = cls.root / "heaplint"
        copy_source_tree(cls.hooks, with_tree_sitter=False)
        cls.hooks_rev = git_commit_all(cls.hooks, env)

        # The project's hook is installed once into PRE_COMMIT_HOME; its tests reuse it.
        cls.project = cls.repository("project")
        (cls.project / ".pre-commit-config.yaml").write_text(
            "repos:\n"
            f"  - repo: {cls.hooks}\n"
            f"    rev: {cls.hooks_rev}\n"
            "    hooks:\n"
            "      - id: heaplint\n")
        installed = cls.timer.run("pre-commit install --install-hooks (builds heaplint)",
                                  [cls.pre_commit, "install", "--install-hooks"], cwd=cls.project,
                                  env=env, check=False)
        if installed.returncode != 0:
            raise AssertionError("pre-commit could not install the hook:\n"
                                 + installed.stdout[-6000:] + installed.stderr[-6000:])

    @classmethod
    def repository(cls, name: str) -> Path:
        path = cls.root / name
        path.mkdir()
        run(["git", "init", "-q", path], env=cls.env, timeout=60)
        return path

    def git(self, project: Path, *args: str, check: bool = True):
        return run(["git", "-C", project, *args], env=self.env, check=check, timeout=1800)

    def test_hook_environment_holds_its_own_heaplint(self):
        home = Path(self.env["PRE_COMMIT_HOME"])
        installed = list(home.glob("repo*/py_env-*/bin/heaplint"))
        self.assertEqual(len(installed), 1, sorted(p.name for p in home.iterdir()))
        version = run([installed[0], "--version"], timeout=60)
        self.assertRegex(version.stdout, r"^heaplint \d+\.\d+\.\d+")

    def test_installed_hook_lets_a_clean_commit_through_and_blocks_a_bad_one(self):
        (self.project / "clean.py").write_text(CLEAN_SOURCE)
        self.git(self.project, "add", ".")
        clean = self.git(self.project, "commit", "-m", "clean", check=False)
        self.assertEqual(clean.returncode, 0, clean.stdout + clean.stderr)
        self.assertRegex(clean.stdout + clean.stderr, r"heaplint\.+Passed")

        (self.project / "bad.py").write_text(ONE_FINDING)
        self.git(self.project, "add", "bad.py")
        blocked = self.git(self.project, "commit", "-m", "bad", check=False)
        self.assertNotEqual(blocked.returncode, 0, blocked.stdout + blocked.stderr)
        self.assertIn("bad.py:2:13: MEM101", blocked.stdout + blocked.stderr)
        commits = self.git(self.project, "rev-list", "--count", "HEAD").stdout.strip()
        self.assertEqual(commits, "1")

    def test_try_repo_fails_on_a_bad_file_and_leaves_the_clean_one_alone(self):
        project = self.repository("try-repo")
        (project / "clean.py").write_text(CLEAN_SOURCE)
        (project / "app").mkdir()
        (project / "app" / "bad.py").write_text(ONE_FINDING)
        self.git(project, "add", ".")
        result = self.timer.run(
            "pre-commit try-repo (builds heaplint in its own store)",
            [self.pre_commit, "try-repo", self.hooks, "heaplint", "--ref", self.hooks_rev,
             "--all-files"], cwd=project, env=self.env, check=False)
        self.assertEqual(result.returncode, 1, result.stdout[-6000:] + result.stderr[-6000:])
        self.assertIn("app/bad.py:2:13: MEM101", result.stdout)
        self.assertNotIn("clean.py:", result.stdout)


if __name__ == "__main__":
    unittest.main()
