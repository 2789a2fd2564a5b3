"""The tables taken from CPython 3.11 (scripts/generate_python_tables.py: the standard library's
star-import names, the codec names of PEP 263 cookies) are what that interpreter gives today."""
import os
import pathlib
import shutil
import subprocess
import unittest

SOURCE_DIR = pathlib.Path(os.environ["HEAPLINT_SOURCE_DIR"])
SCRIPT = SOURCE_DIR / "scripts" / "generate_python_tables.py"
CANNOT_CHECK = 3


class GeneratedTablesTest(unittest.TestCase):
    def test_tables_are_up_to_date(self):
        candidates = ["/usr/bin/python3.11", shutil.which("python3.11")]
        reasons = []
        for python in dict.fromkeys(c for c in candidates if c and os.path.exists(c)):
            result = subprocess.run([python, str(SCRIPT), "--check"], capture_output=True,
                                    text=True, timeout=240)
            if result.returncode == CANNOT_CHECK:
                reasons.append(f"{python}: {result.stderr.strip()}")
                continue
            self.assertEqual(result.returncode, 0, result.stderr)
            return
        self.skipTest("; ".join(reasons) or "no python3.11 on this machine")


if __name__ == "__main__":
    unittest.main()
