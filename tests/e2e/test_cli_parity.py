"""End-to-end tests of the everyday parity with `ruff check` (issue 13): subcommands, the
--output-format values, --statistics as JSON, `heaplint rule --all`, environment variables."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
import unittest

from e2e_support import (
    ANY_FIXED,
    ANY_LINE,
    BINARY,
    CLEAN_SOURCE,
    ONE_FINDING,
    SUM_FIXED,
    SUM_LINE,
    TIMEOUT,
    HeaplintTestCase,
    base_env,
    parses,
)

FORMATS = "concise, full, github, gitlab, json, json-lines, junit, pylint, sarif"


class SubcommandTest(HeaplintTestCase):
    def test_version_subcommand_and_flags(self):
        text = self.heaplint("version")
        self.assertExit(text, 0)
        self.assertRegex(text.stdout, r"^heaplint \d+\.\d+\.\d+\n$")
        for flag in ("-V", "--version"):
            self.assertEqual(self.heaplint(flag).stdout, text.stdout)
        as_json = self.heaplint("version", "--output-format", "json")
        self.assertExit(as_json, 0)
        self.assertEqual(json.loads(as_json.stdout), {"version": text.stdout.split()[1]})

    def test_a_typo_names_the_closest_subcommand(self):
        for typed, meant in (("chek", "check"), ("rulles", "rules"), ("verison", "version"),
                             ("sever", "server")):
            with self.subTest(typed=typed):
                result = self.heaplint(typed, ".")
                self.assertUsageError(result)
                self.assertIn(f"unknown subcommand `{typed}` (did you mean `{meant}`?)",
                              result.stderr)
        far = self.heaplint("lint-everything")
        self.assertUsageError(far)
        self.assertIn("expected one of check", far.stderr)

    def test_rule_all(self):
        every = self.heaplint("rule", "--all")
        self.assertExit(every, 0)
        rules = json.loads(self.heaplint("rules", "--json").stdout)
        for rule in rules:
            self.assertIn(f"# {rule['name']} ({rule['code']})", every.stdout)
        listed = json.loads(self.heaplint("rule", "--all", "--output-format", "json").stdout)
        self.assertEqual([r["code"] for r in listed], [r["code"] for r in rules])
        one = json.loads(self.heaplint("rule", "MEM101", "--output-format", "json").stdout)
        self.assertEqual(one["code"], "MEM101")
        self.assertUsageError(self.heaplint("rule"))
        self.assertUsageError(self.heaplint("rule", "MEM101", "--all"))


class OutputFormatValueTest(HeaplintTestCase):
    def test_error_lists_the_names_and_numbers_are_refused(self):
        self.write("a.py")
        for value in ("xml", "0", "2"):
            with self.subTest(value=value):
                result = self.check("--output-format", value, "a.py")
                self.assertUsageError(result)
                self.assertIn(f"`{value}` is not an output format (expected one of {FORMATS})",
                              result.stderr)
                self.assertNotIn("->", result.stderr)
        self.assertExit(self.check("--output-format", "JSON", "a.py"), 1)

    def test_help_shows_no_enum_map(self):
        result = self.check("--help")
        self.assertExit(result, 0)
        self.assertIn("--output-format FORMAT", result.stdout)
        self.assertNotIn("->", result.stdout)
        self.assertNotIn("{concise", result.stdout)

    def test_environment_variables(self):
        self.write("a.py")
        self.check("a.py", env=base_env(HEAPLINT_NO_CACHE="1"))
        self.assertFalse((self.dir / ".heaplint_cache").exists())
        self.check("a.py")
        self.assertTrue((self.dir / ".heaplint_cache").exists())
        result = self.check("a.py", env=base_env(HEAPLINT_OUTPUT_FORMAT="json"))
        self.assertEqual(json.loads(result.stdout)[0]["code"], "MEM101")
        # The command line wins over the environment.
        result = self.check("--output-format", "concise", "a.py",
                            env=base_env(HEAPLINT_OUTPUT_FORMAT="json"))
        self.assertEqual(len(result.findings()), 1)
        self.assertUsageError(self.check("a.py", env=base_env(HEAPLINT_OUTPUT_FORMAT="xml")))


class StatisticsTest(HeaplintTestCase):
    def test_statistics_as_json(self):
        self.write("a.py", ONE_FINDING + "flag = any([x > 1 for x in xs])\n")
        result = self.check("--statistics", "--output-format", "json", "a.py")
        self.assertExit(result, 1)
        self.assertEqual(json.loads(result.stdout), [{
            "code": "MEM101", "name": "list-comprehension-in-reducer", "count": 2,
            "fixable": False, "fixable_count": 1,
        }])

    def test_statistics_in_other_formats_is_a_usage_error(self):
        self.write("a.py")
        result = self.check("--statistics", "--output-format", "sarif", "a.py")
        self.assertUsageError(result)
        self.assertIn("--statistics", result.stderr)


class SyntaxErrorLocationTest(HeaplintTestCase):
    def test_valid_python_that_tree_sitter_cannot_parse_points_at_the_first_error(self):
        # From CPython's test_compile.py: valid Python (a dedent inside brackets) that
        # tree-sitter's grammar rejects, which wraps the whole module in one ERROR node.
        source = (
            "import os, weakref  # weakref: MEM306 reads the file\n\n\n"
            "class Test:\n"
            "    def test_ok(self):\n"
            "        return os.sep\n\n"
            "    def test_weird_attribute_position_regressions(self):\n"
            "        def f():\n"
            "            (bar.\n"
            "        baz)\n"
            "        return f\n"
        )
        self.assertTrue(parses(source))
        self.write("weird.py", source)
        result = self.check("weird.py")
        self.assertNoCrash(result)
        self.assertIn("warning: weird.py:10:13: syntax error", result.stderr)


class CacheLocationTest(HeaplintTestCase):
    def test_cache_lives_at_the_configuration_directory(self):
        self.write("pyproject.toml", "[tool.heaplint]\n")
        self.write("pkg/sub/a.py")
        self.assertExit(self.check(".", cwd=self.dir / "pkg" / "sub"), 1)
        self.assertTrue((self.dir / ".heaplint_cache" / "CACHEDIR.TAG").is_file())
        self.assertFalse((self.dir / "pkg" / "sub" / ".heaplint_cache").exists())
        # `heaplint clean` anywhere in the project removes that one cache.
        result = self.heaplint("clean", cwd=self.dir / "pkg")
        self.assertExit(result, 0)
        self.assertFalse((self.dir / ".heaplint_cache").exists())

    def test_without_configuration_the_git_root(self):
        self.git_init()
        self.write("pkg/a.py")
        self.check("a.py", cwd=self.dir / "pkg")
        self.assertTrue((self.dir / ".heaplint_cache").is_dir())
        self.assertFalse((self.dir / "pkg" / ".heaplint_cache").exists())

    def test_cache_dir_key_flag_and_environment(self):
        self.write("heaplint.toml", 'cache-dir = "var/cache"\n')
        self.write("pkg/a.py")
        self.check(".", cwd=self.dir / "pkg")
        self.assertTrue((self.dir / "var" / "cache" / "CACHEDIR.TAG").is_file())
        self.check(".", "--cache-dir", "elsewhere", cwd=self.dir / "pkg")
        self.assertTrue((self.dir / "pkg" / "elsewhere" / "CACHEDIR.TAG").is_file())
        self.check(".", env=base_env(HEAPLINT_CACHE_DIR=str(self.dir / "env")))
        self.assertTrue((self.dir / "env" / "CACHEDIR.TAG").is_file())
        self.assertExit(self.heaplint("clean", cwd=self.dir / "pkg"), 0)
        self.assertFalse((self.dir / "var" / "cache").exists())


class RuffFlagsTest(HeaplintTestCase):
    """The everyday flags of `ruff check`, and their configuration keys."""

    def test_exit_zero_short_flag(self):
        self.write("a.py")
        self.assertExit(self.check("-e", "a.py"), 0)

    def test_fix_only_reports_what_was_fixed_only(self):
        self.write("a.py", ONE_FINDING + ANY_LINE + "\n")
        result = self.check("--fix-only", "a.py")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "")
        self.assertIn("Fixed 1 finding.", result.stderr)
        self.assertIn(SUM_FIXED, self.read("a.py").decode())
        self.assertIn(ANY_LINE, self.read("a.py").decode())  # unsafe: left

    def test_exit_non_zero_on_fix(self):
        self.write("a.py")
        self.assertExit(self.check("--fix", "--exit-non-zero-on-fix", "a.py"), 1)
        self.assertExit(self.check("--fix", "--exit-non-zero-on-fix", "a.py"), 0)  # nothing left
        self.write("b.py")
        self.assertExit(self.check("--fix-only", "--exit-non-zero-on-fix", "b.py"), 1)

    def test_show_fixes(self):
        self.write("a.py", ONE_FINDING + "t2 = sum([y for y in xs])\n")
        result = self.check("--fix", "--show-fixes", "a.py")
        self.assertExit(result, 0)
        self.assertIn("Fixed 2 findings:\n- a.py:\n    2 \u00d7 MEM101 (list-comprehension-in-reducer)\n",
                      result.stdout)

    def test_no_fix_and_no_unsafe_fixes_override_the_configuration(self):
        self.write("heaplint.toml", "fix = true\nunsafe-fixes = true\n")
        self.write("a.py", ONE_FINDING)
        self.assertExit(self.check("--no-fix", "a.py"), 1)
        self.assertEqual(self.read("a.py").decode(), ONE_FINDING)
        self.write("b.py", f"xs = []\n{ANY_LINE}\n")
        self.assertExit(self.check("--no-unsafe-fixes", "b.py"), 1)
        self.assertIn(ANY_LINE, self.read("b.py").decode())
        self.assertExit(self.check("b.py"), 0)  # the configuration: fix, unsafe fixes too
        self.assertIn(ANY_FIXED, self.read("b.py").decode())

    def test_show_files(self):
        self.write("a.py")
        self.write("pkg/b.py")
        self.write("pkg/nb.ipynb", "{}")
        self.write("build/skipped.py")
        result = self.check("--show-files", ".")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout_lines(), ["a.py", "pkg/b.py", "pkg/nb.ipynb"])

    def test_color(self):
        self.write("a.py")
        self.assertIn("\x1b[", self.check("--color", "always", "a.py").stdout)
        self.assertNotIn("\x1b[", self.check("--color", "never", "a.py",
                                              env=base_env(FORCE_COLOR="1")).stdout)
        for variable in ("FORCE_COLOR", "CLICOLOR_FORCE"):
            env = base_env(**{variable: "1"})
            env.pop("NO_COLOR")
            self.assertIn("\x1b[", self.check("a.py", env=env).stdout, variable)
        self.assertNotIn("\x1b[", self.check("a.py").stdout)  # NO_COLOR, not a terminal
        self.assertUsageError(self.check("--color", "sometimes", "a.py"))

    def test_exclude_flags(self):
        self.write("a.py")
        self.write("gen/b.py")
        self.write("build/c.py")
        files = lambda *args: self.check("--show-files", *args, ".").stdout_lines()
        self.assertEqual(files(), ["a.py", "gen/b.py"])
        self.assertEqual(files("--extend-exclude", "gen"), ["a.py"])
        self.assertEqual(files("--exclude", "gen"), ["a.py", "build/c.py"])

    def test_per_file_ignores_flags(self):
        self.write("heaplint.toml", '[per-file-ignores]\n"a.py" = ["MEM101"]\n')
        self.write("a.py")
        self.write("b.py")
        paths = lambda *args: sorted({f[0] for f in self.check("--no-cache", *args, ".").findings()})
        self.assertEqual(paths(), ["b.py"])
        self.assertEqual(paths("--extend-per-file-ignores", "b.py:MEM1"), [])
        self.assertEqual(paths("--per-file-ignores", "b.py:MEM101"), ["a.py"])
        self.assertUsageError(self.check("--per-file-ignores", "b.py", "."))
        self.assertUsageError(self.check("--per-file-ignores", "b.py:MEM999", "."))

    def test_target_version_and_config_settings(self):
        show = lambda *args: self.check("--show-settings", *args, ".").stdout
        self.assertIn('target-version = "py38"', show("--target-version", "py38"))
        self.assertIn("preview = true", show("--config", "preview = true"))
        self.assertIn('target-version = "py39"', show("--config", 'target-version = "py39"'))
        self.write("heaplint.toml", "preview = false\n")
        self.assertIn("preview = true", show("--config", "preview = true"))
        bad = self.check("--config", "preview = 1", ".")
        self.assertUsageError(bad)
        self.assertIn("--config", bad.stderr)
        self.assertIn("`preview`: expected true or false", bad.stderr)
        self.assertUsageError(self.check("--config", "no-such-file.toml", "."))
        self.assertUsageError(self.check("--target-version", "py27", "."))

    def test_flags_as_configuration_keys(self):
        self.write("heaplint.toml", 'output-format = "json"\nshow-fixes = true\n')
        self.write("a.py")
        result = self.check("a.py")
        self.assertEqual(json.loads(result.stdout)[0]["code"], "MEM101")
        self.assertEqual(len(self.check("--output-format", "concise", "a.py").findings()), 1)
        self.write("heaplint.toml", 'output-format = "xml"\n')
        bad = self.check("a.py")
        self.assertUsageError(bad)
        self.assertIn("`xml` is not an output format", bad.stderr)
        self.write("heaplint.toml", 'force-exclude = true\nextend-exclude = ["a.py"]\n')
        self.assertEqual(self.check("--show-files", "a.py").stdout, "")

    def test_fix_keys_with_show_fixes(self):
        # `fix = true` fixes, `show-fixes = true` lists what was fixed; the flags override both.
        self.write("heaplint.toml", "fix = true\nshow-fixes = true\n")
        self.write("a.py")
        result = self.check("a.py")
        self.assertExit(result, 0)
        self.assertIn("Fixed 1 finding:\n- a.py:\n    1 \u00d7 MEM101", result.stdout)
        self.assertIn(SUM_FIXED, self.read("a.py").decode())
        self.write("a.py")
        quiet = self.check("--no-show-fixes", "a.py")
        self.assertNotIn("Fixed 1 finding:", quiet.stdout)
        self.assertIn(SUM_FIXED, self.read("a.py").decode())

    def test_include_and_extend_include(self):
        self.write("a.py")
        self.write("b.pyw", ONE_FINDING)
        self.write("nb.ipynb", "{}")
        files = lambda: self.check("--show-files", ".").stdout_lines()
        self.assertEqual(files(), ["a.py", "nb.ipynb"])
        self.write("heaplint.toml", 'extend-include = ["*.pyw"]\n')
        self.assertEqual(files(), ["a.py", "b.pyw", "nb.ipynb"])
        self.write("heaplint.toml", 'include = ["*.pyw"]\n')
        self.assertEqual(files(), ["b.pyw"])
        self.assertEqual(self.check(".").findings()[0][0], "b.pyw")

    def test_extend_inherits_and_overrides(self):
        self.write("base.toml", 'ignore = ["MEM501"]\ntarget-version = "py38"\n')
        self.write("proj/pyproject.toml",
                   '[tool.heaplint]\nextend = "../base.toml"\ntarget-version = "py311"\n')
        self.write("proj/a.py")
        out = self.check("--show-settings", "proj/a.py").stdout
        self.assertIn('ignore = ["MEM501"]', out)
        self.assertIn('target-version = "py311"', out)
        self.write("base.toml", 'extend = "proj/pyproject.toml"\n')
        cycle = self.check("proj/a.py")
        self.assertUsageError(cycle)
        self.assertIn("a cycle", cycle.stderr)
        self.write("base.toml", 'extend = "missing.toml"\n')
        self.assertUsageError(self.check("proj/a.py"))

    def test_fixable_and_unfixable(self):
        self.write("a.py")
        self.write("heaplint.toml", 'unfixable = ["MEM101"]\n')
        result = self.check("--fix", "a.py")
        self.assertExit(result, 1)
        self.assertEqual(self.read("a.py").decode(), ONE_FINDING)
        self.write("heaplint.toml", 'fixable = ["MEM1"]\n')
        self.assertExit(self.check("--fix", "a.py"), 0)

    def test_required_version(self):
        version = self.heaplint("version").stdout.split()[1]
        self.write("a.py")
        for ok in (version, f">={version}", f"=={version}, <99"):
            with self.subTest(required=ok):
                self.write("heaplint.toml", f'required-version = "{ok}"\n')
                self.assertExit(self.check("a.py"), 1)
        # The last: a number past any int (fuzz_config), which must not overflow.
        for bad in ("99.0.0", ">=99", "<0.0.1", "banana", "==0.1." + "9" * 40):
            with self.subTest(required=bad):
                self.write("heaplint.toml", f'required-version = "{bad}"\n')
                result = self.check("a.py")
                self.assertUsageError(result)
                self.assertIn("required-version", result.stderr)

    def test_add_noqa_with_a_reason(self):
        self.write("a.py")
        self.write("b.py")
        result = self.check("--add-noqa=kept until the 2.0 rewrite", "a.py")
        self.assertExit(result, 0)
        self.assertIn(SUM_LINE + "  # noqa: MEM101 kept until the 2.0 rewrite\n",
                      self.read("a.py").decode())
        self.assertExit(self.check("a.py"), 0)
        # Without `=`, the next argument stays a path.
        self.assertExit(self.check("--add-noqa", "b.py"), 0)
        self.assertIn(SUM_LINE + "  # noqa: MEM101\n", self.read("b.py").decode())


class CompletionTest(HeaplintTestCase):
    def completions(self, script: str, *words: str) -> list[str]:
        path = self.write("heaplint.bash", script)
        probe = (f"source {path}; COMP_WORDS=({' '.join(words)}); COMP_CWORD={len(words) - 1}; "
                 '_heaplint; printf "%s\\n" "${COMPREPLY[@]}"')
        result = subprocess.run(["bash", "--norc", "-c", probe], capture_output=True, text=True,
                                timeout=TIMEOUT, cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stderr)
        return sorted(line for line in result.stdout.splitlines() if line)

    def test_bash_completes_subcommands_and_flags(self):
        script = self.heaplint("generate-shell-completion", "bash")
        self.assertExit(script, 0)
        self.assertEqual(self.completions(script.stdout, "heaplint", "ch"), ["check"])
        self.assertEqual(self.completions(script.stdout, "heaplint", "check", "--fi"),
                         ["--fix", "--fix-only"])
        self.assertIn("--all", self.completions(script.stdout, "heaplint", "rule", "--"))

    def test_zsh_and_fish_scripts_name_every_subcommand_and_flag(self):
        for shell in ("zsh", "fish"):
            with self.subTest(shell=shell):
                script = self.heaplint("generate-shell-completion", shell)
                self.assertExit(script, 0)
                for word in ("check", "generate-shell-completion", "show-fixes", "exit-zero"):
                    self.assertIn(word, script.stdout)
        self.assertUsageError(self.heaplint("generate-shell-completion", "powershell"))


class WatchTest(HeaplintTestCase):
    def test_watch_checks_again_after_a_change(self):
        self.write("a.py")
        process = subprocess.Popen([BINARY, "check", "--watch", "."], cwd=self.dir,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=base_env(),
                                   text=True)
        lines: queue.Queue[tuple[str, str]] = queue.Queue()

        def pump(stream, name):
            for line in stream:
                lines.put((name, line.rstrip("\n")))

        for stream, name in ((process.stdout, "out"), (process.stderr, "err")):
            threading.Thread(target=pump, args=(stream, name), daemon=True).start()

        seen: list[tuple[str, str]] = []

        def wait_for(*wanted):
            deadline = time.monotonic() + TIMEOUT
            while not all(line in seen for line in wanted):
                if time.monotonic() > deadline:
                    self.fail(f"no {wanted} within {TIMEOUT}s: {seen}")
                try:
                    seen.append(lines.get(timeout=1))
                except queue.Empty:
                    pass

        try:
            wait_for(("out", "Found 1 finding."), ("err", "Watching for file changes (Ctrl-C to stop)."))
            self.write("a.py", CLEAN_SOURCE)
            wait_for(("err", "File change detected, checking again."), ("out", "All checks passed!"))
        finally:
            process.terminate()
            process.wait(timeout=TIMEOUT)
            process.stdout.close()
            process.stderr.close()


if __name__ == "__main__":
    unittest.main()
