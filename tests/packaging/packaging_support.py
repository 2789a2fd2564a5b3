"""Shared helpers for the packaging tests: the pinned wheelhouse, copies of the source tree,
running commands with their timing, and hiding what a clean machine would not have.

Not a test module itself (ctest runs only tests/packaging/test_*.py). Standard library only.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e"))

from e2e_support import CLEAN_SOURCE, ONE_FINDING, SOURCE_DIR  # noqa: E402

REQUIREMENTS = HERE / "requirements.txt"
# Downloads are kept between runs (the build directory by default), so a second run needs no
# network for Python packages.
CACHE_DIR = Path(os.environ.get("HEAPLINT_PACKAGING_CACHE",
                                Path(os.environ.get("HEAPLINT_BINARY", SOURCE_DIR / "build" / "x"))
                                .parent / "packaging-cache"))
WHEELHOUSE = CACHE_DIR / "wheelhouse"
# A full build of heaplint on two busy cores takes minutes.
BUILD_TIMEOUT = 1800

__all__ = ["CACHE_DIR", "CLEAN_SOURCE", "ONE_FINDING", "SOURCE_DIR", "Timer",
           "class_temporary_directory", "copy_source_tree", "make_venv",
           "git_commit_all", "git_env", "offline_pip_env", "populate_wheelhouse",
           "project_version", "run"]


class Timer:
    """Collects how long each step took, printed with the test's output."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, float]] = []

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.monotonic()
        try:
            yield
        finally:
            self.steps.append((name, time.monotonic() - start))
            print(f"packaging: {name}: {self.steps[-1][1]:.1f} s", file=sys.stderr, flush=True)

    def run(self, name: str, *args, **kwargs) -> subprocess.CompletedProcess:
        with self.step(name):
            return run(*args, **kwargs)


def run(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float = BUILD_TIMEOUT, check: bool = True,
        stdin: str | None = None) -> subprocess.CompletedProcess:
    completed = subprocess.run([str(a) for a in args], cwd=str(cwd) if cwd else None, env=env,
                               capture_output=True, text=True, timeout=timeout,
                               input=stdin if stdin is not None else "")
    if check and completed.returncode != 0:
        raise AssertionError(describe(completed))
    return completed


def describe(completed: subprocess.CompletedProcess) -> str:
    # The end of a long build log is where its error is.
    return (f"\n$ {' '.join(map(str, completed.args))}\n-- exit code {completed.returncode}"
            f"\n-- stdout (end):\n{completed.stdout[-6000:]}\n-- stderr (end):\n"
            f"{completed.stderr[-6000:]}")


def class_temporary_directory(test_class: type[unittest.TestCase], prefix: str) -> Path:
    """A temporary directory (its real path) that lives as long as the test class, or is kept
    when HEAPLINT_PACKAGING_KEEP is set (to look at the sdist, the wheel and the venvs)."""
    if os.environ.get("HEAPLINT_PACKAGING_KEEP"):
        kept = Path(tempfile.mkdtemp(prefix=prefix))
        print(f"packaging: keeping {kept}", file=sys.stderr)
        return kept
    temporary = tempfile.TemporaryDirectory(prefix=prefix)
    test_class.addClassCleanup(temporary.cleanup)
    return Path(os.path.realpath(temporary.name))


def populate_wheelhouse() -> Path:
    """Downloads the pinned packages into the wheelhouse; without network, an earlier download is
    used as it is."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    stamp = WHEELHOUSE / "requirements.txt"
    if stamp.is_file() and stamp.read_text() == REQUIREMENTS.read_text():
        return WHEELHOUSE
    download = run([sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
                    "--dest", WHEELHOUSE, "-r", REQUIREMENTS], check=False, timeout=900)
    if download.returncode != 0:
        raise unittest.SkipTest("cannot download the pinned packages from PyPI" + describe(download))
    shutil.copyfile(REQUIREMENTS, stamp)
    return WHEELHOUSE


def offline_pip_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """pip (and the isolated build environments it makes) installs only from the wheelhouse,
    at the pinned versions."""
    env = dict(os.environ if base is None else base)
    env.update({
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_CONSTRAINT": str(REQUIREMENTS),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_CACHE_DIR": "1",
    })
    return env


def make_venv(path: Path, *requirements: str | Path, env: dict[str, str] | None = None) -> Path:
    """A fresh virtual environment at `path` with `requirements` installed from the wheelhouse
    (offline_pip_env() unless `env` is given); returns its bin directory."""
    run([sys.executable, "-m", "venv", path], timeout=300)
    if requirements:
        run([path / "bin" / "python", "-m", "pip", "install", "--quiet", *requirements],
            env=env if env is not None else offline_pip_env(), timeout=300)
    return path / "bin"


def copy_source_tree(destination: Path, with_tree_sitter: bool) -> None:
    """The files git knows of (tracked, or new and not ignored), as a fresh clone would have
    them; with the tree-sitter packages from node_modules when asked."""
    listed = run(["git", "-C", SOURCE_DIR, "ls-files", "-z", "--cached", "--others",
                  "--exclude-standard"], timeout=120)
    for relative in filter(None, listed.stdout.split("\0")):
        source = SOURCE_DIR / relative
        if not source.is_file():
            continue  # deleted in the working tree
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    if with_tree_sitter:
        for package in ("tree-sitter", "tree-sitter-python"):
            shutil.copytree(SOURCE_DIR / "node_modules" / package,
                            destination / "node_modules" / package, symlinks=True)


def project_version() -> str:
    import re

    cmake = (SOURCE_DIR / "CMakeLists.txt").read_text()
    match = re.search(r"project\(heaplint VERSION ([0-9.]+)", cmake)
    assert match, "no version in CMakeLists.txt"
    return match.group(1)

def git_env(home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "PRE_COMMIT_HOME": str(home / "pre-commit-cache"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "heaplint tests", "GIT_AUTHOR_EMAIL": "tests@heaplint.invalid",
        "GIT_COMMITTER_NAME": "heaplint tests", "GIT_COMMITTER_EMAIL": "tests@heaplint.invalid",
        "NO_COLOR": "1", "LANG": "C.UTF-8",
    }


def git_commit_all(repository: Path, env: dict[str, str]) -> str:
    run(["git", "init", "-q", repository], env=env, timeout=60)
    run(["git", "-C", repository, "add", "-A"], env=env, timeout=120)
    run(["git", "-C", repository, "commit", "-q", "-m", "snapshot"], env=env, timeout=120)
    return run(["git", "-C", repository, "rev-parse", "HEAD"], env=env, timeout=60).stdout.strip()
