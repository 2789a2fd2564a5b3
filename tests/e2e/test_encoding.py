"""End-to-end tests of PEP 263 coding cookies: files in other encodings are read as Python reads
them, findings point at characters, and fixes are written back in the file's own encoding."""

from __future__ import annotations

import json
import unittest

from e2e_support import SUM_FIXED, SUM_LINE, HeaplintTestCase

COOKIE = "# -*- coding: latin-1 -*-\n"
# `é` before the finding: one character, one byte in Latin-1, two in UTF-8.
LATIN1_LINE = "name = 'caf\xe9'; " + SUM_LINE
LATIN1_SOURCE = (COOKIE + "xs = [1, 2, 3]\n" + LATIN1_LINE + "\n").encode("latin-1")
LATIN1_FIXED = (COOKIE + "xs = [1, 2, 3]\n" + "name = 'caf\xe9'; " + SUM_FIXED + "\n").encode(
    "latin-1")
LATIN1_COLUMN = LATIN1_LINE.index("[") + 1
# Two characters of four bytes in EUC-JP before the finding.
EUC_JP_LINE = "name = '\u65e5\u672c'; " + SUM_LINE
EUC_JP_SOURCE = ("# coding: euc-jp\nxs = [1, 2, 3]\n" + EUC_JP_LINE + "\n").encode("euc-jp")
EUC_JP_COLUMN = EUC_JP_LINE.index("[") + 1
# In Shift-JIS the second byte of `ソ` is 0x5C, a backslash read byte by byte: it would escape the
# closing quote.
SHIFT_JIS_SOURCE = ("# coding: shift_jis\nxs = [1, 2, 3]\nname = '\u30bd'\n" + SUM_LINE +
                    "\n").encode("shift_jis")
SHIFT_JIS_FIXED = ("# coding: shift_jis\nxs = [1, 2, 3]\nname = '\u30bd'\n" + SUM_FIXED +
                   "\n").encode("shift_jis")


class EncodingTest(HeaplintTestCase):
    def test_a_latin1_file_is_checked_without_warnings_at_character_columns(self):
        self.write("latin.py", LATIN1_SOURCE)
        result = self.check("--no-cache", "latin.py")
        self.assertExit(result, 1)
        self.assertEqual(result.findings(), [("latin.py", 3, LATIN1_COLUMN, "MEM101")])
        self.assertNotIn("warning", result.stderr, result.describe())

    def test_fix_writes_the_file_back_in_its_own_encoding(self):
        self.write("latin.py", LATIN1_SOURCE)
        result = self.check("--no-cache", "--fix", "latin.py")
        self.assertExit(result, 0)
        self.assertEqual(self.read("latin.py"), LATIN1_FIXED)

    def test_fixed_standard_input_comes_back_in_its_own_encoding(self):
        for source, fixed in ((LATIN1_SOURCE, LATIN1_FIXED), (SHIFT_JIS_SOURCE, SHIFT_JIS_FIXED)):
            result = self.check("--fix", "--stdin-filename", "in.py", stdin=source)
            self.assertExit(result, 0)
            self.assertEqual(result.stdout_bytes, fixed)
        unchanged = self.check("--stdin-filename", "euc.py", stdin=EUC_JP_SOURCE)
        self.assertEqual(unchanged.findings(), [("euc.py", 3, EUC_JP_COLUMN, "MEM101")])

    def test_columns_and_fix_positions_count_characters_of_a_multibyte_encoding(self):
        self.write("euc.py", EUC_JP_SOURCE)
        result = self.check("--no-cache", "--output-format", "json", "euc.py")
        [finding] = json.loads(result.stdout)
        self.assertEqual(finding["location"], {"row": 3, "column": EUC_JP_COLUMN})
        edits = finding["fix"]["edits"]
        self.assertTrue(all(edit["location"]["row"] == 3 for edit in edits), edits)
        self.assertEqual(edits[0]["location"]["column"], EUC_JP_COLUMN)
        self.assertNotIn("warning", result.stderr, result.describe())

    def test_a_shift_jis_file_whose_bytes_hold_a_backslash_parses_and_is_fixed(self):
        self.write("sjis.py", SHIFT_JIS_SOURCE)
        result = self.check("--no-cache", "--fix", "sjis.py")
        self.assertExit(result, 0)
        self.assertNotIn("warning", result.stderr, result.describe())
        self.assertEqual(self.read("sjis.py"), SHIFT_JIS_FIXED)

    def test_add_noqa_keeps_the_encoding(self):
        self.write("latin.py", LATIN1_SOURCE)
        self.write("sjis.py", SHIFT_JIS_SOURCE)
        result = self.check("--no-cache", "--add-noqa", "latin.py", "sjis.py")
        self.assertExit(result, 0)
        for name, source in (("latin.py", LATIN1_SOURCE), ("sjis.py", SHIFT_JIS_SOURCE)):
            self.assertEqual(self.read(name), source.replace(b"])\n", b"])  # noqa: MEM101\n"))

    def test_undecodable_bytes_are_a_warning_and_the_file_is_not_rewritten(self):
        source = ("# coding: ascii\nxs = [1]\nname = '\xe9'\n" + SUM_LINE + "\n").encode("latin-1")
        self.write("ascii.py", source)
        result = self.check("--no-cache", "--fix", "ascii.py")
        self.assertExit(result, 1)
        self.assertIn("ascii.py:3:9: not valid `ascii`", result.stderr, result.describe())
        self.assertEqual(result.findings(), [("ascii.py", 4, SUM_LINE.index("[") + 1, "MEM101")])
        self.assertEqual(self.read("ascii.py"), source)

    def test_an_unknown_codec_and_a_byte_order_mark_conflict_are_warnings(self):
        self.write("bogus.py", "# coding: bogus\nxs = [1]\n" + SUM_LINE + "\n")
        self.write("bom.py", b"\xef\xbb\xbf# coding: latin-1\nxs = [1]\n" + SUM_LINE.encode() + b"\n")
        result = self.check("--no-cache", "bogus.py", "bom.py")
        self.assertExit(result, 1)
        self.assertIn("bogus.py:1:11: unknown encoding `bogus`", result.stderr, result.describe())
        self.assertIn("bom.py:1:11: the UTF-8 byte-order mark contradicts the coding cookie "
                      "`latin-1`", result.stderr, result.describe())
        self.assertEqual(len(result.findings()), 2)

    def test_a_cached_run_reports_the_same(self):
        self.write("latin.py", LATIN1_SOURCE)
        first = self.check("latin.py")
        second = self.check("latin.py")
        self.assertEqual(first.stdout, second.stdout)
        self.assertEqual(first.stderr, second.stderr)


if __name__ == "__main__":
    unittest.main()
