"""End-to-end tests of CI gating: --write-baseline/--baseline, --diff-base and --add-noqa."""

from __future__ import annotations

import json
import subprocess
import unittest

from e2e_support import ANY_LINE, SUM_LINE, TIMEOUT, HeaplintTestCase, base_env, parses

TWO_FINDINGS = f"xs = open('xs.txt')\n{SUM_LINE}\n{ANY_LINE}\n"
MIN_LINE = "low = min([x for x in xs])"


class BaselineTest(HeaplintTestCase):
    def test_write_then_gate_on_new_findings_only(self):
        self.write("a.py", TWO_FINDINGS)
        result = self.check("--write-baseline", "baseline.json", ".")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr, "Wrote 2 findings to baseline.json.\n")
        document = json.loads(self.read("baseline.json"))
        self.assertEqual(document["heaplint_baseline_version"], 1)
        self.assertEqual([f["code"] for f in document["findings"]], ["MEM101", "MEM101"])
        self.assertEqual(
            sorted(document["findings"][0]), ["code", "fingerprint", "message", "path", "row"]
        )

        result = self.check("--baseline", "baseline.json", ".")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "All checks passed!\n")

        # Lines moved down and re-indented: still known. A new finding: reported alone.
        indented = "".join(f"    {line}\n" for line in (TWO_FINDINGS + MIN_LINE).splitlines())
        self.write("a.py", "import os\n\nif True:\n" + indented)
        result = self.check("--baseline", "baseline.json", ".")
        self.assertExit(result, 1)
        self.assertFindings(result, [("a.py", 7, 15, "MEM101")])

    def test_identical_findings_are_counted(self):
        self.write("a.py", f"xs = open('')\n{SUM_LINE}\n")
        self.assertExit(self.check("--write-baseline", "b.json", "a.py"), 0)
        self.write("a.py", f"xs = open('')\n{SUM_LINE}\n{SUM_LINE}\n")
        result = self.check("--baseline", "b.json", "a.py")
        self.assertExit(result, 1)
        self.assertEqual(len(result.findings()), 1, result.describe())

    def test_edited_line_is_new(self):
        self.write("a.py", f"xs = open('')\n{SUM_LINE}\n")
        self.check("--write-baseline", "b.json", "a.py")
        self.write("a.py", f"xs = open('')\n{SUM_LINE.replace('x * x', 'x * 2')}\n")
        self.assertExit(self.check("--baseline", "b.json", "a.py"), 1)

    def test_json_output_with_baseline(self):
        self.write("a.py", f"xs = open('')\n{SUM_LINE}\n")
        self.check("--write-baseline", "b.json", "a.py")
        result = self.check("--baseline", "b.json", "--output-format", "json", "a.py")
        self.assertExit(result, 0)
        self.assertEqual(json.loads(result.stdout), [])

    def test_missing_or_bad_baseline_is_a_usage_error(self):
        self.write("a.py")
        self.assertUsageError(self.check("--baseline", "missing.json", "a.py"))
        self.write("bad.json", "{not json")
        self.assertUsageError(self.check("--baseline", "bad.json", "a.py"))
        self.write("old.json", json.dumps({"heaplint_baseline_version": 99, "findings": []}))
        result = self.check("--baseline", "old.json", "a.py")
        self.assertUsageError(result)
        self.assertIn("version 99", result.stderr)
        self.write("list.json", "[]")
        self.assertUsageError(self.check("--baseline", "list.json", "a.py"))

    def test_cannot_write_and_read_at_once(self):
        self.write("a.py")
        self.assertUsageError(self.check("--baseline", "x.json", "--write-baseline", "y.json", "a.py"))


