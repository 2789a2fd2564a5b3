"""End-to-end tests of `heaplint check`: exit codes, output formats, rule selection, standard input,
and the `rule`, `rules` and `--version` commands."""

from __future__ import annotations

import json
import os
import re
import unittest

from e2e_support import (
    ANY_COLUMN,
    ANY_FIXED,
    ANY_LINE,
    ANY_MESSAGE,
    CLEAN_SOURCE,
    ONE_FINDING,
    SUM_COLUMN,
    SUM_END_COLUMN,
    SUM_FIXED,
    SUM_LINE,
    SUM_MESSAGE,
    HeaplintTestCase,
    base_env,
)

TWO_FINDINGS = f"xs = open('xs.txt')\n{SUM_LINE}\n{ANY_LINE}\n"


class ExitCodeTest(HeaplintTestCase):
    def test_clean_file_exits_0_with_all_checks_passed(self):
        self.write("clean.py", CLEAN_SOURCE)
        result = self.check("clean.py")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "All checks passed!\n")
        self.assertEqual(result.stderr, "")

    def test_findings_exit_1(self):
        self.write("bad.py")
        result = self.check("bad.py")
        self.assertExit(result, 1)
        self.assertFindings(result, [("bad.py", 2, SUM_COLUMN, "MEM101")])
        self.assertIn("Found 1 finding", result.stdout)

    def test_default_path_is_current_directory(self):
        self.write("pkg/bad.py")
        result = self.check()
        self.assertExit(result, 1)
        self.assertFindings(result, [("pkg/bad.py", 2, SUM_COLUMN, "MEM101")])

    def test_unknown_option_exits_2(self):
        self.write("bad.py")
        result = self.check("--no-such-option", "bad.py")
        self.assertUsageError(result)
        self.assertIn("--no-such-option", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_missing_subcommand_exits_2(self):
        result = self.heaplint()
        self.assertUsageError(result)

    def test_unknown_subcommand_exits_2(self):
        result = self.heaplint("lint-everything")
        self.assertExit(result, 2)
        self.assertTrue(result.stderr.startswith("heaplint: error:"), result.describe())

    def test_unknown_select_code_exits_2(self):
        self.write("bad.py")
        result = self.check("bad.py", "--select", "MEM999")
        self.assertUsageError(result)
        self.assertIn("MEM999", result.stderr)
        self.assertEqual(result.stdout, "")

    def test_unknown_ignore_code_exits_2(self):
        self.write("bad.py")
        result = self.check("bad.py", "--ignore", "XYZ1")
        self.assertUsageError(result)
        self.assertIn("XYZ1", result.stderr)

    def test_invalid_output_format_exits_2(self):
        self.write("bad.py")
        result = self.check("bad.py", "--output-format", "xml")
        self.assertUsageError(result)

    def test_invalid_thread_count_exits_2(self):
        self.write("bad.py")
        result = self.check("bad.py", "-j", "many")
        self.assertUsageError(result)

    def test_nonexistent_path_exits_2_with_one_line(self):
        result = self.check("does_not_exist.py")
        self.assertUsageError(result)
        self.assertIn("does_not_exist.py", result.stderr)

    def test_error_does_not_claim_all_checks_passed(self):
        # Nothing was checked: "All checks passed!" on stdout would contradict exit code 2.
        user = self.unprivileged_user()
        secret = self.write("secret.py")
        secret.chmod(0)
        self.addCleanup(secret.chmod, 0o644)
        cases = [("does_not_exist.py",)]
        if user is not None or not os.access(secret, os.R_OK):
            cases.append(("secret.py",))
        for args in cases:
            with self.subTest(args=args):
                result = self.check(*args, user=user)
                self.assertExit(result, 2)
                self.assertNotIn("All checks passed", result.stdout, result.describe())

    def test_nonexistent_path_next_to_real_files_still_checks_them(self):
        self.write("bad.py")
        result = self.check("bad.py", "missing_dir")
        self.assertExit(result, 2)
        self.assertFindings(result, [("bad.py", 2, SUM_COLUMN, "MEM101")])
        errors = [line for line in result.stderr_lines() if line.startswith("heaplint: error:")]
        self.assertEqual(len(errors), 1, result.describe())
        self.assertIn("missing_dir", errors[0])

    def test_exit_zero_does_not_hide_usage_errors(self):
        result = self.check("--exit-zero", "does_not_exist.py")
        self.assertExit(result, 2)

    def test_unreadable_file_exits_2(self):
        user = self.unprivileged_user()
        self.write("other.py")
        path = self.write("secret.py")
        path.chmod(0)
        self.addCleanup(path.chmod, 0o644)
        if user is None and os.access(path, os.R_OK):
            self.skipTest("running with privileges that can read a mode-000 file")
        for args in (("secret.py",), (".",)):
            with self.subTest(args=args):
                result = self.check(*args, user=user)
                self.assertExit(result, 2)
                errors = [line for line in result.stderr_lines()
                          if line.startswith("heaplint: error:")]
                self.assertEqual(len(errors), 1, result.describe())
                self.assertIn("secret.py", errors[0])
        # The readable file next to it is still checked.
        self.assertFindings(result, [("other.py", 2, SUM_COLUMN, "MEM101")])

    def test_unreadable_directory_exits_2(self):
        user = self.unprivileged_user()
        self.write("pkg/ok.py", CLEAN_SOURCE)
        self.write("pkg/locked/inner.py")
        locked = self.dir / "pkg" / "locked"
        locked.chmod(0)
        self.addCleanup(locked.chmod, 0o755)
        if user is None and os.access(locked, os.R_OK):
            self.skipTest("running with privileges that can read a mode-000 directory")
        # Named on the command line, and met while walking its parent: either way the user must
        # learn that files were not checked (README: exit 2 for an unreadable path).
        for args in (("pkg/locked",), ("pkg",)):
            with self.subTest(args=args):
                result = self.check(*args, user=user)
                self.assertExit(result, 2)
                self.assertIn("heaplint: error:", result.stderr)
                self.assertIn("pkg/locked", result.stderr)

    def test_exit_zero_with_findings(self):
        self.write("bad.py")
        result = self.check("--exit-zero", "bad.py")
        self.assertExit(result, 0)
        self.assertFindings(result, [("bad.py", 2, SUM_COLUMN, "MEM101")])

    def test_directory_without_python_files_warns_and_exits_0(self):
        (self.dir / "empty").mkdir()
        self.write("empty/readme.txt", "nothing here\n")
        result = self.check("empty")
        self.assertExit(result, 0)
        self.assertNotIn("error", result.stderr)
        self.assertTrue(result.stderr.startswith("warning:"), result.describe())


class SelectionTest(HeaplintTestCase):
    def test_select_by_code_name_and_prefix(self):
        self.write("bad.py")
        for selector in ("MEM101", "list-comprehension-in-reducer", "MEM1", "MEM", "ALL"):
            with self.subTest(selector=selector):
                result = self.check("bad.py", "--select", selector)
                self.assertExit(result, 1)
                self.assertFindings(result, [("bad.py", 2, SUM_COLUMN, "MEM101")])

    def test_ignore_by_code_name_and_prefix(self):
        self.write("bad.py")
        for selector in ("MEM101", "list-comprehension-in-reducer", "MEM1"):
            with self.subTest(selector=selector):
                result = self.check("bad.py", "--ignore", selector)
                self.assertExit(result, 0)
                self.assertEqual(result.stdout, "All checks passed!\n")

    def test_ignore_overrides_select(self):
        self.write("bad.py")
        result = self.check("bad.py", "--select", "ALL", "--ignore", "MEM101")
        self.assertExit(result, 0)

    def test_comma_separated_selectors(self):
        self.write("bad.py")
        result = self.check("bad.py", "--select", "MEM101,list-comprehension-in-reducer")
        self.assertExit(result, 1)

    def test_select_followed_by_a_path(self):
        # As in `ruff check --select E501 file.py`: the option takes one (comma-separated) value and
        # the path after it is a path, not another selector.
        self.write("bad.py")
        for args in (("--select", "MEM101", "bad.py"), ("--select=MEM101", "bad.py")):
            with self.subTest(args=args):
                result = self.check(*args)
                self.assertExit(result, 1)
                self.assertFindings(result, [("bad.py", 2, SUM_COLUMN, "MEM101")])

    def test_ignore_followed_by_a_path(self):
        self.write("bad.py")
        result = self.check("--ignore", "MEM101", "bad.py")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "All checks passed!\n")


