"""heaplint: a linter for memory antipatterns in Python code.

The package holds no Python implementation: `pip install heaplint` puts the native `heaplint`
binary among the environment's scripts (on PATH when the environment is active).
`find_heaplint_bin()` gives its path to tools that want to run it, and `python -m heaplint`
runs it.
"""

from __future__ import annotations

import os
import sys
import sysconfig

__all__ = ["find_heaplint_bin"]

_BINARY = "heaplint" + (sysconfig.get_config_var("EXE") or "")


def _scripts_directories() -> list[str]:
    """Where an installer may have put the binary, most likely first."""
    directories = [sysconfig.get_path("scripts")]
    # `pip install --user`: the user scheme's scripts directory.
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and sys._framework:  # type: ignore[attr-defined]
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    directories.append(sysconfig.get_path("scripts", scheme=user_scheme))
    # `pip install --target DIR` and `--prefix DIR`: the scripts sit in DIR/bin, above the package.
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    directories.append(os.path.join(package_parent, "bin"))
    directories.append(os.path.join(package_parent, "Scripts"))
    return directories


def find_heaplint_bin() -> str:
    """Return the path of the `heaplint` binary installed with this package.

    Raises FileNotFoundError when it is in none of the places an installer puts scripts.
    """
    searched = []
    for directory in _scripts_directories():
        if not directory or directory in searched:
            continue
        searched.append(directory)
        candidate = os.path.join(directory, _BINARY)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError(
        f"the {_BINARY} binary of the heaplint package is not in any of: {', '.join(searched)}"
    )
