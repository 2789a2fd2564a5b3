"""The VS Code extension (editors/vscode): its npm dependencies install from its own
package-lock.json, the TypeScript builds, its tests pass under node's test runner (one of them
starts this build's server from the extension's own options through vscode-languageclient and gets
diagnostics), and `vsce package` makes a .vsix that holds the extension and its runtime
dependencies. Needs npm and the npm registry (once; node_modules is kept)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import zipfile
from pathlib import Path

from packaging_support import SOURCE_DIR, project_version

EXTENSION = SOURCE_DIR / "editors" / "vscode"
NPM = shutil.which("npm")
BINARY = os.environ.get("HEAPLINT_BINARY")


def npm(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    env = dict(os.environ, HEAPLINT_BINARY=BINARY or "", NO_COLOR="1")
    return subprocess.run([NPM, *args], cwd=EXTENSION, env=env, capture_output=True, text=True,
                          timeout=timeout)


@unittest.skipIf(NPM is None, "npm is not installed")
@unittest.skipIf(not BINARY, "set HEAPLINT_BINARY")
class VscodeExtensionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        stamp = EXTENSION / "node_modules" / ".heaplint-lock-stamp"
        lock = (EXTENSION / "package-lock.json").read_text()
        if not stamp.is_file() or stamp.read_text() != lock:
            installed = npm("ci", "--no-audit", "--no-fund", "--loglevel=error")
            if installed.returncode != 0:
                raise AssertionError("npm ci failed:\n" + installed.stdout + installed.stderr)
            stamp.write_text(lock)
        compiled = npm("run", "compile", timeout=300)
        if compiled.returncode != 0:
            raise AssertionError("tsc failed:\n" + compiled.stdout + compiled.stderr)

    def test_unit_and_language_client_tests_pass(self):
        result = npm("test", timeout=300)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        passed = re.search(r"^# pass (\d+)$", output, re.M)
        self.assertIsNotNone(passed, output)
        self.assertIn("# fail 0", output)
        self.assertIn("# skipped 0", output)  # the server test ran: HEAPLINT_BINARY is set
        self.assertIn("ok 1 - the extension's server options start the server", output)

    def test_packages_as_a_vsix(self):
        with tempfile.TemporaryDirectory(prefix="heaplint-vsix-") as directory:
            vsix = Path(directory) / "heaplint.vsix"
            result = npm("exec", "--", "vsce", "package", "--skip-license",
                         "--allow-missing-repository", "--out", str(vsix), timeout=600)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            with zipfile.ZipFile(vsix) as archive:
                names = set(archive.namelist())
                manifest = json.loads(archive.read("extension/package.json"))
        self.assertEqual(manifest["version"], project_version())
        for required in ("extension/out/src/extension.js", "extension/out/src/server.js",
                         "extension/node_modules/vscode-languageclient/node.js",
                         "extension/readme.md"):  # vsce lowercases the readme's name
            self.assertTrue(required in names, f"{required} is not in the .vsix")
        self.assertFalse([n for n in names if n.startswith(("extension/src/", "extension/test/",
                                                            "extension/out/test/"))])
        self.assertFalse([n for n in names if "/@vscode/vsce" in n or "/typescript/" in n],
                         "development dependencies must stay out of the .vsix")


if __name__ == "__main__":
    unittest.main()