class ConciseFormatTest(HeaplintTestCase):
    def test_line_format(self):
        self.write("bad.py", TWO_FINDINGS)
        result = self.check("bad.py")
        self.assertExit(result, 1)
        lines = result.stdout_lines()
        self.assertEqual(lines[0], f"bad.py:2:{SUM_COLUMN}: MEM101 [*] {SUM_MESSAGE}")
        # The `any()` fix is unsafe: no [*] unless --unsafe-fixes.
        self.assertEqual(lines[1], f"bad.py:3:{ANY_COLUMN}: MEM101 {ANY_MESSAGE}")
        self.assertEqual(lines[2], "Found 2 findings.")
        self.assertIn("1 fixable with the `--fix` option", lines[3])
        self.assertIn("--unsafe-fixes", lines[3])
        self.assertEqual(len(lines), 4, result.describe())

    def test_output_format_concise_is_default(self):
        self.write("bad.py", TWO_FINDINGS)
        self.assertEqual(self.check("bad.py").stdout,
                         self.check("bad.py", "--output-format", "concise").stdout)

    def test_unsafe_fixes_marks_unsafe_fix_applicable(self):
        self.write("bad.py", TWO_FINDINGS)
        result = self.check("bad.py", "--unsafe-fixes")
        self.assertIn(f"bad.py:3:{ANY_COLUMN}: MEM101 [*] {ANY_MESSAGE}", result.stdout_lines())

    def test_findings_sorted_by_path_then_position(self):
        self.write("b.py", TWO_FINDINGS)
        self.write("a.py", f"{ANY_LINE}\n\n{SUM_LINE}\n")
        result = self.check("b.py", "a.py")
        self.assertFindings(
            result,
            [
                ("a.py", 1, ANY_COLUMN, "MEM101"),
                ("a.py", 3, SUM_COLUMN, "MEM101"),
                ("b.py", 2, SUM_COLUMN, "MEM101"),
                ("b.py", 3, ANY_COLUMN, "MEM101"),
            ],
        )

    def test_columns_count_code_points(self):
        prefix = 's = "héllo → ✓ 😀"; '
        self.write("u.py", prefix + SUM_LINE + "\n")
        result = self.check("u.py")
        self.assertFindings(result, [("u.py", 1, len(prefix) + SUM_COLUMN, "MEM101")])

    def test_no_color_when_stdout_is_not_a_terminal(self):
        self.write("bad.py", TWO_FINDINGS)
        env = base_env()
        env.pop("NO_COLOR", None)
        for output_format in ("concise", "full"):
            with self.subTest(output_format=output_format):
                result = self.check("bad.py", "--output-format", output_format, env=env)
                self.assertNotIn("\x1b[", result.stdout)


