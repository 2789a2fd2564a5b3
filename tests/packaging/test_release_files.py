"""The release files that run elsewhere: .github/workflows/wheels.yml passes actionlint (installed
from the Go module proxy into the packaging cache when it is not on PATH), and pyproject.toml's
scikit-build-core and cibuildwheel settings say what the packaging relies on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unittest

from packaging_support import CACHE_DIR, SOURCE_DIR, project_version, run

ACTIONLINT_MODULE = "github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"
WORKFLOW = SOURCE_DIR / ".github" / "workflows" / "wheels.yml"


def actionlint() -> str | None:
    found = shutil.which("actionlint") or shutil.which("actionlint", path=str(CACHE_DIR / "bin"))
    if found or shutil.which("go") is None:
        return found
    env = dict(os.environ, GOBIN=str(CACHE_DIR / "bin"))
    installed = subprocess.run(["go", "install", ACTIONLINT_MODULE], env=env, capture_output=True,
                               text=True, timeout=900)
    if installed.returncode != 0:
        raise AssertionError("go install actionlint failed:\n" + installed.stderr)
    return shutil.which("actionlint", path=str(CACHE_DIR / "bin"))


class ReleaseFilesTest(unittest.TestCase):
    def test_wheels_workflow_passes_actionlint(self):
        linter = actionlint()
        if linter is None:
            self.skipTest("neither actionlint nor go is installed")
        result = run([linter, "-no-color", WORKFLOW], check=False, timeout=300)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_actionlint_fails_a_broken_workflow(self):
        linter = actionlint()
        if linter is None:
            self.skipTest("neither actionlint nor go is installed")
        broken = CACHE_DIR / "broken-workflow.yml"
        broken.write_text(WORKFLOW.read_text().replace("runs-on: ${{ matrix.os }}",
                                                       "runs-on: ${{ matrix.operating_system }}"))
        result = run([linter, "-no-color", broken], check=False, timeout=300)
        self.assertNotEqual(result.returncode, 0, result.stdout)

    @unittest.skipIf(sys.version_info < (3, 11), "tomllib is Python 3.11+")
    def test_pyproject_builds_a_portable_python_independent_wheel(self):
        import tomllib

        pyproject = tomllib.loads((SOURCE_DIR / "pyproject.toml").read_text())
        build = pyproject["tool"]["scikit-build"]
        self.assertEqual(build["wheel"]["py-api"], "py3")
        self.assertEqual(build["cmake"]["define"]["HEAPLINT_PORTABLE"], "ON")
        self.assertEqual(build["cmake"]["define"]["HEAPLINT_BUILD_TESTS"], "OFF")
        self.assertTrue(build["sdist"]["cmake"])
        self.assertIn("third_party/", build["sdist"]["include"])
        # The version is read from CMakeLists.txt, the one place it is written.
        self.assertEqual(pyproject["project"]["dynamic"], ["version"])
        version = build["metadata"]["version"]
        cmake = (SOURCE_DIR / version["input"]).read_text()
        self.assertEqual(re.search(version["regex"], cmake).group("value"), project_version())
        cibuildwheel = pyproject["tool"]["cibuildwheel"]
        self.assertIn("manylinux_2_28", cibuildwheel["linux"]["manylinux-x86_64-image"])


if __name__ == "__main__":
    unittest.main()