class DiffBaseTest(HeaplintTestCase):
    def git(self, *args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
            cwd=str(self.dir), check=True, env=base_env(), timeout=TIMEOUT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def test_only_changed_lines_and_untracked_files(self):
        self.git_init()
        self.write("pkg/a.py", TWO_FINDINGS)
        self.write("b.py", TWO_FINDINGS)
        self.git("add", "-A")
        self.git("commit", "-qm", "base")
        # Changed: line 2 of a.py edited, a new line appended; b.py untouched; c.py untracked.
        self.write("pkg/a.py", TWO_FINDINGS.replace("[1, 2, 3]", "[1]") .replace(SUM_LINE, SUM_LINE + "  ") + MIN_LINE + "\n")
        self.write("c.py", f"xs = open('')\n{SUM_LINE}\n")
        result = self.check("--diff-base", "HEAD", ".")
        self.assertExit(result, 1)
        self.assertFindings(
            result,
            [("c.py", 2, 13, "MEM101"), ("pkg/a.py", 2, 13, "MEM101"), ("pkg/a.py", 4, 11, "MEM101")],
        )
        # From a subdirectory, paths stay relative to where heaplint runs.
        result = self.check("--diff-base", "HEAD", ".", cwd=self.dir / "pkg")
        self.assertFindings(result, [("a.py", 2, 13, "MEM101"), ("a.py", 4, 11, "MEM101")])

    def test_staged_changes_count_and_clean_tree_passes(self):
        self.git_init()
        self.write("a.py", TWO_FINDINGS)
        self.git("add", "-A")
        self.git("commit", "-qm", "base")
        result = self.check("--diff-base", "HEAD", ".")
        self.assertExit(result, 0)
        self.write("a.py", TWO_FINDINGS + MIN_LINE + "\n")
        self.git("add", "-A")
        self.assertFindings(self.check("--diff-base", "HEAD", "."), [("a.py", 4, 11, "MEM101")])

    def test_not_a_repository_or_bad_revision(self):
        self.write("a.py")
        result = self.check("--diff-base", "HEAD", "a.py")
        self.assertUsageError(result)
        self.assertIn("not inside a git repository", result.stderr)
        self.git_init()
        result = self.check("--diff-base", "no-such-branch", "a.py")
        self.assertUsageError(result)
        self.assertIn("unknown revision", result.stderr)
        result = self.check("--diff-base", "--output=x", "a.py")
        self.assertUsageError(result)


class AddNoqaTest(HeaplintTestCase):
    def test_adds_and_extends_comments_and_silences_everything(self):
        source = (
            "xs = open('x')\n"
            f"{SUM_LINE}\n"
            f"{ANY_LINE}  # keep this comment\n"
            f"{MIN_LINE}  # noqa: E501\n"
            "big = max([x for x in xs]) + sum([y for y in xs])\n"
        )
        self.write("a.py", source)
        result = self.check("--add-noqa", "a.py")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "")
        self.assertEqual(result.stderr, "Added 4 noqa codes in 1 file.\n")
        self.assertEqual(
            self.read("a.py").decode(),
            "xs = open('x')\n"
            f"{SUM_LINE}  # noqa: MEM101\n"
            f"{ANY_LINE}  # keep this comment  # noqa: MEM101\n"
            f"{MIN_LINE}  # noqa: E501, MEM101\n"
            "big = max([x for x in xs]) + sum([y for y in xs])  # noqa: MEM101\n",
        )
        self.assertExit(self.check("a.py"), 0)
        # Nothing left to add: the file is not touched again.
        result = self.check("--add-noqa", "a.py")
        self.assertEqual(result.stderr, "Added 0 noqa codes in 0 files.\n")

    def test_multiline_strings_and_continuations_are_skipped_not_broken(self):
        source = (
            "xs = open('x')\n"
            's = """a\n""" + str(sum([x for x in open("""\nb""")]))\n'
            "w = max([x for x in xs]) + \\\n    1\n"
            "t = (min([x for x in xs]),\n     2)\n"
        )
        self.write("a.py", source.encode())
        result = self.check("--add-noqa", "a.py")
        self.assertExit(result, 0)
        self.assertIn("Added 1 noqa code in 1 file.", result.stderr)
        self.assertIn("2 findings are on lines that cannot hold a comment", result.stderr)
        text = self.read("a.py").decode()
        self.assertTrue(parses(text))
        self.assertIn("t = (min([x for x in xs]),  # noqa: MEM101\n", text)
        self.assertEqual(text.count("noqa"), 1)

    def test_crlf_and_project_findings(self):
        self.write("pkg/__init__.py", "")
        self.write("pkg/models.py", "class Point:\r\n    def __init__(self, x):\r\n        self.x = x\r\n")
        self.write("pkg/use.py",
                   "from pkg.models import Point\r\npoints = [Point(i) for i in open('r')]\r\n")
        self.write("heaplint.toml", "preview = true\n")  # MEM401 is a preview rule
        self.assertExit(self.check("."), 1)
        self.assertExit(self.check("--add-noqa", "."), 0)
        self.assertEqual(
            self.read("pkg/models.py"),
            b"class Point:  # noqa: MEM401\r\n    def __init__(self, x):\r\n        self.x = x\r\n",
        )
        self.assertExit(self.check("."), 0)

    def test_only_new_findings_with_a_baseline(self):
        self.write("a.py", f"xs = open('x')\n{SUM_LINE}\n")
        self.assertExit(self.check("--write-baseline", "b.json", "a.py"), 0)
        self.write("a.py", f"xs = open('x')\n{SUM_LINE}\n{MIN_LINE}\n")
        self.assertExit(self.check("--add-noqa", "--baseline", "b.json", "a.py"), 0)
        self.assertEqual(
            self.read("a.py").decode(), f"xs = open('x')\n{SUM_LINE}\n{MIN_LINE}  # noqa: MEM101\n"
        )

    def test_refuses_fix_and_stdin(self):
        self.write("a.py")
        self.assertUsageError(self.check("--add-noqa", "--fix", "a.py"))
        self.assertUsageError(self.check("--add-noqa", "-", stdin="x = 1\n"))


if __name__ == "__main__":
    unittest.main()
