"""The committed rule pages (docs/rules/) match what the binary documents, since diagnostics link there."""
import os
import pathlib
import subprocess
import sys
import unittest

BINARY = os.environ["HEAPLINT_BINARY"]
SOURCE_DIR = pathlib.Path(os.environ["HEAPLINT_SOURCE_DIR"])


class RuleDocsTest(unittest.TestCase):
    def test_pages_are_up_to_date(self):
        result = subprocess.run(
            [sys.executable, str(SOURCE_DIR / "scripts" / "generate_rule_docs.py"), "--binary",
             BINARY, "--check"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_every_rule_url_names_a_committed_page(self):
        import json
        rules = json.loads(subprocess.run([BINARY, "rules", "--json"], check=True,
                                          capture_output=True, text=True).stdout)
        self.assertGreaterEqual(len(rules), 9)
        for rule in rules:
            page = rule["url"].rsplit("/", 1)[-1]
            self.assertTrue(rule["url"].endswith(f"docs/rules/{rule['code']}.md"), rule["url"])
            self.assertTrue((SOURCE_DIR / "docs" / "rules" / page).is_file(), page)
            self.assertIn("## Known problems", (SOURCE_DIR / "docs" / "rules" / page).read_text())


if __name__ == "__main__":
    unittest.main()
