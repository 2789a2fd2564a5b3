#!/usr/bin/env bash
# Installs what heaplint needs and is missing, then configures and builds build/heaplint (Release)
# together with the test binaries. Safe to run again: each step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tools are checked by command, not by package: a machine may carry Node.js and npm from
# NodeSource (whose nodejs package bundles npm and conflicts with Debian's npm package).
declare -A package_for_command=(
  [g++]=g++ [cmake]=cmake [ninja]=ninja-build [node]=nodejs [npm]=npm [python3]=python3 [git]=git
  # The end-to-end tests drive real clients: neovim for the language server, pre-commit for the hook.
  [nvim]=neovim [pre-commit]=pre-commit
  # `cpack -G DEB` computes the package's Depends with dpkg-shlibdeps.
  [dpkg-shlibdeps]=dpkg-dev
)
library_packages=(
  libcli11-dev nlohmann-json3-dev libgtest-dev libgmock-dev libtomlplusplus-dev libdtl-dev
  # The SARIF validator the tests run is a .NET program, which needs ICU.
  libicu72
  # The packaging tests install the wheel and pre-commit into fresh virtual environments.
  python3-venv
  # ctest's sanitizer.suite builds build-sanitize/ with clang's AddressSanitizer,
  # UndefinedBehaviorSanitizer and libFuzzer, and sanitizer.thread build-tsan/ with its
  # ThreadSanitizer (scripts/sanitize.sh); heaplint itself needs neither.
  clang-14 libclang-rt-14-dev
)

missing=()
for command_name in "${!package_for_command[@]}"; do
  command -v "$command_name" >/dev/null 2>&1 || missing+=("${package_for_command[$command_name]}")
done
for package in "${library_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "build.sh: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The tree-sitter runtime and the Python grammar are C sources pinned in package-lock.json.
stamp=node_modules/.heaplint-lock-stamp
if ! [ -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  # npm keeps the archive's file modes only when install scripts run; the SARIF validator
  # (used by the tests) is a native program.
  validator=node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
  [ -f "$validator" ] && chmod +x "$validator"
  cp package-lock.json "$stamp"
fi

build_type=${HEAPLINT_BUILD_TYPE:-Release}
if ! [ -f build/CMakeCache.txt ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
fi
cmake --build build --parallel "$(nproc)"
