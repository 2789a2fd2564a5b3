"""End-to-end tests of `# noqa` comments and `# heaplint: noqa` file-level suppression."""

from __future__ import annotations

import json
import unittest

from e2e_support import SUM_LINE, HeaplintTestCase

FINDING = "sum([x for x in open(p)])"


class NoqaTest(HeaplintTestCase):
    def flagged_rows(self, source: str, *args: str) -> list[int]:
        self.write("m.py", source)
        result = self.check("-q", "m.py", *args)
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

    def test_noqa_does_not_affect_other_files(self):
        self.write("quiet.py", f"# heaplint: noqa\na = {FINDING}\n")
        self.write("loud.py", f"a = {FINDING}\n")
        result = self.check("-q", ".")
        self.assertEqual([f[0] for f in result.findings()], ["loud.py"])


if __name__ == "__main__":
    unittest.main()
