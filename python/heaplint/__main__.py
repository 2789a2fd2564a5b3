"""`python -m heaplint ARGS`: runs the heaplint binary with ARGS and exits with its status."""

from __future__ import annotations

import os
import subprocess
import sys

from heaplint import find_heaplint_bin


def main() -> int:
    try:
        binary = find_heaplint_bin()
    except FileNotFoundError as error:
        print(f"heaplint: error: {error}", file=sys.stderr)
        return 2
    if sys.platform == "win32":
        # No exec on Windows: run it and pass its status on.
        try:
            return subprocess.call([binary, *sys.argv[1:]])
        except KeyboardInterrupt:
            return 130
    os.execv(binary, [binary, *sys.argv[1:]])
    return 2  # not reached: execv replaces the process or raises


if __name__ == "__main__":
    sys.exit(main())