class FullFormatTest(HeaplintTestCase):
    def caret_line(self, lines: list[str], after: int) -> str:
        for line in lines[after:]:
            if "^" in line:
                return line
        self.fail("no caret line in:\n" + "\n".join(lines))

    def test_source_line_caret_and_help(self):
        self.write("bad.py", TWO_FINDINGS)
        result = self.check("bad.py", "--output-format", "full")
        self.assertExit(result, 1)
        lines = result.stdout_lines()
        self.assertEqual(lines[0], f"bad.py:2:{SUM_COLUMN}: MEM101 [*] {SUM_MESSAGE}")
        source_index = lines.index(f"2 | {SUM_LINE}")
        caret = self.caret_line(lines, source_index + 1)
        # The gutter (`  | `) has the width of `2 | `; carets cover exactly the comprehension.
        self.assertTrue(caret.startswith("  | "), caret)
        body = caret[len("  | "):]
        start = body.index("^")
        self.assertEqual(start, SUM_COLUMN - 1, caret)
        self.assertEqual(body.count("^"), SUM_END_COLUMN - SUM_COLUMN, caret)
        self.assertEqual(body[start:].rstrip(), "^" * (SUM_END_COLUMN - SUM_COLUMN) + " MEM101")
        help_lines = [line for line in lines if line.strip().startswith("= help:")]
        self.assertEqual(len(help_lines), 2, result.describe())
        self.assertIn("generator expression", help_lines[0])
        # Both findings are shown, then the summary.
        self.assertIn(f"3 | {ANY_LINE}", lines)
        self.assertIn("Found 2 findings.", lines)

    def test_caret_under_non_ascii_prefix(self):
        prefix = 'name = "Zoë → ✓"; '
        line = prefix + SUM_LINE
        self.write("u.py", line + "\n")
        result = self.check("u.py", "--output-format", "full")
        lines = result.stdout_lines()
        self.assertIn(f"1 | {line}", lines)
        caret = self.caret_line(lines, lines.index(f"1 | {line}") + 1)
        body = caret[len("  | "):]
        self.assertEqual(body.index("^"), len(prefix) + SUM_COLUMN - 1, caret)

    def test_multi_digit_line_numbers_align_gutter(self):
        self.write("long.py", "\n" * 120 + SUM_LINE + "\n")
        result = self.check("long.py", "--output-format", "full")
        lines = result.stdout_lines()
        self.assertIn(f"121 | {SUM_LINE}", lines)
        caret = self.caret_line(lines, lines.index(f"121 | {SUM_LINE}") + 1)
        self.assertTrue(caret.startswith("    | "), caret)
        self.assertEqual(caret[len("    | "):].index("^"), SUM_COLUMN - 1)


