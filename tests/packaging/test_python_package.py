"""The Python package end to end: make the sdist from a copy of the source tree, build a wheel
from it on a machine made clean (no Node.js, no network, no CMake or Ninja of the system, no
Debian header libraries), install the wheel in a fresh venv, and run `heaplint check`,
`python -m heaplint check`, `heaplint.find_heaplint_bin()` and the language server from it. Then
check that the binary needs nothing but the C library: its dynamic dependencies, a run in a root
holding only the binary and the C library, and auditwheel's manylinux verdict. Last, the pre-commit
mirror template (integrations/) installs the wheel as `heaplint==VERSION` and runs it.

The clean machine is a mount and network namespace (`unshare`, root only) that hides those files;
pip installs the pinned build tools (requirements.txt) from a local wheelhouse with --no-index.
Every step's time is printed to stderr."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import unittest
import zipfile
from pathlib import Path

from packaging_support import (CLEAN_SOURCE, ONE_FINDING, SOURCE_DIR, Timer,
                               class_temporary_directory, copy_source_tree, git_commit_all, git_env,
                               make_venv, offline_pip_env, populate_wheelhouse, project_version,
                               run)

from lsp_client import LspClient

# What a machine with no Debian packages beyond a compiler lacks: every copy of these is hidden.
HIDDEN_COMMANDS = ("node", "nodejs", "npm", "npx", "cmake", "ninja")
HIDDEN_DIRECTORIES = (
    "/usr/include/CLI", "/usr/include/nlohmann", "/usr/include/toml++",
    "/usr/share/cmake/CLI11", "/usr/share/cmake/nlohmann_json",
    "/usr/lib/x86_64-linux-gnu/cmake/tomlplusplus", "/usr/lib/aarch64-linux-gnu/cmake/tomlplusplus",
)
# The only libraries a manylinux binary may take from the system here.
LIBC_FAMILY = re.compile(r"^(linux-vdso\.so\.1|linux-gate\.so\.1|libc\.so\.6|libm\.so\.6|"
                         r"libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|ld-linux[-\w.]*\.so\.\d)$")


def hidden_paths() -> list[str]:
    paths: set[str] = set()
    search = os.environ.get("PATH", "") + os.pathsep + "/usr/bin:/bin:/usr/local/bin"
    for name in HIDDEN_COMMANDS:
        for directory in search.split(os.pathsep):
            candidate = Path(directory or ".") / name
            if candidate.exists():
                paths.add(os.path.realpath(candidate))
                paths.add(str(candidate))
    paths.update(d for d in HIDDEN_DIRECTORIES if os.path.isdir(d))
    return sorted(paths)


def can_isolate() -> bool:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--mount", "--net", "true"], capture_output=True)
    return probe.returncode == 0


def isolated(command: list[str]) -> list[str]:
    """`command` in a new mount and network namespace where hidden_paths() are empty."""
    script = (
        'for p in $HEAPLINT_HIDE; do '
        'if [ -d "$p" ]; then mount -t tmpfs -o ro,size=4k tmpfs "$p"; '
        'elif [ -e "$p" ]; then mount --bind /dev/null "$p"; fi; done; '
        'if command -v node || command -v npm || command -v cmake; then '
        'echo "isolation failed: a hidden command is still there" >&2; exit 97; fi; '
        'exec "$@"'
    )
    return ["env", "HEAPLINT_HIDE=" + " ".join(hidden_paths()), "unshare", "--mount", "--net",
            "--", "sh", "-c", script, "isolated", *map(str, command)]


@unittest.skipUnless((SOURCE_DIR / ".git").exists(), "needs the git checkout (git ls-files)")
@unittest.skipUnless((SOURCE_DIR / "node_modules" / "tree-sitter-python" / "src").is_dir(),
                     "needs node_modules (scripts/build.sh runs npm ci) to make the sdist")
@unittest.skipUnless(can_isolate(), "needs root and unshare to hide Node.js, the network and the "
                                    "system's CMake and header libraries")
class PythonPackageTest(unittest.TestCase):
    timer: Timer
    root: Path
    sdist: Path
    wheel: Path
    venv: Path

    @classmethod
    def setUpClass(cls) -> None:
        cls.root = class_temporary_directory(cls, "heaplint-python-package-")
        cls.timer = Timer()
        populate_wheelhouse()
        env = offline_pip_env()

        # The sdist, made with `python -m build` in its own isolated environment. CMake copies the
        # third-party sources into the tree it configures, so that is a copy.
        source = cls.root / "source"
        copy_source_tree(source, with_tree_sitter=True)
        tools = make_venv(cls.root / "tools", "build", env=env)
        dist = cls.root / "dist"
        cls.timer.run("sdist", [tools / "python", "-m", "build", "--sdist", "--outdir",
                                dist, source], env=env)
        (cls.sdist,) = dist.glob("heaplint-*.tar.gz")

        # The wheel, built from the sdist alone on the clean machine: the CMake and Ninja come from
        # the wheelhouse as pip's build requirements.
        wheels = cls.root / "wheels"
        cls.timer.run("wheel from the sdist (no node, no network)",
                      isolated([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir",
                                wheels, cls.sdist]), env=env)
        (cls.wheel,) = wheels.glob("heaplint-*.whl")

        cls.venv = cls.root / "venv"
        with cls.timer.step("fresh venv + install the wheel"):
            make_venv(cls.venv, cls.wheel, env=env)
        cls.sample = cls.root / "sample.py"
        cls.sample.write_text(ONE_FINDING)
        total = sum(seconds for _, seconds in cls.timer.steps)
        print(f"packaging: sdist -> wheel -> venv: {total:.1f} s", file=sys.stderr, flush=True)

    def assertOneFinding(self, completed: subprocess.CompletedProcess) -> None:
        self.assertEqual(completed.returncode, 1, completed.stdout + completed.stderr)
        self.assertIn("sample.py:2:13: MEM101", completed.stdout)

    def test_sdist_is_self_contained(self):
        with tarfile.open(self.sdist) as archive:
            names = set(archive.getnames())
        prefix = f"heaplint-{project_version()}/"
        for path in ("pyproject.toml", "CMakeLists.txt", "package-lock.json",
                     "third_party/tree-sitter/vendor/tree-sitter/lib/src/lib.c",
                     "third_party/tree-sitter/LICENSE",
                     "third_party/tree-sitter-python/src/parser.c",
                     "third_party/tree-sitter-python/src/scanner.c",
                     "third_party/tree-sitter-python/LICENSE",
                     "third_party/include/CLI/CLI.hpp", "third_party/licenses/CLI11.txt",
                     "third_party/include/nlohmann/json.hpp",
                     "third_party/licenses/nlohmann_json.txt",
                     "third_party/include/toml++/toml.h", "third_party/licenses/tomlplusplus.txt"):
            self.assertIn(prefix + path, names)
        self.assertFalse([n for n in names if "/node_modules/" in n or "/build/" in n])

    def test_wheel_holds_the_binary_as_a_script_and_no_python_specific_code(self):
        version = project_version()
        self.assertRegex(self.wheel.name, rf"^heaplint-{re.escape(version)}-py3-none-linux_\w+\.whl$")
        with zipfile.ZipFile(self.wheel) as archive:
            names = archive.namelist()
        self.assertIn(f"heaplint-{version}.data/scripts/heaplint", names)
        self.assertIn("heaplint/__init__.py", names)
        self.assertIn("heaplint/__main__.py", names)

    def test_heaplint_on_path_and_python_dash_m_check_a_file(self):
        bin_dir = self.venv / "bin"
        env = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin:/bin", "HOME": str(self.root)}
        self.assertEqual(shutil.which("heaplint", path=env["PATH"]), str(bin_dir / "heaplint"))
        self.assertOneFinding(run(["heaplint", "check", "--isolated", "--no-cache", self.sample],
                                  env=env, check=False, timeout=60))
        self.assertOneFinding(run([bin_dir / "python", "-m", "heaplint", "check", "--isolated",
                                   "--no-cache", self.sample], env=env, check=False, timeout=60))
        clean = self.root / "clean.py"
        clean.write_text(CLEAN_SOURCE)
        quiet = run([bin_dir / "python", "-m", "heaplint", "check", "--isolated", "--no-cache",
                     clean], env=env, check=False, timeout=60)
        self.assertEqual(quiet.returncode, 0, quiet.stdout + quiet.stderr)

    def test_versions_agree(self):
        python = self.venv / "bin" / "python"
        version = project_version()
        printed = run([self.venv / "bin" / "heaplint", "--version"], timeout=60).stdout.strip()
        self.assertEqual(printed, f"heaplint {version}")
        metadata = run([python, "-c", "import importlib.metadata as m; print(m.version('heaplint'))"],
                       timeout=60).stdout.strip()
        self.assertEqual(metadata, version)

    def test_find_heaplint_bin(self):
        found = run([self.venv / "bin" / "python", "-c",
                     "import heaplint; print(heaplint.find_heaplint_bin())"], timeout=60)
        self.assertEqual(found.stdout.strip(), str(self.venv / "bin" / "heaplint"))

    def test_language_server_initialize_round_trip(self):
        client = LspClient([str(self.venv / "bin" / "heaplint"), "server", "--stdio"])
        try:
            response = client.request("initialize", {"processId": None, "rootUri": None,
                                                     "capabilities": {}})
            self.assertEqual(response["result"]["serverInfo"],
                             {"name": "heaplint", "version": project_version()})
            client.notify("initialized", {})
            self.assertEqual(client.shutdown_and_exit(), 0)
        finally:
            client.close()

    def test_binary_needs_only_the_c_library(self):
        binary = self.venv / "bin" / "heaplint"
        if shutil.which("ldd"):
            libraries = []
            for line in run(["ldd", binary], timeout=60).stdout.splitlines():
                name = line.split()[0]
                libraries.append(os.path.basename(name))
            self.assertTrue(libraries)
            self.assertEqual([name for name in libraries if not LIBC_FAMILY.match(name)], [],
                             f"ldd {binary}: {libraries}")
            # A root holding the binary and the C library only: no libstdc++, no libtomlplusplus.
            root = self.root / "libc-only-root"
            for line in run(["ldd", binary], timeout=60).stdout.splitlines():
                path = next((part for part in line.split() if part.startswith("/")), None)
                if path:
                    target = root / path.lstrip("/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target)
            shutil.copy2(binary, root / "heaplint")
            (root / "sample.py").write_text(ONE_FINDING)
            chroot = shutil.which("chroot") or shutil.which("chroot", path="/usr/sbin:/sbin")
            self.assertIsNotNone(chroot, "chroot (coreutils) is missing")
            in_root = run([chroot, root, "/heaplint", "check", "--isolated", "--no-cache",
                           "/sample.py"], env={"PATH": "/", "LD_LIBRARY_PATH": ""}, check=False,
                          timeout=60)
            self.assertEqual(in_root.returncode, 1, in_root.stdout + in_root.stderr)
            self.assertIn("sample.py:2:13: MEM101", in_root.stdout)
        auditwheel = make_venv(self.root / "auditwheel", "auditwheel") / "auditwheel"
        shown = run([auditwheel, "show", self.wheel], timeout=120)
        verdict = " ".join(shown.stdout.split())
        print(f"packaging: auditwheel show: {verdict}", file=sys.stderr)
        self.assertRegex(verdict, r'is consistent with the following platform tag: "manylinux_2_\d+_')
        self.assertNotIn("libstdc++", verdict)

    def test_pre_commit_mirror_installs_the_wheel_from_the_index(self):
        """integrations/heaplint-pre-commit with this version filled in: pre-commit installs
        heaplint==VERSION into the hook's environment from the index (here the wheelhouse plus
        the wheel just built), with no heaplint on PATH and no compiler needed."""
        mirror = self.root / "mirror"
        run([sys.executable, SOURCE_DIR / "scripts" / "make_pre_commit_mirror.py", mirror],
            timeout=60)
        self.assertIn(f'"heaplint=={project_version()}"', (mirror / "pyproject.toml").read_text())
        env = offline_pip_env()
        env["PIP_FIND_LINKS"] = f"{env['PIP_FIND_LINKS']} {self.wheel.parent}"
        pre_commit_bin = make_venv(self.root / "pre-commit", "pre-commit", env=env)
        env.update(git_env(self.root / "mirror-home"))
        env["PATH"] = f"{pre_commit_bin}{os.pathsep}/usr/bin:/bin"
        self.assertIsNone(shutil.which("heaplint", path=env["PATH"]))
        git_commit_all(mirror, env)
        project = self.root / "mirror-project"
        project.mkdir()
        run(["git", "init", "-q", project], env=env, timeout=60)
        (project / "bad.py").write_text(ONE_FINDING)
        run(["git", "-C", project, "add", "."], env=env, timeout=60)
        result = run([pre_commit_bin / "pre-commit", "try-repo", mirror, "heaplint",
                      "--all-files"], cwd=project, env=env, check=False, timeout=900)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("bad.py:2:13: MEM101", result.stdout)



if __name__ == "__main__":
    unittest.main()
