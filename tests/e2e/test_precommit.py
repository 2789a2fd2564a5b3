"""End-to-end tests of the `language: system` pre-commit hooks in .pre-commit-hooks.yaml
(`heaplint-system`, `heaplint-fix-system`: the heaplint on PATH) with a real pre-commit (Debian's
3.0.4): `pre-commit try-repo`, and a commit through `pre-commit install`. The `language: python`
hooks, which build heaplint themselves, are tested in tests/packaging/test_pre_commit_hook.py.

pre-commit clones hook repositories, so the hooks file is committed to a scratch git repository
in a temporary directory; HOME and PRE_COMMIT_HOME point there too, so nothing leaks out."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import json
import unittest
from pathlib import Path

import yaml

from e2e_support import BINARY, CLEAN_SOURCE, ONE_FINDING, SOURCE_DIR, SUM_FIXED, SUM_LINE

PRE_COMMIT = shutil.which("pre-commit")
HOOKS_FILE = SOURCE_DIR / ".pre-commit-hooks.yaml"
TIMEOUT = 180


class HooksFileTest(unittest.TestCase):
    def test_every_hook_sees_the_files_ruffs_hooks_see(self):
        # Ruff's hooks (astral-sh/ruff-pre-commit) take `types_or: [python, pyi, jupyter]`.
        hooks = yaml.safe_load(HOOKS_FILE.read_text())
        self.assertEqual({hook["id"] for hook in hooks},
                         {"heaplint", "heaplint-fix", "heaplint-system", "heaplint-fix-system"})
        for hook in hooks:
            with self.subTest(hook=hook["id"]):
                self.assertEqual(hook["types_or"], ["python", "pyi", "jupyter"])
                self.assertNotIn("types", hook)  # `types` would narrow `types_or` again


@unittest.skipIf(PRE_COMMIT is None, "pre-commit is not installed")
class PreCommitTest(unittest.TestCase):
    def setUp(self) -> None:
        temporary = tempfile.TemporaryDirectory(prefix="heaplint-pre-commit-")
        self.addCleanup(temporary.cleanup)
        self.root = Path(os.path.realpath(temporary.name))
        home = self.root / "home"
        home.mkdir()
        self.env = {
            "PATH": f"{Path(BINARY).parent}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": str(home),
            "PRE_COMMIT_HOME": str(self.root / "pre-commit-cache"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "heaplint tests",
            "GIT_AUTHOR_EMAIL": "tests@heaplint.invalid",
            "GIT_COMMITTER_NAME": "heaplint tests",
            "GIT_COMMITTER_EMAIL": "tests@heaplint.invalid",
            "NO_COLOR": "1",
            "LANG": "C.UTF-8",
        }
        # The hook runs `heaplint` from PATH: make sure that is the binary under test.
        on_path = shutil.which("heaplint", path=self.env["PATH"])
        self.assertEqual(os.path.realpath(on_path or ""), os.path.realpath(BINARY))
        self.hooks = self.repository("hooks")
        shutil.copy(HOOKS_FILE, self.hooks / ".pre-commit-hooks.yaml")
        self.git(self.hooks, "add", ".pre-commit-hooks.yaml")
        self.git(self.hooks, "commit", "-q", "-m", "hooks")
        self.hooks_rev = self.git(self.hooks, "rev-parse", "HEAD").stdout.strip()
        self.project = self.repository("project")

    def repository(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        self.git(path, "init", "-q")
        return path

    def run_in(self, cwd: Path, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(list(args), cwd=str(cwd), env=self.env, capture_output=True,
                              text=True, timeout=TIMEOUT)

    def git(self, cwd: Path, *args: str) -> subprocess.CompletedProcess:
        result = self.run_in(cwd, "git", *args)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def write(self, relative: str, text: str) -> None:
        path = self.project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def describe(self, result: subprocess.CompletedProcess) -> str:
        return f"\n-- exit code {result.returncode}\n-- stdout:\n{result.stdout}\n-- stderr:\n{result.stderr}"

    def test_try_repo_fails_on_a_finding_and_names_it(self):
        self.write("clean.py", CLEAN_SOURCE)
        self.write("app/bad.py", ONE_FINDING)
        self.write("notes.txt", ONE_FINDING)  # not Python: the hook never sees it
        self.git(self.project, "add", ".")
        result = self.run_in(self.project, PRE_COMMIT, "try-repo", str(self.hooks), "heaplint-system",
                             "--all-files")
        self.assertEqual(result.returncode, 1, self.describe(result))
        self.assertIn("app/bad.py:2:13: MEM101", result.stdout, self.describe(result))
        self.assertNotIn("notes.txt", result.stdout, self.describe(result))
        self.assertNotIn("clean.py:", result.stdout, self.describe(result))

    def test_try_repo_checks_notebooks(self):
        cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                "source": ONE_FINDING.splitlines(keepends=True)}
        self.write("analysis.ipynb", json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                                 "nbformat_minor": 5}, indent=1) + "\n")
        self.git(self.project, "add", ".")
        result = self.run_in(self.project, PRE_COMMIT, "try-repo", str(self.hooks), "heaplint-system",
                             "--all-files")
        self.assertEqual(result.returncode, 1, self.describe(result))
        self.assertIn("analysis.ipynb:cell 1:2:13: MEM101", result.stdout, self.describe(result))

    def test_try_repo_passes_on_clean_files_and_honours_exclude(self):
        self.write("clean.py", CLEAN_SOURCE)
        self.write("stubs/types.pyi", CLEAN_SOURCE)
        # Named by pre-commit, excluded by the configuration: --force-exclude skips it.
        self.write("generated/bad.py", ONE_FINDING)
        self.write("pyproject.toml", '[tool.heaplint]\nextend-exclude = ["generated/"]\n')
        self.git(self.project, "add", ".")
        result = self.run_in(self.project, PRE_COMMIT, "try-repo", str(self.hooks), "heaplint-system",
                             "--all-files")
        self.assertEqual(result.returncode, 0, self.describe(result))
        self.assertIn("Passed", result.stdout, self.describe(result))

    def test_fix_hook_rewrites_the_file(self):
        self.write("bad.py", ONE_FINDING)
        self.git(self.project, "add", ".")
        result = self.run_in(self.project, PRE_COMMIT, "try-repo", str(self.hooks), "heaplint-fix-system",
                             "--all-files")
        # pre-commit fails a hook that changed files, so the fixed file gets reviewed.
        self.assertEqual(result.returncode, 1, self.describe(result))
        fixed = (self.project / "bad.py").read_text()
        self.assertIn(SUM_FIXED, fixed)
        self.assertNotIn(SUM_LINE, fixed)

    def test_installed_hook_blocks_a_bad_commit_and_lets_a_clean_one_through(self):
        self.write(".pre-commit-config.yaml", (
            "repos:\n"
            f"  - repo: {self.hooks}\n"
            f"    rev: {self.hooks_rev}\n"
            "    hooks:\n"
            "      - id: heaplint-system\n"))
        installed = self.run_in(self.project, PRE_COMMIT, "install")
        self.assertEqual(installed.returncode, 0, self.describe(installed))

        self.write("clean.py", CLEAN_SOURCE)
        self.git(self.project, "add", ".")
        clean = self.run_in(self.project, "git", "commit", "-m", "clean")
        self.assertEqual(clean.returncode, 0, self.describe(clean))
        self.assertIn("heaplint", clean.stdout + clean.stderr)

        self.write("bad.py", ONE_FINDING)
        self.git(self.project, "add", "bad.py")
        blocked = self.run_in(self.project, "git", "commit", "-m", "bad")
        self.assertNotEqual(blocked.returncode, 0, self.describe(blocked))
        self.assertIn("bad.py:2:13: MEM101", blocked.stdout + blocked.stderr, self.describe(blocked))
        commits = self.git(self.project, "rev-list", "--count", "HEAD").stdout.strip()
        self.assertEqual(commits, "1")


if __name__ == "__main__":
    unittest.main()