class JsonFormatTest(HeaplintTestCase):
    def run_json(self, *args: str) -> list:
        result = self.check("--output-format", "json", *args)
        self.assertIn(result.returncode, (0, 1), result.describe())
        try:
            data = json.loads(result.stdout)
        except json.JSONDecodeError as error:
            self.fail(f"stdout is not JSON ({error}){result.describe()}")
        self.assertIsInstance(data, list)
        return data

    def test_ruff_fields(self):
        self.write("bad.py", TWO_FINDINGS)
        data = self.run_json("bad.py")
        self.assertEqual(len(data), 2)
        first = data[0]
        for key in ("code", "name", "message", "filename", "location", "end_location", "fix",
                    "noqa_row", "url"):
            self.assertIn(key, first)
        self.assertEqual(first["code"], "MEM101")
        self.assertEqual(first["name"], "list-comprehension-in-reducer")
        self.assertEqual(first["message"], SUM_MESSAGE)
        self.assertEqual(first["filename"], "bad.py")
        self.assertEqual(first["location"], {"row": 2, "column": SUM_COLUMN})
        self.assertEqual(first["end_location"], {"row": 2, "column": SUM_END_COLUMN})
        self.assertEqual(first["noqa_row"], 2)
        self.assertIsInstance(first["url"], str)
        self.assertTrue(first["url"].startswith("http"), first["url"])
        fix = first["fix"]
        self.assertEqual(fix["applicability"], "safe")
        self.assertIsInstance(fix["message"], str)
        self.assertTrue(fix["message"])
        self.assertIsInstance(fix["edits"], list)
        self.assertTrue(fix["edits"])
        for edit in fix["edits"]:
            self.assertEqual(set(edit), {"content", "location", "end_location"})
            self.assertEqual(set(edit["location"]), {"row", "column"})
        # Applying the edits to the line gives the fixed line.
        self.assertEqual(self.apply_edits(SUM_LINE, 2, fix["edits"]), SUM_FIXED)

        second = data[1]
        self.assertEqual(second["location"], {"row": 3, "column": ANY_COLUMN})
        self.assertEqual(second["fix"]["applicability"], "unsafe")
        self.assertEqual(self.apply_edits(ANY_LINE, 3, second["fix"]["edits"]), ANY_FIXED)

    @staticmethod
    def apply_edits(line: str, row: int, edits: list) -> str:
        for edit in sorted(edits, key=lambda e: e["location"]["column"], reverse=True):
            assert edit["location"]["row"] == row and edit["end_location"]["row"] == row
            start = edit["location"]["column"] - 1
            end = edit["end_location"]["column"] - 1
            line = line[:start] + edit["content"] + line[end:]
        return line

    def test_fix_is_null_without_a_fix(self):
        # The only MEM101 finding without a fix: a file with a syntax error never gets fixes.
        self.write("broken.py", f"{SUM_LINE}\ndef broken(:\n")
        data = self.run_json("broken.py")
        self.assertEqual(len(data), 1)
        self.assertIn("fix", data[0])
        self.assertIsNone(data[0]["fix"])

    def test_clean_is_empty_list(self):
        self.write("clean.py", CLEAN_SOURCE)
        result = self.check("--output-format", "json", "clean.py")
        self.assertExit(result, 0)
        self.assertEqual(json.loads(result.stdout), [])

    def test_columns_count_code_points(self):
        # é and ✓ are 2 and 3 bytes in UTF-8; 😀 is 4 bytes and 2 UTF-16 units: all count as one.
        prefix = 's = "é✓😀"; '
        line = prefix + SUM_LINE
        self.write("u.py", "# ünïcode\n" + line + "\n")
        data = self.run_json("u.py")
        self.assertEqual(len(data), 1)
        self.assertEqual(data[0]["location"], {"row": 2, "column": len(prefix) + SUM_COLUMN})
        self.assertEqual(data[0]["end_location"], {"row": 2, "column": len(prefix) + SUM_END_COLUMN})
        self.assertEqual(self.apply_edits(line, 2, data[0]["fix"]["edits"]), prefix + SUM_FIXED)

    def test_json_sorted_and_with_several_files(self):
        self.write("z.py")
        self.write("a/m.py")
        data = self.run_json(".")
        self.assertEqual([d["filename"] for d in data], ["a/m.py", "z.py"])


