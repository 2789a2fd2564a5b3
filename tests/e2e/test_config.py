"""End-to-end tests of configuration files: [tool.heaplint] in pyproject.toml, heaplint.toml and
.heaplint.toml, the closest one per file, --config, --isolated, --show-settings, --force-exclude,
per-file-ignores, rule options, and errors (exit 2, one line naming file, key and reason)."""

from __future__ import annotations

import os
import pty
import re
import shutil
import select
import subprocess
import time
import unittest

from e2e_support import BINARY, ONE_FINDING, SOURCE_DIR, SUM_COLUMN, TIMEOUT, HeaplintTestCase, base_env

GC_COLLECT = "import gc\n\n\ndef tidy(path):\n    for line in open(path): gc.collect()\n"
# MEM101 on line 2 and MEM501 on line 7.
BOTH = ONE_FINDING + "import gc\n\n\ndef tidy(path):\n    for line in open(path): gc.collect()\n"


class ConfigTest(HeaplintTestCase):
    def codes(self, *args: str, cwd=None) -> list[tuple[str, str]]:
        result = self.check("-q", *args, cwd=cwd)
        self.assertIn(result.returncode, (0, 1), result.describe())
        return [(path, code) for path, _, _, code in result.findings()]

    def test_pyproject_select_and_ignore(self):
        self.write("app.py", BOTH)
        self.assertEqual(self.codes(), [("app.py", "MEM101"), ("app.py", "MEM501")])
        self.write("pyproject.toml", '[project]\nname = "x"\n\n[tool.heaplint]\nignore = ["MEM101"]\n')
        self.assertEqual(self.codes(), [("app.py", "MEM501")])
        self.write("pyproject.toml", '[tool.heaplint]\nselect = ["list-comprehension-in-reducer"]\n')
        self.assertEqual(self.codes(), [("app.py", "MEM101")])

    def test_command_line_select_overrides_and_ignore_adds(self):
        self.write("app.py", BOTH)
        self.write("heaplint.toml", 'select = ["MEM101"]\n')
        self.assertEqual(self.codes("--select", "MEM501"), [("app.py", "MEM501")])
        self.assertEqual(self.codes("--extend-select", "MEM5"),
                         [("app.py", "MEM101"), ("app.py", "MEM501")])
        self.assertEqual(self.codes("--ignore", "MEM101"), [])

    def test_precedence_in_one_directory(self):
        self.write("app.py", BOTH)
        self.write("pyproject.toml", '[tool.heaplint]\nselect = ["MEM101"]\n')
        self.write("heaplint.toml", 'select = ["MEM501"]\n')
        self.assertEqual(self.codes(), [("app.py", "MEM501")])
        self.write(".heaplint.toml", 'select = ["MEM101", "MEM501"]\nignore = ["MEM5"]\n')
        self.assertEqual(self.codes(), [("app.py", "MEM101")])

    def test_pyproject_without_table_is_skipped_for_the_parent(self):
        self.write("heaplint.toml", 'select = ["MEM501"]\n')
        self.write("pkg/pyproject.toml", "[tool.black]\nline-length = 99\n")
        self.write("pkg/mod.py", BOTH)
        self.assertEqual(self.codes(), [("pkg/mod.py", "MEM501")])

    def test_closest_configuration_applies_per_file(self):
        self.write("heaplint.toml", 'select = ["MEM101"]\n')
        self.write("top.py", BOTH)
        self.write("sub/pyproject.toml", '[tool.heaplint]\nselect = ["MEM501"]\n')
        self.write("sub/deep/inner.py", BOTH)
        self.assertEqual(self.codes(), [("sub/deep/inner.py", "MEM501"), ("top.py", "MEM101")])
        # The same when the file is named on its own, and from another working directory.
        self.assertEqual(self.codes("sub/deep/inner.py"), [("sub/deep/inner.py", "MEM501")])
        self.assertEqual(self.codes("inner.py", cwd=self.dir / "sub" / "deep"),
                         [("inner.py", "MEM501")])

    def test_explicit_config_and_isolated(self):
        self.write("app.py", BOTH)
        self.write("heaplint.toml", 'select = ["MEM101"]\n')
        other = self.write("configs/only-gc.toml", 'select = ["MEM501"]\n')
        self.assertEqual(self.codes("--config", str(other)), [("app.py", "MEM501")])
        self.assertEqual(self.codes("--isolated"), [("app.py", "MEM101"), ("app.py", "MEM501")])
        self.assertUsageError(self.check("--isolated", "--config", str(other)))

    def test_isolated_with_config_settings(self):
        # As in Ruff: --isolated ignores the files, but `--config 'KEY = VALUE'` still applies.
        self.write("app.py", BOTH)
        self.write("heaplint.toml", 'select = ["MEM101"]\n')
        self.assertEqual(self.codes("--isolated", "--config", 'ignore = ["MEM101"]'),
                         [("app.py", "MEM501")])
        self.assertEqual(self.codes("--isolated", "--config", 'select = ["MEM5"]',
                                    "--config", "preview = true"), [("app.py", "MEM501")])
        shown = self.check("--isolated", "--config", "preview = true", "--show-settings", "app.py")
        self.assertIn("# Configuration file: none (defaults)", shown.stdout)
        self.assertIn("preview = true", shown.stdout)
        # Settings that are flags too: `fix = true` fixes.
        fixed = self.check("--isolated", "--config", "fix = true", "app.py")
        self.assertIn("1 fixed", fixed.stdout, fixed.describe())
        # A file with --isolated is an error, whichever comes first; a bad setting is one too.
        for args in (("--isolated", "--config", "heaplint.toml"),
                     ("--config", "heaplint.toml", "--isolated"),
                     ("--isolated", "--config", "preview = 1")):
            with self.subTest(args=args):
                result = self.check(*args, "app.py")
                self.assertUsageError(result)
                self.assertIn("--config", result.stderr)
        self.assertIn("--isolated", self.check("--isolated", "--config", "heaplint.toml").stderr)

    def test_config_paths_are_relative_to_the_config_file(self):
        self.write("proj/app.py", BOTH)
        self.write("proj/scripts/run.py", BOTH)
        self.write("proj/generated/api.py", BOTH)
        self.write("proj/heaplint.toml",
                   'extend-exclude = ["generated/"]\n\n[per-file-ignores]\n"scripts/*" = ["MEM501"]\n')
        expected = [("proj/app.py", "MEM101"), ("proj/app.py", "MEM501"),
                    ("proj/scripts/run.py", "MEM101")]
        self.assertEqual(self.codes("proj"), expected)
        self.assertEqual(self.codes("--config", "proj/heaplint.toml", "proj"), expected)

    def test_force_exclude_applies_to_named_files(self):
        self.write("heaplint.toml", 'extend-exclude = ["legacy.py", "vendor/"]\n')
        self.write("legacy.py")
        self.write("vendor/lib/thing.py")
        self.write("build/out.py")
        self.write("ok.py")
        named = ["legacy.py", "vendor/lib/thing.py", "build/out.py", "ok.py"]
        self.assertEqual(self.codes(*named),
                         [("build/out.py", "MEM101"), ("legacy.py", "MEM101"), ("ok.py", "MEM101"),
                          ("vendor/lib/thing.py", "MEM101")])
        self.assertEqual(self.codes("--force-exclude", *named), [("ok.py", "MEM101")])
        # Every named file excluded: nothing to check is not an error.
        result = self.check("--force-exclude", "legacy.py")
        self.assertExit(result, 0)

    def test_force_exclude_with_stdin_filename(self):
        self.write("heaplint.toml", 'extend-exclude = ["generated/"]\n')
        excluded = self.check("--force-exclude", "--stdin-filename", "generated/x.py", stdin=ONE_FINDING)
        self.assertExit(excluded, 0)
        self.assertEqual(excluded.findings(), [])
        fixed = self.check("--force-exclude", "--fix", "--stdin-filename", "generated/x.py",
                           stdin=ONE_FINDING)
        self.assertEqual(fixed.stdout, ONE_FINDING)  # passed through unchanged
        linted = self.check("--stdin-filename", "generated/x.py", stdin=ONE_FINDING)
        self.assertEqual(linted.findings(), [("generated/x.py", 2, SUM_COLUMN, "MEM101")])

    def test_project_rules_learn_from_files_that_do_not_report_them(self):
        project = SOURCE_DIR / "fixtures" / "mem2" / "MEM201_project"
        shutil.copytree(project, self.dir, dirs_exist_ok=True)
        expected = [("pkg/store.py", "MEM201"), ("pkg/store.py", "MEM201")]
        self.assertEqual(self.codes("--preview", "--select", "MEM201"), expected)
        # The module that evicts `_session_cache` reports no MEM201, through per-file-ignores or
        # a nested configuration, yet its eviction still counts.
        self.write("heaplint.toml",
                   'preview = true\n[per-file-ignores]\n"maintenance.py" = ["MEM201"]\n')
        self.assertEqual(self.codes("--preview", "--select", "MEM201"), expected)
        self.write("heaplint.toml", "preview = true\n")  # MEM201 is a preview rule
        self.write("pkg/maintenance_dir/heaplint.toml", 'select = ["MEM101"]\n')
        (self.dir / "pkg" / "maintenance.py").rename(self.dir / "pkg" / "maintenance_dir" / "m.py")
        (self.dir / "pkg" / "maintenance_dir" / "__init__.py").write_text("")
        self.assertEqual([f for f in self.codes() if f[1] == "MEM201"], expected)
        # Without that module, `_session_cache` is flagged too.
        (self.dir / "pkg" / "maintenance_dir" / "m.py").unlink()
        self.assertEqual(len([f for f in self.codes() if f[1] == "MEM201"]), 3)

    def test_result_cache_follows_configuration_changes(self):
        self.write("app.py", BOTH)
        self.write("sub/mod.py", BOTH)
        self.assertEqual(len(self.codes()), 4)
        self.assertEqual(len(self.codes()), 4)  # warm
        self.write("sub/heaplint.toml", '[per-file-ignores]\n"mod.py" = ["MEM101"]\n')
        self.assertEqual(self.codes(), [("app.py", "MEM101"), ("app.py", "MEM501"),
                                        ("sub/mod.py", "MEM501")])
        self.write("sub/heaplint.toml", '[unsubscribed-closure]\nmethod-pairs = [["a", "b"]]\n')
        self.assertEqual(len(self.codes()), 4)

    def test_extra_hot_classes_of_a_subproject_count_when_checked_from_above(self):
        self.write("sub/pkg/__init__.py", "")
        self.write("sub/pkg/models.py", "class Point:\n    def __init__(self, x):\n        self.x = x\n")
        self.assertEqual(self.codes("sub"), [])
        self.write("sub/heaplint.toml",  # in preview as well
                   'preview = true\n\n[missing-slots-on-hot-class]\n'
                   'extra-hot-classes = ["pkg.models.Point"]\n')
        self.assertEqual(self.codes("sub"), [("sub/pkg/models.py", "MEM401")])
        self.assertEqual(self.codes("."), [("sub/pkg/models.py", "MEM401")])
        # MEM401 runs by default too, and a class listed there is hot without preview.
        self.write("sub/heaplint.toml", '[missing-slots-on-hot-class]\n'
                   'extra-hot-classes = ["pkg.models.Point"]\n')
        self.assertEqual(self.codes("sub"), [("sub/pkg/models.py", "MEM401")])

    def test_preview_of_a_subproject_decides_across_files_wherever_checked_from(self):
        # MEM401 makes a class hot from another module's loop only in preview: the subproject's
        # own settings decide, whichever file's settings come first in the run.
        self.write("a.py", "x = 1\n")
        self.write("sub/heaplint.toml", "preview = true\n")
        self.write("sub/pkg/__init__.py", "")
        self.write("sub/pkg/models.py", "class Point:\n    def __init__(self, x):\n"
                                        "        self.x = x\n")
        self.write("sub/pkg/make.py", "from .models import Point\n\n"
                                      "ALL = [Point(i) for i in range(1_000_000)]\n")
        expected = [("sub/pkg/models.py", "MEM401")]
        self.assertEqual(self.codes("sub"), expected)
        self.assertEqual(self.codes("."), expected)
        self.write("sub/heaplint.toml", "")
        self.assertEqual(self.codes("."), [])

    def test_rule_options(self):
        self.write("events.py", (
            "from bus import EventBus\n\nbus = EventBus()\n\n\n"
            "def handle_request(user_id):\n"
            "    bus.watch(lambda event: print(user_id, event))\n"))
        self.assertEqual(self.codes("--preview", "--select", "MEM301"), [])  # a preview rule
        self.assertEqual(self.codes("--preview"), [])
        self.write("heaplint.toml", '[unsubscribed-closure]\nextend-method-pairs = [["watch", "unwatch"]]\n')
        self.assertEqual(self.codes("--preview"), [("events.py", "MEM301")])
        self.assertEqual(self.codes(), [])

    def test_test_file_patterns(self):
        self.write("checks/probe.py", GC_COLLECT)
        self.assertEqual(self.codes(), [("checks/probe.py", "MEM501")])
        self.write("heaplint.toml", 'extend-test-file-patterns = ["checks/"]\n')
        self.assertEqual(self.codes(), [])

    def test_bad_configuration_exits_2_naming_file_key_and_reason(self):
        self.write("app.py")
        cases = {
            'selekt = ["MEM101"]\n': "heaplint.toml:1:1: `selekt`: unknown key",
            'select = ["MEM999"]\n': "heaplint.toml:1:11: `select`: unknown rule selector `MEM999`",
            'target-version = "py27"\n': "`target-version`: unknown Python version `py27`",
            "respect-gitignore = \"yes\"\n": "`respect-gitignore`: expected true or false",
            "[missing-slots-on-hot-class]\nextra-hot-classes = \"a.B\"\n":
                "heaplint.toml:2:21: `missing-slots-on-hot-class.extra-hot-classes`: expected an array",
            "select = [\n": "heaplint.toml:1:12: not valid TOML",
        }
        for contents, expected in cases.items():
            with self.subTest(contents=contents):
                self.write("heaplint.toml", contents)
                result = self.check()
                self.assertUsageError(result)
                self.assertIn(expected, result.stderr, result.describe())
        self.write("heaplint.toml", "")
        self.write("pyproject.toml", "[tool.heaplint]\nfoo = 1\n")
        result = self.check("--config", "pyproject.toml")
        self.assertUsageError(result)
        self.assertIn("pyproject.toml:2:1: `tool.heaplint.foo`: unknown key", result.stderr)
        result = self.check("--config", "missing.toml")
        self.assertUsageError(result)
        self.assertIn("missing.toml: cannot read the configuration file", result.stderr)

    def test_show_settings(self):
        self.write("heaplint.toml", (
            'ignore = ["MEM501"]\ntarget-version = "py38"\n\n[per-file-ignores]\n"tests/*" = ["MEM101"]\n'
            '\n[missing-slots-on-hot-class]\nextra-hot-classes = ["app.Point"]\n'))
        self.write("tests/test_app.py")
        result = self.check("--show-settings", "tests/test_app.py")
        self.assertExit(result, 0)
        out = result.stdout
        self.assertIn(f"# Configuration file: {self.dir / 'heaplint.toml'}", out)
        self.assertIn('target-version = "py38"', out)
        self.assertIn('ignore = ["MEM501"]', out)
        self.assertIn('extra-hot-classes = ["app.Point"]', out)
        self.assertIn('"tests/*" = ["MEM101"]', out)
        self.assertIn("#   MEM502 gc-disabled-without-enable", out)
        self.assertNotIn("#   MEM501", out)
        self.assertNotIn("#   MEM101", out)  # per-file-ignores apply to this file
        self.assertNotIn("MEM101", self.codes("tests/test_app.py"))
        isolated = self.check("--isolated", "--show-settings", "tests/test_app.py")
        self.assertIn("# Configuration file: none (defaults)", isolated.stdout)
        self.assertIn("#   MEM101 list-comprehension-in-reducer", isolated.stdout)

    def test_readme_example_is_valid(self):
        readme = (SOURCE_DIR / "docs" / "configuration.md").read_text()
        example = re.search(r"```toml\n(\[tool\.heaplint\]\n.*?)```", readme, re.S)
        self.assertIsNotNone(example)
        self.write("pyproject.toml", example.group(1))
        result = self.check("--show-settings", ".")
        self.assertExit(result, 0)
        self.assertIn('extra-hot-classes = ["app.models.Point"]', result.stdout)
        self.assertIn('"tests/**/conftest.py" = ["stray-gc-collect", "MEM502"]', result.stdout)
        self.assertIn('["watch", "unwatch"]', result.stdout)

    def test_respect_gitignore_setting(self):
        self.git_init()
        self.write(".gitignore", "ignored.py\n")
        self.write("ignored.py")
        self.assertEqual(self.codes(), [])
        self.write("heaplint.toml", "respect-gitignore = false\n")
        self.assertEqual(self.codes(), [("ignored.py", "MEM101")])

    def test_fix_respects_per_file_ignores(self):
        self.write("heaplint.toml", '[per-file-ignores]\n"keep.py" = ["MEM101"]\n')
        self.write("keep.py")
        self.write("change.py")
        result = self.check("--fix")
        self.assertExit(result, 0)
        self.assertEqual(self.read("keep.py").decode(), ONE_FINDING)
        self.assertNotEqual(self.read("change.py").decode(), ONE_FINDING)

    def test_preview_from_configuration_and_command_line(self):
        def preview_line(*args):
            result = self.check("--show-settings", *args, ".")
            self.assertExit(result, 0)
            return [line for line in result.stdout_lines() if line.startswith("preview = ")]

        self.assertEqual(preview_line(), ["preview = false"])
        self.assertEqual(preview_line("--preview"), ["preview = true"])
        self.write("heaplint.toml", "preview = true\n")
        self.assertEqual(preview_line(), ["preview = true"])
        self.assertEqual(preview_line("--no-preview"), ["preview = false"])
        self.write("heaplint.toml", "preview = 1\n")
        self.assertUsageError(self.check("."))


