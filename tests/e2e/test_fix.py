"""End-to-end tests of `--fix`, `--unsafe-fixes` and `--diff` on files."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import unittest

from e2e_support import (
    ANY_FIXED,
    ANY_LINE,
    CLEAN_SOURCE,
    ONE_FINDING,
    SUM_FIXED,
    SUM_LINE,
    TIMEOUT,
    HeaplintTestCase,
    parses,
)

TWO_FINDINGS = f"xs = open('xs.txt')\n{SUM_LINE}\n{ANY_LINE}\n"

# Fix shapes beyond the plain `sum([...])`: each must still parse after the fix.
VARIED_SOURCE = """\
import math
from math import fsum as add_up

xs = open('xs.txt')
names = open('names')
nested = sum([sum([y for y in x]) for x in xs])
longest = max([len(n) for n in names], default=0)
shortest = min([len(n) for n in names], default=None)
product = math.prod([len(x) for x in xs], start=2)
floats = add_up([float(len(x)) for x in xs])
trailing = sum([len(x) for x in xs],)
started = sum([len(x) for x in xs], 10)
spread = sum(
    [
        len(x)  # a comment inside
        for x in xs
    ]
)
"""

VARIED_FIXED = """\
import math
from math import fsum as add_up

xs = open('xs.txt')
names = open('names')
nested = sum(sum([y for y in x]) for x in xs)
longest = max((len(n) for n in names), default=0)
shortest = min((len(n) for n in names), default=None)
product = math.prod((len(x) for x in xs), start=2)
floats = add_up(float(len(x)) for x in xs)
trailing = sum(len(x) for x in xs)
started = sum((len(x) for x in xs), 10)
"""


class FixTest(HeaplintTestCase):
    def test_fix_applies_only_safe_fixes(self):
        path = self.write("m.py", TWO_FINDINGS)
        result = self.check("--fix", "m.py")
        # The unsafe `any()` fix is not applied, so a finding remains.
        self.assertExit(result, 1)
        self.assertEqual(path.read_text(), f"xs = open('xs.txt')\n{SUM_FIXED}\n{ANY_LINE}\n")
        self.assertTrue(parses(path.read_bytes()))
        self.assertIn("1 fixed, 1 remaining", result.stdout)
        self.assertIn("--unsafe-fixes", result.stdout)
        # The remaining finding is still reported.
        self.assertEqual([f[1] for f in result.findings()], [3])

    def test_weakref_slot_fix_reads_a_decorator_after_a_line_continuation(self):
        # `@\` then the decorator on the next line: the decorator is read all the same.
        source = (
            "import dataclasses\nimport weakref\n\n\n@\\\n"
            "dataclasses.dataclass(slots=True)\nclass Record:\n    name: str\n\n"
            "    def ref(self):\n        return weakref.ref(self)\n"
        )
        path = self.write("m.py", source)
        # The fix is unsafe: code may iterate `__slots__`, or a subclass in another file list
        # `"__weakref__"` itself.
        result = self.check("--fix", "--target-version", "py312", "--select", "MEM402", "m.py")
        self.assertExit(result, 1)
        self.assertEqual(path.read_text(), source)
        result = self.check("--fix", "--unsafe-fixes", "--target-version", "py312", "--select",
                            "MEM402", "m.py")
        self.assertExit(result, 0)
        self.assertEqual(
            path.read_text(),
            source.replace("(slots=True)", "(slots=True, weakref_slot=True)"),
        )

    def test_fixes_that_would_reorder_or_drop_code_are_unsafe(self):
        # A generator runs `start()` before the items and `key=` between them; `len()` of a
        # comprehension stops evaluating `row[2]`, which can raise; inside `{...=}` the fix
        # would change the text printed. None of these is a safe fix.
        source = (
            "rows = open('rows.txt')\n"
            "total = sum([len(r) for r in rows], start())\n"
            "low = min([len(r) for r in rows], key=lambda v: -v)\n"
            "count = len([r[2] for r in rows])\n"
            "print(f\"{max([len(r) for r in rows])=}\")\n"
        )
        path = self.write("m.py", source)
        result = self.check("--fix", "--select", "MEM101,MEM104", "m.py")
        self.assertExit(result, 1)
        self.assertEqual(path.read_text(), source)
        self.assertEqual([f[1] for f in result.findings()], [2, 3, 4, 5])
        unsafe = self.check("--fix", "--unsafe-fixes", "--select", "MEM101,MEM104", "m.py")
        self.assertEqual([f[1] for f in unsafe.findings()], [5])
        self.assertIn("print(f\"{max([len(r) for r in rows])=}\")", path.read_text())
        self.assertTrue(parses(path.read_bytes()))

    def test_readlines_fixes_are_unsafe(self):
        # Without `.readlines()` the file is read while the loop runs, and code running in
        # between can see it (here a helper appending to the file read): never a safe fix.
        source = (
            "def plain(path):\n"
            "    with open(path) as log:\n"
            "        for line in log.readlines():\n"
            "            print(line)\n"
            "def appends(path):\n"
            "    with open(path) as log:\n"
            "        for line in log.readlines():\n"
            "            record(path, line)\n"
        )
        path = self.write("m.py", source)
        result = self.check("--fix", "--preview", "--select", "MEM102", "m.py")
        self.assertExit(result, 1)
        self.assertEqual([f[1] for f in result.findings()], [3, 7])
        self.assertEqual(path.read_text(), source)
        self.check("--fix", "--unsafe-fixes", "--preview", "--select", "MEM102", "m.py")
        self.assertEqual(path.read_text(), source.replace("log.readlines()", "log"))

    def test_fix_everything_exits_0(self):
        path = self.write("m.py", ONE_FINDING)
        result = self.check("--fix", "m.py")
        self.assertExit(result, 0)
        self.assertEqual(path.read_text(), f"xs = open('xs.txt')\n{SUM_FIXED}\n")
        self.assertIn("1 fixed, 0 remaining", result.stdout)
        self.assertEqual(result.findings(), [])
        # Running again finds nothing.
        again = self.check("m.py")
        self.assertExit(again, 0)
        self.assertEqual(again.stdout, "All checks passed!\n")

    def test_unsafe_fixes_applies_unsafe_fixes(self):
        path = self.write("m.py", TWO_FINDINGS)
        result = self.check("--fix", "--unsafe-fixes", "m.py")
        self.assertExit(result, 0)
        self.assertEqual(path.read_text(), f"xs = open('xs.txt')\n{SUM_FIXED}\n{ANY_FIXED}\n")
        self.assertTrue(parses(path.read_bytes()))

    def test_unsafe_fixes_without_fix_changes_nothing(self):
        path = self.write("m.py", TWO_FINDINGS)
        result = self.check("--unsafe-fixes", "m.py")
        self.assertExit(result, 1)
        self.assertEqual(path.read_text(), TWO_FINDINGS)

    def test_varied_fixes_still_parse(self):
        path = self.write("varied.py", VARIED_SOURCE)
        self.assertTrue(parses(VARIED_SOURCE))
        result = self.check("--fix", "varied.py")
        self.assertExit(result, 0)
        fixed = path.read_text()
        self.assertTrue(parses(fixed), fixed)
        self.assertTrue(fixed.startswith(VARIED_FIXED), fixed)
        # The multi-line call keeps its comment and becomes a generator argument.
        tail = fixed[len(VARIED_FIXED):]
        self.assertIn("# a comment inside", tail)
        self.assertNotIn("[", tail)
        self.assertExit(self.check("varied.py"), 0)

    def test_fix_preserves_permissions(self):
        for mode in (0o640, 0o755, 0o444):
            with self.subTest(mode=oct(mode)):
                path = self.write(f"m{mode:o}.py", ONE_FINDING, mode=mode)
                self.addCleanup(path.chmod, 0o644)
                result = self.check("--fix", path.name)
                self.assertExit(result, 0)
                self.assertEqual(stat.S_IMODE(path.stat().st_mode), mode)
                self.assertIn(SUM_FIXED, path.read_text())

    def test_fix_preserves_crlf_bom_and_missing_final_newline(self):
        source = "\ufeffxs = open('x')\r\n" + SUM_LINE + "\r\n" + "other = sum([x for x in xs])"
        path = self.write("m.py", source)
        result = self.check("--fix", "m.py")
        self.assertExit(result, 0)
        self.assertEqual(
            path.read_bytes(),
            ("\ufeffxs = open('x')\r\n" + SUM_FIXED + "\r\n" + "other = sum(x for x in xs)").encode(),
        )

    def test_fix_never_touches_a_file_with_syntax_errors(self):
        source = f"xs = open('x')\n{SUM_LINE}\ndef broken(:\n    pass\n"
        path = self.write("broken.py", source)
        before = path.stat()
        result = self.check("--fix", "--unsafe-fixes", "broken.py")
        self.assertExit(result, 1)
        self.assertEqual(path.read_text(), source)
        self.assertEqual(path.stat().st_ino, before.st_ino)
        warnings = [line for line in result.stderr_lines() if line.startswith("warning:")]
        self.assertEqual(len(warnings), 1, result.describe())
        self.assertIn("broken.py", warnings[0])

    def test_fix_leaves_clean_files_alone(self):
        path = self.write("clean.py", CLEAN_SOURCE)
        before = path.stat()
        result = self.check("--fix", ".")
        self.assertExit(result, 0)
        after = path.stat()
        self.assertEqual((after.st_ino, after.st_mtime_ns), (before.st_ino, before.st_mtime_ns))

    def test_fix_leaves_no_temporary_files(self):
        self.write("pkg/a.py")
        self.write("pkg/b.py", TWO_FINDINGS)
        self.check("--fix", ".")
        self.assertEqual(sorted(os.listdir(self.dir / "pkg")), ["a.py", "b.py"])

    def test_fix_many_files(self):
        for i in range(20):
            self.write(f"pkg/m{i:02}.py")
        result = self.check("--fix", "-j2", ".")
        self.assertExit(result, 0)
        self.assertIn("20 fixed, 0 remaining", result.stdout)
        for i in range(20):
            self.assertEqual(self.read(f"pkg/m{i:02}.py").decode(), f"xs = open('xs.txt')\n{SUM_FIXED}\n")

    def test_fix_through_a_symlink_edits_the_target(self):
        target = self.write("real.py", ONE_FINDING)
        link = self.dir / "link.py"
        link.symlink_to("real.py")
        result = self.check("--fix", "link.py")
        self.assertExit(result, 0)
        self.assertTrue(link.is_symlink(), "the symbolic link was replaced by a regular file")
        self.assertEqual(target.read_text(), f"xs = open('xs.txt')\n{SUM_FIXED}\n")

    def test_fix_and_diff_together_change_nothing(self):
        path = self.write("m.py", ONE_FINDING)
        result = self.check("--fix", "--diff", "m.py")
        self.assertExit(result, 1)
        self.assertEqual(path.read_text(), ONE_FINDING)
        self.assertIn(f"+{SUM_FIXED}", result.stdout)


class DiffTest(HeaplintTestCase):
    def test_diff_prints_unified_diff_and_changes_nothing(self):
        path = self.write("m.py", TWO_FINDINGS)
        result = self.check("--diff", "m.py")
        self.assertExit(result, 1)
        self.assertEqual(path.read_text(), TWO_FINDINGS)
        lines = result.stdout_lines()
        self.assertEqual(lines[0], "--- m.py")
        self.assertEqual(lines[1], "+++ m.py")
        self.assertRegex(lines[2], r"^@@ -\d+(,\d+)? \+\d+(,\d+)? @@")
        self.assertIn(f"-{SUM_LINE}", lines)
        self.assertIn(f"+{SUM_FIXED}", lines)
        # Unsafe fixes are not part of the diff without --unsafe-fixes.
        self.assertIn(f" {ANY_LINE}", lines)
        self.assertNotIn(f"+{ANY_FIXED}", lines)
        # stdout is only the diff; the summary goes to stderr.
        for line in lines:
            self.assertRegex(line, r"^(--- |\+\+\+ |@@ |[-+ ]|\\)")

    def test_diff_with_unsafe_fixes(self):
        self.write("m.py", TWO_FINDINGS)
        result = self.check("--diff", "--unsafe-fixes", "m.py")
        self.assertExit(result, 1)
        self.assertIn(f"+{ANY_FIXED}", result.stdout_lines())

    def test_diff_without_changes_exits_0(self):
        self.write("clean.py", CLEAN_SOURCE)
        result = self.check("--diff", "clean.py")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "")

    def test_diff_with_only_unsafe_fixes_exits_0(self):
        self.write("m.py", f"xs = open('x')\n{ANY_LINE}\n")
        result = self.check("--diff", "m.py")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "")

    def test_diff_of_several_files_in_sorted_order(self):
        self.write("b.py")
        self.write("a/c.py")
        result = self.check("--diff", ".")
        self.assertExit(result, 1)
        headers = [line for line in result.stdout_lines() if line.startswith("--- ")]
        self.assertEqual(headers, ["--- a/c.py", "--- b.py"])

    def assert_diff_applies(self, name: str, source: str) -> None:
        """The diff, applied with patch(1) to a copy, gives exactly what --fix writes."""
        if shutil.which("patch") is None:
            self.skipTest("patch is not installed")
        self.write(f"diffed/{name}", source)
        self.write(f"fixed/{name}", source)
        diff = self.check("--diff", name, cwd=self.dir / "diffed")
        self.assertExit(diff, 1)
        self.assertExit(self.check("--fix", name, cwd=self.dir / "fixed"), 0)
        patched = subprocess.run(
            ["patch", "-p0", "--batch", "--silent", "--no-backup-if-mismatch"],
            input=diff.stdout_bytes,
            cwd=self.dir / "diffed",
            capture_output=True,
            timeout=TIMEOUT,
        )
        self.assertEqual(patched.returncode, 0,
                         patched.stdout.decode() + patched.stderr.decode() + diff.describe())
        self.assertEqual(self.read(f"diffed/{name}"), self.read(f"fixed/{name}"))

    def test_diff_applies_with_patch(self):
        body = "".join(f"line{i} = {i}\n" for i in range(30))
        self.assert_diff_applies("m.py", f"{SUM_LINE}\n{body}{SUM_LINE}\n{body}")

    def test_diff_applies_without_final_newline(self):
        # The unified format needs `\ No newline at end of file` for the last line.
        self.assert_diff_applies("m.py", f"xs = open('x')\n{SUM_LINE}")

    def test_diff_applies_with_crlf(self):
        self.assert_diff_applies("m.py", f"xs = open('x')\r\n{SUM_LINE}\r\nend = 1\r\n")


if __name__ == "__main__":
    unittest.main()