class StatisticsAndQuietTest(HeaplintTestCase):
    def test_statistics(self):
        self.write("a.py", TWO_FINDINGS)
        self.write("b.py")
        result = self.check("--statistics", ".")
        self.assertExit(result, 1)
        lines = [line for line in result.stdout_lines() if line.strip()]
        self.assertEqual(len(lines), 1, result.describe())
        fields = lines[0].split()
        self.assertEqual(fields[0], "3")
        self.assertEqual(fields[1], "MEM101")
        self.assertEqual(fields[-1], "list-comprehension-in-reducer")
        self.assertEqual(result.findings(), [])

    def test_statistics_exit_zero(self):
        self.write("a.py")
        result = self.check("--statistics", "--exit-zero", "a.py")
        self.assertExit(result, 0)

    def test_quiet_prints_only_findings(self):
        self.write("a.py", TWO_FINDINGS)
        self.write("broken.py", f"{SUM_LINE}\ndef broken(:\n")
        result = self.check("-q", ".")
        self.assertExit(result, 1)
        lines = result.stdout_lines()
        self.assertEqual(len(lines), 3, result.describe())
        for line in lines:
            self.assertRegex(line, r"^[^:]+:\d+:\d+: MEM101 ")
        self.assertEqual(result.stderr, "")
        self.assertEqual(self.check("--quiet", ".").stdout, result.stdout)

    def test_quiet_clean_prints_nothing(self):
        self.write("clean.py", CLEAN_SOURCE)
        result = self.check("-q", "clean.py")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr, "")