class ProgressTest(HeaplintTestCase):
    """The progress line appears only on a terminal, and never with CI set or through a pipe."""

    def run_on_terminal(self, env: dict[str, str]) -> bytes:
        leader, follower = pty.openpty()
        try:
            process = subprocess.Popen([BINARY, "check", "--exit-zero", "-j", "1", "."],
                                       cwd=str(self.dir), env=env, stdout=subprocess.DEVNULL,
                                       stderr=follower, stdin=subprocess.DEVNULL)
        finally:
            os.close(follower)
        output = b""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(leader, 65536)
                except OSError:  # the terminal closes when the process exits
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        process.wait(timeout=TIMEOUT)
        os.close(leader)
        return output

    def test_progress_only_on_a_terminal_outside_ci(self):
        # Enough work to outlast the half-second delay on one thread (about 3 s).
        body = "".join(f"def f{i}(xs):\n    return sum(x for x in xs if x > {i})\n"
                       for i in range(400))
        for i in range(150):
            self.write(f"pkg/m{i}.py", body)
        env = base_env()
        env.pop("CI", None)
        started = time.monotonic()
        on_terminal = self.run_on_terminal(env)
        if time.monotonic() - started < 1.0:
            self.skipTest("the run was too short for a progress line on this machine")
        self.assertRegex(on_terminal, rb"\[\d+/150\] files checked")
        self.assertNotIn(b"files checked", self.run_on_terminal(base_env(CI="true")))
        piped = self.check("--exit-zero", "-j", "1", ".", env=env)
        self.assertNotIn("files checked", piped.stderr)


if __name__ == "__main__":
    unittest.main()
