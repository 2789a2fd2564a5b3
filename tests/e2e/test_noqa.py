"""End-to-end tests of `# noqa` comments and `# heaplint: noqa` file-level suppression."""

from __future__ import annotations

import json
import unittest

from e2e_support import SUM_LINE, HeaplintTestCase

FINDING = "sum([x for x in open(p)])"


class NoqaTest(HeaplintTestCase):
    def flagged_rows(self, source: str, *args: str) -> list[int]:
        self.write("m.py", source)
        # HL100 (unused-noqa) has tests of its own below.
        result = self.check("-q", "--ignore", "HL100", "m.py", *args)
        self.assertIn(result.returncode, (0, 1), result.describe())
        return [row for _, row, _, _ in result.findings()]

    def test_line_comments(self):
        lines = [
            f"a = {FINDING}  # noqa",                                    # 1 silenced
            f"b = {FINDING}  # noqa: MEM101",                            # 2 silenced
            f"c = {FINDING}  # noqa: E501",                              # 3 flagged
            f"d = {FINDING}  # noqa: list-comprehension-in-reducer",     # 4 silenced
            f"e = {FINDING}  # noqa: MEM101, unbounded-lru-cache",       # 5 silenced
            f"f = {FINDING}  # noqa:MEM101,E501",                        # 6 silenced
            f"g = {FINDING}  # NOQA",                                    # 7 silenced
            f"h = {FINDING}  #noqa",                                     # 8 silenced
            f"i = {FINDING}  # type: ignore  # noqa: MEM101",            # 9 silenced
            f"j = {FINDING}  # noqa: E501, W291",                        # 10 flagged
            f"k = {FINDING}",                                            # 11 flagged
            f's = "# noqa"; l = {FINDING}',                              # 12 flagged: in a string
        ]
        self.assertEqual(self.flagged_rows("\n".join(lines) + "\n"), [3, 10, 11, 12])

    def test_noqa_goes_on_the_first_line_of_the_finding(self):
        source = (
            "a = sum([  # noqa: MEM101\n"
            "    x for x in open(p)\n"
            "])\n"
            "b = sum([\n"
            "    x for x in open(p)\n"
            "])  # noqa: MEM101\n"
        )
        self.assertEqual(self.flagged_rows(source), [4])

    def test_json_reports_noqa_row(self):
        self.write("m.py", f"xs = open('')\n{SUM_LINE}\n")
        result = self.check("--output-format", "json", "m.py")
        data = json.loads(result.stdout)
        self.assertEqual(data[0]["noqa_row"], 2)

    def test_file_level_noqa(self):
        for comment in ("# heaplint: noqa", "#heaplint:noqa", "# heaplint: noqa: MEM101",
                        "# heaplint: noqa: list-comprehension-in-reducer"):
            with self.subTest(comment=comment):
                source = f"a = {FINDING}\n{comment}\nb = {FINDING}\n"
                self.assertEqual(self.flagged_rows(source), [])
                result = self.check("m.py")
                self.assertEqual(result.returncode, 0, result.describe())
                self.assertEqual(result.stdout, "All checks passed!\n")

    def test_file_level_noqa_for_other_codes_does_not_silence(self):
        for comment in ("# heaplint: noqa: E501", "# ruff: noqa", "# flake8: noqa: MEM101"):
            with self.subTest(comment=comment):
                source = f"{comment}\na = {FINDING}\n"
                self.assertEqual(self.flagged_rows(source), [2])

    def test_file_level_noqa_inside_a_string_does_not_silence(self):
        source = f'doc = """\n# heaplint: noqa\n"""\na = {FINDING}\n'
        self.assertEqual(self.flagged_rows(source), [4])

    def test_ignore_noqa_reports_what_noqa_silences(self):
        # As Ruff's --ignore-noqa: line and file-level directives are both disregarded.
        source = f"a = {FINDING}  # noqa: MEM101\nb = {FINDING}  # noqa\n"
        self.assertEqual(self.flagged_rows(source), [])
        self.assertEqual(self.flagged_rows(source, "--ignore-noqa"), [1, 2])
        self.assertEqual(self.flagged_rows(f"# heaplint: noqa\na = {FINDING}\n", "--ignore-noqa"),
                         [2])

    def test_noqa_does_not_affect_other_files(self):
        self.write("quiet.py", f"# heaplint: noqa\na = {FINDING}\n")
        self.write("loud.py", f"a = {FINDING}\n")
        result = self.check("-q", ".")
        self.assertEqual([f[0] for f in result.findings()], ["loud.py"])

    def test_trailing_file_level_noqa_is_ignored_with_a_warning(self):
        source = f"a = {FINDING}  # heaplint: noqa: MEM101\nb = {FINDING}\n"
        self.write("m.py", source)
        result = self.check("m.py")
        self.assertEqual([row for _, row, _, _ in result.findings()], [1, 2], result.describe())
        self.assertIn("warning: m.py:1:", result.stderr)
        self.assertIn("must stand on a line of its own", result.stderr)

    def test_malformed_directives_warn(self):
        cases = {
            # comment -> (rows flagged, warning text)
            "# noqa MEM101": ([], "without a colon"),
            "#noqaMEM101": ([1], "invalid `# noqa` directive"),
            "# noqa; MEM101": ([1], "invalid `# noqa` directive"),
            "# noqa: unused-import": ([1], "expected a comma-separated list of codes"),
            "# noqa: MEM101MEM203": ([], "expected a comma or a space"),
        }
        for comment, (rows, warning) in cases.items():
            with self.subTest(comment=comment):
                self.write("m.py", f"a = {FINDING}  {comment}\n")
                result = self.check("--select", "MEM", "m.py")
                self.assertEqual([row for _, row, _, _ in result.findings()], rows, result.describe())
                self.assertIn(f"warning: m.py:1:{len('a = ' + FINDING) + 3}: ", result.stderr)
                self.assertIn(warning, result.stderr)
                quiet = self.check("-q", "--select", "MEM", "m.py")
                self.assertNotIn("warning", quiet.stderr)

    def test_well_formed_directives_do_not_warn(self):
        for comment in ("# noqa", "# noqa: MEM101", "# noqa: MEM101, E501", "# noqa - reason",
                        "# noqa: MEM101 because the list is tiny", "# NOQA:MEM101"):
            with self.subTest(comment=comment):
                self.write("m.py", f"a = {FINDING}  {comment}\n")
                result = self.check("m.py")
                self.assertExit(result, 0)
                self.assertEqual(result.stderr, "", result.describe())

    def test_ruff_codes_of_overlapping_rules_silence_ours(self):
        source = (
            f"a = {FINDING}  # noqa: C419\n"
            "import functools\n"
            "class A:\n"
            "    @functools.cache  # noqa: B019\n"
            "    def f(self):\n"
            "        return 1\n"
            "import asyncio\n"
            "async def g(job):\n"
            "    asyncio.create_task(job())  # noqa: RUF006\n"
        )
        self.assertEqual(self.flagged_rows(source, "--preview"), [])  # MEM303 is a preview rule
        self.write("heaplint.toml", "ruff-noqa-codes = false\n")
        self.assertEqual(self.flagged_rows(source, "--preview"), [1, 4, 9])