class StdinTest(HeaplintTestCase):
    def test_findings_reported_under_stdin_filename(self):
        result = self.check("--stdin-filename", "pkg/module.py", stdin=TWO_FINDINGS)
        self.assertExit(result, 1)
        self.assertFindings(
            result,
            [("pkg/module.py", 2, SUM_COLUMN, "MEM101"), ("pkg/module.py", 3, ANY_COLUMN, "MEM101")],
        )

    def test_clean_stdin(self):
        result = self.check("--stdin-filename", "clean.py", stdin=CLEAN_SOURCE)
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "All checks passed!\n")

    def test_json_uses_stdin_filename(self):
        result = self.check("--stdin-filename", "pkg/module.py", "--output-format", "json",
                            stdin=ONE_FINDING)
        data = json.loads(result.stdout)
        self.assertEqual([d["filename"] for d in data], ["pkg/module.py"])

    def test_fix_prints_fixed_source_on_stdout(self):
        result = self.check("--stdin-filename", "module.py", "--fix", stdin=ONE_FINDING)
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, f"xs = open('xs.txt')\n{SUM_FIXED}\n")

    def test_fix_with_remaining_unsafe_fix(self):
        result = self.check("--stdin-filename", "module.py", "--fix", stdin=TWO_FINDINGS)
        self.assertExit(result, 1)
        # stdout holds only the source; the remaining finding is reported on stderr.
        self.assertEqual(result.stdout, f"xs = open('xs.txt')\n{SUM_FIXED}\n{ANY_LINE}\n")
        self.assertIn(f"module.py:3:{ANY_COLUMN}: MEM101", result.stderr)

    def test_fix_unsafe_fixes(self):
        result = self.check("--stdin-filename", "module.py", "--fix", "--unsafe-fixes",
                            stdin=TWO_FINDINGS)
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, f"xs = open('xs.txt')\n{SUM_FIXED}\n{ANY_FIXED}\n")

    def test_fix_clean_source_is_echoed(self):
        result = self.check("--stdin-filename", "clean.py", "--fix", stdin=CLEAN_SOURCE)
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, CLEAN_SOURCE)

    def test_fix_with_syntax_error_echoes_source_unchanged(self):
        source = f"{SUM_LINE}\ndef broken(:\n"
        result = self.check("--stdin-filename", "broken.py", "--fix", stdin=source)
        self.assertExit(result, 1)
        self.assertEqual(result.stdout, source)
        self.assertIn("warning:", result.stderr)

    def test_fix_does_not_write_the_named_file(self):
        on_disk = self.write("module.py", CLEAN_SOURCE)
        result = self.check("--stdin-filename", "module.py", "--fix", stdin=ONE_FINDING)
        self.assertExit(result, 0)
        self.assertEqual(on_disk.read_text(), CLEAN_SOURCE)

    def test_diff_from_stdin(self):
        result = self.check("--stdin-filename", "module.py", "--diff", stdin=ONE_FINDING)
        self.assertExit(result, 1)
        self.assertIn(f"-{SUM_LINE}\n", result.stdout)
        self.assertIn(f"+{SUM_FIXED}\n", result.stdout)

    def test_preserves_crlf_and_non_ascii_on_fix(self):
        source = f"# héllo\r\nxs = open('x')\r\n{SUM_LINE}\r\n"
        result = self.check("--stdin-filename", "m.py", "--fix", stdin=source)
        self.assertExit(result, 0)
        self.assertEqual(result.stdout_bytes, f"# héllo\r\nxs = open('x')\r\n{SUM_FIXED}\r\n".encode())


