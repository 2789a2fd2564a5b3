"""End-to-end tests of Jupyter notebooks: linted cell by cell, findings reported as Ruff reports
them (`nb.ipynb:cell 3:4:5`), IPython magics masked, and fixes written back into the cells
without touching any other byte of the file."""

from __future__ import annotations

import json
import unittest

from e2e_support import SUM_COLUMN, SUM_FIXED, SUM_LINE, SUM_MESSAGE, HeaplintTestCase


def code(*lines: str) -> dict:
    """A code cell whose source is stored as Jupyter stores it: a list of lines."""
    source = [line + "\n" for line in lines[:-1]] + [lines[-1]] if lines else []
    return {"cell_type": "code", "execution_count": None, "id": f"c{len(lines)}",
            "metadata": {}, "outputs": [], "source": source}


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "id": "m", "metadata": {}, "source": [text]}


def notebook(*cells: dict, indent: int = 1) -> str:
    """The JSON as Jupyter writes it (indent 1, UTF-8 kept, a final newline)."""
    document = {"cells": list(cells), "metadata": {"kernelspec": {"name": "python3"}},
                "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=indent, ensure_ascii=False) + "\n"


class NotebookTest(HeaplintTestCase):
    def test_findings_name_the_cell_and_the_row_in_it(self):
        self.write("nb.ipynb", notebook(
            markdown("# Totals"),
            code("import math", "xs = [1.5, 2.5]"),
            markdown("Now the sum:"),
            code("xs = [1, 2]", SUM_LINE),
        ))
        result = self.check("nb.ipynb")
        self.assertExit(result, 1)
        self.assertEqual(result.stdout_lines()[0],
                         f"nb.ipynb:cell 4:2:{SUM_COLUMN}: MEM101 [*] {SUM_MESSAGE}")
        data = json.loads(self.check("--output-format", "json", "nb.ipynb").stdout)
        self.assertEqual((data[0]["cell"], data[0]["location"]["row"]), (4, 2))

    def test_notebooks_are_found_in_directories(self):
        self.write("sub/nb.ipynb", notebook(code("xs = []", SUM_LINE)))
        result = self.check(".")
        self.assertExit(result, 1)
        self.assertIn("sub/nb.ipynb:cell 1:2:", result.stdout)

    def test_magics_and_shell_escapes_are_masked(self):
        self.write("nb.ipynb", notebook(
            code("%matplotlib inline", "!pip install numpy", "files = !ls", "len?",
                 "for f in files:", "    %time print(f)", "xs = []", SUM_LINE),
            code("%%bash", "echo $((1 + 2))"),
            code("x = sum([a for a in open(p)])"),
        ))
        result = self.check("nb.ipynb")
        self.assertNotIn("syntax error", result.stderr, result.describe())
        self.assertEqual([line.split(": ")[0] for line in result.stdout_lines()[:2]],
                         [f"nb.ipynb:cell 1:8:{SUM_COLUMN}", "nb.ipynb:cell 3:1:9"],
                         result.describe())

    def test_noqa_in_a_cell(self):
        self.write("nb.ipynb", notebook(code("xs = []", SUM_LINE + "  # noqa: MEM101")))
        self.assertExit(self.check("nb.ipynb"), 0)

    def test_nothing_to_fix_leaves_every_byte(self):
        # A finding without a fix, odd indentation and non-ASCII text: the file is not rewritten.
        original = notebook(markdown("Größe ✓"), code("import gc", "def f():", "    gc.collect()"),
                            indent=3).encode("utf-8")
        self.write("nb.ipynb", original)
        for args in (("--fix",), ("--fix", "--unsafe-fixes"), ()):
            with self.subTest(args=args):
                result = self.check(*args, "nb.ipynb")
                self.assertIn(result.returncode, (0, 1), result.describe())
                self.assertEqual(self.read("nb.ipynb"), original)

    def test_fix_rewrites_only_the_changed_cell(self):
        before = notebook(
            markdown("Größe ✓"),
            code("%matplotlib inline", "xs = []", SUM_LINE, "print(total)"),
            code("untouched = 1"),
        )
        self.write("nb.ipynb", before)
        result = self.check("--fix", "nb.ipynb")
        self.assertExit(result, 0)
        after = self.read("nb.ipynb").decode("utf-8")
        expected = json.loads(before)
        expected["cells"][1]["source"] = ["%matplotlib inline\n", "xs = []\n", SUM_FIXED + "\n",
                                          "print(total)"]
        self.assertEqual(json.loads(after), expected)
        # Byte for byte, the fix changed one line of the file and nothing else.
        self.assertEqual(after, before.replace(json.dumps(SUM_LINE + "\n"),
                                               json.dumps(SUM_FIXED + "\n")))

    def test_fix_in_a_source_stored_as_one_string(self):
        cell = code()
        cell["source"] = f"xs = []\n{SUM_LINE}\n"
        before = notebook(cell, indent=4)
        self.write("nb.ipynb", before)
        self.assertExit(self.check("--fix", "nb.ipynb"), 0)
        self.assertEqual(self.read("nb.ipynb").decode(),
                         before.replace(SUM_LINE, SUM_FIXED))

    def test_diff_shows_the_change_and_writes_nothing(self):
        before = notebook(code("xs = []", SUM_LINE))
        self.write("nb.ipynb", before)
        result = self.check("--diff", "nb.ipynb")
        self.assertExit(result, 1)
        self.assertIn(SUM_FIXED, result.stdout)
        self.assertEqual(self.read("nb.ipynb").decode(), before)

    def test_add_noqa_leaves_notebooks_alone(self):
        # As in Ruff, --add-noqa edits .py and .pyi files only: a cell's row is not a JSON line.
        before = notebook(code("xs = []", SUM_LINE))
        self.write("nb.ipynb", before)
        self.write("m.py", SUM_LINE + "\n")
        result = self.check("--add-noqa", ".")
        self.assertExit(result, 0)
        self.assertEqual(self.read("nb.ipynb").decode(), before)
        self.assertEqual(self.read("m.py").decode(), SUM_LINE + "  # noqa: MEM101\n")
        self.assertIn("1 findings in notebooks are left as they are", result.stderr)

    def test_a_file_that_is_not_a_notebook_is_skipped_with_a_warning(self):
        self.write("bad.ipynb", "{ not json")
        self.write("empty.ipynb", "{}")
        result = self.check(".")
        self.assertExit(result, 0)
        self.assertIn("warning: bad.ipynb: not a Jupyter notebook", result.stderr)
        self.assertIn("warning: empty.ipynb: not a Jupyter notebook", result.stderr)


class NotebookOnStdinTest(HeaplintTestCase):
    """`--stdin-filename nb.ipynb` reads notebook JSON, as Ruff does (editors and pre-commit
    wrappers pipe notebooks this way)."""

    def test_findings_name_the_cell(self):
        text = notebook(markdown("Sum"), code("xs = []", SUM_LINE))
        result = self.check("--stdin-filename", "nb.ipynb", stdin=text)
        self.assertExit(result, 1)
        self.assertEqual(result.stdout_lines()[0],
                         f"nb.ipynb:cell 2:2:{SUM_COLUMN}: MEM101 [*] {SUM_MESSAGE}")

    def test_fix_writes_the_fixed_notebook_to_stdout(self):
        before = notebook(markdown("Größe ✓"), code("%matplotlib inline", "xs = []", SUM_LINE),
                          code("untouched = 1"))
        result = self.check("--fix", "--stdin-filename", "nb.ipynb", stdin=before)
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, before.replace(json.dumps(SUM_LINE),
                                                       json.dumps(SUM_FIXED)))
        self.assertIn("1 fixed", result.stderr)

    def test_nothing_to_fix_passes_every_byte_through(self):
        # Odd indentation, non-ASCII text, a finding without a fix, no final newline.
        before = notebook(markdown("Größe ✓"), code("import gc", "def f():", "    gc.collect()"),
                          indent=3).rstrip("\n").encode("utf-8")
        for args in (("--fix",), ("--fix", "--unsafe-fixes"), ("--fix-only",)):
            with self.subTest(args=args):
                result = self.check(*args, "--stdin-filename", "nb.ipynb", stdin=before)
                self.assertIn(result.returncode, (0, 1), result.describe())
                self.assertEqual(result.stdout_bytes, before)

    def test_diff_shows_the_change_in_the_json(self):
        before = notebook(code("xs = []", SUM_LINE))
        result = self.check("--diff", "--stdin-filename", "nb.ipynb", stdin=before)
        self.assertExit(result, 1)
        lines = result.stdout_lines()
        self.assertTrue(any(line.startswith("-") and json.dumps(SUM_LINE) in line
                            for line in lines), result.describe())
        self.assertTrue(any(line.startswith("+") and json.dumps(SUM_FIXED) in line
                            for line in lines), result.describe())

    def test_text_that_is_not_a_notebook_is_skipped_and_passed_through(self):
        result = self.check("--fix", "--stdin-filename", "nb.ipynb", stdin="xs = []\n")
        self.assertExit(result, 0)
        self.assertEqual(result.stdout, "xs = []\n")
        self.assertIn("warning: nb.ipynb: not a Jupyter notebook", result.stderr)


if __name__ == "__main__":
    unittest.main()
