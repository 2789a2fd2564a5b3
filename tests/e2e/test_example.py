"""The sample the README's Quick start checks (`examples/`): what it says it shows, the default
rules still show, each from its evidence, and `--preview` adds the finding it announces. A rule
change that quiets one of them has to change the sample too."""

from __future__ import annotations

import shutil
import unittest

from e2e_support import SOURCE_DIR, HeaplintTestCase

DEFAULT = [
    ("examples/ingest.py", 14, 20, "MEM101"),  # max() of a list of every line of a file
    ("examples/ingest.py", 20, 16, "MEM104"),  # len() of a list of csv rows
    ("examples/ingest.py", 27, 13, "MEM501"),  # gc.collect() once per line
    ("examples/ingest.py", 31, 5, "MEM502"),  # gc.disable() never undone
    ("examples/ingest.py", 36, 21, "MEM204"),  # a default dict filled per line
]


class ExampleTest(HeaplintTestCase):
    def setUp(self) -> None:
        super().setUp()
        # A copy, so that no cache or configuration of the source tree takes part.
        shutil.copytree(SOURCE_DIR / "examples", self.dir / "examples")

    def test_the_default_rules_report_what_the_sample_shows(self):
        result = self.check("--no-cache", "examples/")
        self.assertExit(result, 1)
        self.assertEqual(result.findings(), DEFAULT)

    def test_preview_adds_the_list_built_from_a_parameter(self):
        result = self.check("--no-cache", "--preview", "examples/")
        self.assertExit(result, 1)
        self.assertEqual(result.findings(),
                         sorted(DEFAULT + [("examples/ingest.py", 52, 16, "MEM101")]))


if __name__ == "__main__":
    unittest.main()