class RuleCommandsTest(HeaplintTestCase):
    def test_rule_prints_documentation(self):
        result = self.heaplint("rule", "MEM101")
        self.assertExit(result, 0)
        self.assertIn("MEM101", result.stdout)
        self.assertIn("list-comprehension-in-reducer", result.stdout)
        for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
            self.assertIn(section, result.stdout)
        self.assertEqual(result.stderr, "")

    def test_every_example_is_reported_and_its_correction_is_not(self):
        # The documentation's "Example" must show what the rule reports (by default, or with
        # --preview for a preview rule), and "Use instead" what it leaves alone.
        result = self.heaplint("rule", "--all", "--output-format", "json")
        self.assertExit(result, 0)
        for rule in json.loads(result.stdout):
            code = rule["code"]
            sections = {}
            for title in ("Example", "Use instead"):
                found = re.search(r"## " + re.escape(title) + r"\n```python\n(.*?)```",
                                  rule["explanation"], re.S)
                self.assertIsNotNone(found, f"{code}: no {title} block")
                sections[title] = found.group(1)
            for title, expected_any in (("Example", True), ("Use instead", False)):
                with self.subTest(code=code, section=title):
                    self.write("module.py", sections[title])
                    args = ["--no-cache", "--isolated", "--select", code, "--output-format",
                            "concise", "module.py"]
                    if rule["preview"]:
                        args.insert(0, "--preview")
                    reported = self.check(*args).stdout.count(f" {code} ")
                    if expected_any:
                        self.assertGreater(reported, 0, sections[title])
                    else:
                        self.assertEqual(reported, 0, sections[title])

    def test_rule_by_name(self):
        by_code = self.heaplint("rule", "MEM101")
        by_name = self.heaplint("rule", "list-comprehension-in-reducer")
        self.assertExit(by_name, 0)
        self.assertEqual(by_name.stdout, by_code.stdout)

    def test_unknown_rule_exits_2(self):
        result = self.heaplint("rule", "MEM999")
        self.assertUsageError(result)
        self.assertEqual(result.stdout, "")

    def test_rule_without_argument_exits_2(self):
        result = self.heaplint("rule")
        self.assertUsageError(result)

    def test_rules_lists_every_rule(self):
        result = self.heaplint("rules")
        self.assertExit(result, 0)
        lines = result.stdout_lines()
        self.assertTrue(any(line.startswith("MEM101") and "list-comprehension-in-reducer" in line
                            for line in lines), result.describe())

    def test_rules_json(self):
        result = self.heaplint("rules", "--json")
        self.assertExit(result, 0)
        data = json.loads(result.stdout)
        self.assertIsInstance(data, list)
        codes = [rule["code"] for rule in data]
        self.assertIn("MEM101", codes)
        self.assertEqual(codes, sorted(codes))
        mem101 = data[codes.index("MEM101")]
        self.assertEqual(mem101["name"], "list-comprehension-in-reducer")
        # Every rule in the JSON is also in the plain listing and has documentation.
        plain = self.heaplint("rules").stdout
        for rule in data:
            self.assertIn(rule["code"], plain)
            self.assertEqual(self.heaplint("rule", rule["code"]).returncode, 0)

    def test_version(self):
        result = self.heaplint("--version")
        self.assertExit(result, 0)
        self.assertRegex(result.stdout.strip(), r"^heaplint \d+\.\d+\.\d+")

    def test_help(self):
        result = self.heaplint("--help")
        self.assertExit(result, 0)
        self.assertIn("check", result.stdout)
        result = self.heaplint("check", "--help")
        self.assertExit(result, 0)
        for option in ("--fix", "--diff", "--output-format", "--stdin-filename", "--select"):
            self.assertIn(option, result.stdout)


if __name__ == "__main__":
    unittest.main()