class UnusedNoqaTest(HeaplintTestCase):
    """HL100 unused-noqa, as Ruff's RUF100."""

    def hl100(self, source: str, *args: str):
        self.write("m.py", source)
        result = self.check("--output-format", "json", "m.py", *args)
        self.assertIn(result.returncode, (0, 1), result.describe())
        return [d for d in json.loads(result.stdout) if d["code"] == "HL100"]

    def test_unused_codes_are_reported_and_other_tools_codes_left_alone(self):
        source = (
            "total = sum(xs)  # noqa: MEM101\n"                        # 1 unused
            f"a = {FINDING}  # noqa: MEM101\n"                         # 2 used
            "b = 1  # noqa: E501\n"                                    # 3 another tool's
            "c = 2  # noqa\n"                                          # 4 blanket: left alone
            f"d = {FINDING}  # noqa: E501, MEM101, MEM501\n"           # 5 MEM501 unused
            f"e = {FINDING}  # noqa: MEM101, MEM101\n"                 # 6 duplicated
            "f = 3  # noqa: list-comprehension-in-reducer\n"           # 7 a name, unused
            "g = 4  # noqa: MEM501, HL100\n"                           # 8 names HL100: kept
        )
        found = {d["location"]["row"]: d["message"] for d in self.hl100(source)}
        self.assertEqual(found, {
            1: "Unused `noqa` directive (unused: `MEM101`)",
            5: "Unused `noqa` directive (unused: `MEM501`)",
            6: "Unused `noqa` directive (duplicated: `MEM101`)",
            7: "Unused `noqa` directive (unused: `list-comprehension-in-reducer`)",
        })

    def test_disabled_rules_are_non_enabled(self):
        found = self.hl100("x = 1  # noqa: MEM501\n", "--ignore", "MEM501")
        self.assertEqual([d["message"] for d in found],
                         ["Unused `noqa` directive (non-enabled: `MEM501`)"])
        self.assertEqual(self.hl100("x = 1  # noqa: MEM501\n", "--select", "MEM"), [])

    def test_file_level_codes(self):
        found = self.hl100("# heaplint: noqa: MEM101, MEM501\nimport gc\ngc.collect\n"
                           f"a = {FINDING}\n")
        self.assertEqual([(d["location"]["row"], d["message"]) for d in found],
                         [(1, "Unused `noqa` directive (unused: `MEM501`)")])

    def test_project_rules_count_as_used(self):
        # MEM401 is decided across files, after each file's own pass (the lines of a file are
        # evidence for it in preview).
        source = ("class Point:\n    def __init__(self, x):\n        self.x = x\n\n\n"
                  "points = [Point(i) for i in open('rows.txt')]\n")
        self.write("pts.py", source)
        self.write("heaplint.toml", "preview = true\n")
        result = self.check("--output-format", "json", "pts.py")
        self.assertEqual([(d["code"], d["location"]["row"]) for d in json.loads(result.stdout)],
                         [("MEM401", 1)], result.describe())
        self.write("pts.py", source.replace("class Point:", "class Point:  # noqa: MEM401"))
        for _ in range(2):  # fresh, then from the cache
            result = self.check("--output-format", "json", "pts.py")
            self.assertEqual(json.loads(result.stdout), [], result.describe())

    def test_fix_removes_unused_codes_only(self):
        source = (
            "a = 1  # noqa: MEM101\n"
            "b = 2  # noqa: E501, MEM101\n"
            "c = 3  # noqa: MEM101 because reasons\n"
            "d = 4  # noqa: MEM101  # type: ignore\n"
            "# noqa: MEM101\n"
            "e = 5\n"
        )
        self.write("m.py", source)
        result = self.check("--fix", "m.py")
        self.assertExit(result, 0)
        self.assertEqual(self.read("m.py").decode(), (
            "a = 1\n"
            "b = 2  # noqa: E501\n"
            "c = 3\n"
            "d = 4  # type: ignore\n"
            "e = 5\n"
        ))
        self.assertEqual(self.check("m.py").returncode, 0)

    def test_select_all_includes_hl100_and_ignore_noqa_turns_it_off(self):
        self.write("m.py", "a = 1  # noqa: MEM101\n")
        self.assertEqual(self.check("--select", "ALL", "m.py").findings(), [("m.py", 1, 8, "HL100")])
        self.assertEqual(self.check("--select", "ALL", "--ignore-noqa", "m.py").findings(), [])

    def test_cached_runs_agree(self):
        self.write("m.py", f"a = {FINDING}  # noqa: MEM101\nb = 1  # noqa: MEM101\n")
        first = self.check("m.py")
        second = self.check("m.py")
        self.assertEqual(first.stdout, second.stdout)
        self.assertEqual(first.findings(), [("m.py", 2, 8, "HL100")])


if __name__ == "__main__":
    unittest.main()
