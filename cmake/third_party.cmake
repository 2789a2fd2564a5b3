# Where the third-party sources come from. None of them is committed.
#
# The tree-sitter runtime and the Python grammar (C sources pinned in package-lock.json), first
# found of:
#   1. third_party/ in the source tree: an sdist carries them there (copied when it was made, see
#      heaplint_copy_sources_into_sdist below), so building an sdist needs no Node.js and no network;
#   2. node_modules/ after `npm ci --ignore-scripts` (scripts/build.sh);
#   3. the npm registry: the exact tarballs package-lock.json names, checked against its integrity
#      hashes. This is what `pip install` from a git checkout (pre-commit's `language: python`) uses.
#
# The header-only C++ libraries (CLI11, nlohmann/json, toml++): third_party/include in an sdist,
# else the system's packages through find_package. HEAPLINT_PORTABLE compiles toml++ in (its
# header-only mode) instead of linking Debian's libtomlplusplus.

set(HEAPLINT_NPM_REGISTRY "$ENV{npm_config_registry}" CACHE STRING
    "npm registry that tree-sitter's tarballs are fetched from when node_modules/ is missing")
if(NOT HEAPLINT_NPM_REGISTRY)
  set(HEAPLINT_NPM_REGISTRY "https://registry.npmjs.org")
endif()
string(REGEX REPLACE "/+$" "" HEAPLINT_NPM_REGISTRY "${HEAPLINT_NPM_REGISTRY}")

set(HEAPLINT_THIRD_PARTY_DIR ${CMAKE_SOURCE_DIR}/third_party)
file(READ ${CMAKE_SOURCE_DIR}/package-lock.json heaplint_package_lock)
string(SHA256 heaplint_package_lock_hash "${heaplint_package_lock}")

# npm's integrity strings are "sha512-<base64>"; CMake checks hashes in hexadecimal.
function(heaplint_base64_to_hex base64 out_var)
  set(alphabet "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
  set(hex_digits "0123456789abcdef")
  string(REGEX REPLACE "=+$" "" base64 "${base64}")
  string(LENGTH "${base64}" length)
  set(hex "")
  set(bits 0)
  set(bit_count 0)
  math(EXPR last "${length} - 1")
  foreach(i RANGE ${last})
    string(SUBSTRING "${base64}" ${i} 1 character)
    string(FIND "${alphabet}" "${character}" value)
    if(value LESS 0)
      message(FATAL_ERROR "not base64: ${base64}")
    endif()
    math(EXPR bits "((${bits} << 6) | ${value}) & 4095")
    math(EXPR bit_count "${bit_count} + 6")
    if(bit_count GREATER_EQUAL 8)
      math(EXPR bit_count "${bit_count} - 8")
      math(EXPR byte "(${bits} >> ${bit_count}) & 255")
      math(EXPR high "${byte} >> 4")
      math(EXPR low "${byte} & 15")
      string(SUBSTRING "${hex_digits}" ${high} 1 high_digit)
      string(SUBSTRING "${hex_digits}" ${low} 1 low_digit)
      string(APPEND hex "${high_digit}${low_digit}")
    endif()
  endforeach()
  set(${out_var} "${hex}" PARENT_SCOPE)
endfunction()

# Downloads and unpacks the npm package `name` at the version and integrity that package-lock.json
# records; sets `out_var` to the unpacked package directory.
function(heaplint_fetch_npm_package name out_var)
  string(JSON version GET "${heaplint_package_lock}" packages "node_modules/${name}" version)
  string(JSON integrity GET "${heaplint_package_lock}" packages "node_modules/${name}" integrity)
  if(NOT integrity MATCHES "^sha512-(.+)$")
    message(FATAL_ERROR "package-lock.json: ${name} has no sha512 integrity hash")
  endif()
  heaplint_base64_to_hex("${CMAKE_MATCH_1}" sha512)
  set(tarball ${CMAKE_BINARY_DIR}/_deps/${name}-${version}.tgz)
  set(unpacked ${CMAKE_BINARY_DIR}/_deps/${name}-${version})
  if(NOT EXISTS ${unpacked}/package/package.json)
    set(url "${HEAPLINT_NPM_REGISTRY}/${name}/-/${name}-${version}.tgz")
    message(STATUS "heaplint: fetching ${url}")
    file(DOWNLOAD "${url}" ${tarball} EXPECTED_HASH SHA512=${sha512} TLS_VERIFY ON STATUS status)
    list(GET status 0 code)
    if(NOT code EQUAL 0)
      list(GET status 1 reason)
      message(FATAL_ERROR "heaplint: could not fetch ${url}: ${reason}. The tree-sitter sources "
                          "come from the npm registry when node_modules/ is missing: run `npm ci "
                          "--ignore-scripts`, or set HEAPLINT_NPM_REGISTRY (or npm_config_registry) "
                          "to a mirror.")
    endif()
    file(REMOVE_RECURSE ${unpacked})
    file(ARCHIVE_EXTRACT INPUT ${tarball} DESTINATION ${unpacked})
    file(REMOVE ${tarball})
  endif()
  set(${out_var} ${unpacked}/package PARENT_SCOPE)
endfunction()

# The tree-sitter sources.
set(heaplint_sdist_stamp ${HEAPLINT_THIRD_PARTY_DIR}/package-lock.sha256)
set(heaplint_sdist_sources FALSE)
# Only an sdist (which has PKG-INFO) builds from third_party/: in a checkout it is what the last
# `python -m build --sdist` left behind.
if(EXISTS ${heaplint_sdist_stamp} AND EXISTS ${CMAKE_SOURCE_DIR}/PKG-INFO)
  file(READ ${heaplint_sdist_stamp} stamp)
  string(STRIP "${stamp}" stamp)
  # Sources copied for another package-lock.json are not used.
  if(stamp STREQUAL heaplint_package_lock_hash)
    set(heaplint_sdist_sources TRUE)
  endif()
endif()
if(heaplint_sdist_sources)
  set(TREE_SITTER_PACKAGE ${HEAPLINT_THIRD_PARTY_DIR}/tree-sitter)
  set(TREE_SITTER_PYTHON_PACKAGE ${HEAPLINT_THIRD_PARTY_DIR}/tree-sitter-python)
  message(STATUS "heaplint: tree-sitter sources from third_party/ (an sdist)")
elseif(EXISTS ${CMAKE_SOURCE_DIR}/node_modules/tree-sitter-python/src/parser.c
       AND EXISTS ${CMAKE_SOURCE_DIR}/node_modules/tree-sitter/vendor/tree-sitter/lib/src/lib.c)
  set(TREE_SITTER_PACKAGE ${CMAKE_SOURCE_DIR}/node_modules/tree-sitter)
  set(TREE_SITTER_PYTHON_PACKAGE ${CMAKE_SOURCE_DIR}/node_modules/tree-sitter-python)
else()
  heaplint_fetch_npm_package(tree-sitter TREE_SITTER_PACKAGE)
  heaplint_fetch_npm_package(tree-sitter-python TREE_SITTER_PYTHON_PACKAGE)
endif()
set(TREE_SITTER_DIR ${TREE_SITTER_PACKAGE}/vendor/tree-sitter/lib)
set(TREE_SITTER_PYTHON_DIR ${TREE_SITTER_PYTHON_PACKAGE}/src)

# The header-only C++ libraries. Each found_* variable names the directory holding the library's
# top include folder (CLI/, nlohmann/, toml++/), for the sdist copy.
if(heaplint_sdist_sources)
  set(third_party_include ${HEAPLINT_THIRD_PARTY_DIR}/include)
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 SYSTEM INTERFACE ${third_party_include})
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  target_include_directories(nlohmann_json::nlohmann_json SYSTEM INTERFACE ${third_party_include})
  add_library(heaplint_toml INTERFACE)
  target_include_directories(heaplint_toml SYSTEM INTERFACE ${third_party_include})
  target_compile_definitions(heaplint_toml INTERFACE TOML_HEADER_ONLY=1)
else()
  find_package(CLI11 CONFIG REQUIRED)
  find_package(nlohmann_json 3.10 CONFIG REQUIRED)
  # toml++ reads configuration files: a complete TOML 1.0 parser that reports line and column for
  # every value, which configuration errors quote.
  find_package(tomlplusplus 3 REQUIRED)
  add_library(heaplint_toml INTERFACE)
  if(HEAPLINT_PORTABLE)
    # Its headers carry the implementation too: compiled in, the binary needs no libtomlplusplus.
    get_target_property(toml_includes tomlplusplus::tomlplusplus INTERFACE_INCLUDE_DIRECTORIES)
    target_include_directories(heaplint_toml SYSTEM INTERFACE ${toml_includes})
    target_compile_definitions(heaplint_toml INTERFACE TOML_HEADER_ONLY=1)
  else()
    target_link_libraries(heaplint_toml INTERFACE tomlplusplus::tomlplusplus)
  endif()
endif()

# Run by scikit-build-core before it makes an sdist (sdist.cmake in pyproject.toml): copies every
# third-party source the build needs, with its licence, into third_party/, which the sdist then
# includes (sdist.include) while .gitignore keeps it out of the repository.
function(heaplint_copy_sources_into_sdist)
  if(heaplint_sdist_sources)
    return()  # an sdist made from an sdist: the sources are already in place
  endif()
  set(out ${HEAPLINT_THIRD_PARTY_DIR})
  file(REMOVE_RECURSE ${out})
  file(COPY ${TREE_SITTER_DIR}/include ${TREE_SITTER_DIR}/src
       DESTINATION ${out}/tree-sitter/vendor/tree-sitter/lib)
  file(COPY ${TREE_SITTER_PACKAGE}/LICENSE ${TREE_SITTER_PACKAGE}/package.json
       DESTINATION ${out}/tree-sitter)
  file(COPY ${TREE_SITTER_PYTHON_DIR}/parser.c ${TREE_SITTER_PYTHON_DIR}/scanner.c
            ${TREE_SITTER_PYTHON_DIR}/tree_sitter
       DESTINATION ${out}/tree-sitter-python/src)
  file(COPY ${TREE_SITTER_PYTHON_PACKAGE}/LICENSE ${TREE_SITTER_PYTHON_PACKAGE}/package.json
       DESTINATION ${out}/tree-sitter-python)

  # CMake target | its include folder | a header there | the Debian package whose copyright file
  # holds its licence
  foreach(library "CLI11|CLI|CLI/CLI.hpp|libcli11-dev"
                  "nlohmann_json|nlohmann|nlohmann/json.hpp|nlohmann-json3-dev"
                  "tomlplusplus|toml++|toml++/toml.h|libtomlplusplus-dev")
    string(REPLACE "|" ";" fields "${library}")
    list(GET fields 0 key)
    list(GET fields 1 folder)
    list(GET fields 2 header)
    list(GET fields 3 debian_package)
    set(target ${key}::${key})
    get_target_property(includes ${target} INTERFACE_INCLUDE_DIRECTORIES)
    unset(include_dir)
    foreach(candidate ${includes})
      if(EXISTS ${candidate}/${header})
        set(include_dir ${candidate})
        break()
      endif()
    endforeach()
    if(NOT include_dir)
      message(FATAL_ERROR "heaplint sdist: ${header} not found in ${target}'s include directories")
    endif()
    file(COPY ${include_dir}/${folder} DESTINATION ${out}/include)
    # The licence: HEAPLINT_LICENSE_<key> names its file, else Debian's copyright file.
    set(licence "${HEAPLINT_LICENSE_${key}}")
    if(NOT licence)
      set(licence /usr/share/doc/${debian_package}/copyright)
    endif()
    if(NOT EXISTS ${licence})
      message(FATAL_ERROR "heaplint sdist: no licence for ${folder}: set HEAPLINT_LICENSE_${key} "
                          "to its LICENSE file")
    endif()
    configure_file(${licence} ${out}/licenses/${key}.txt COPYONLY)
  endforeach()
  file(WRITE ${out}/README.md
       "Third-party sources copied here when this sdist was made (cmake/third_party.cmake): the "
       "tree-sitter runtime and the Python grammar at the versions package-lock.json pins, and "
       "the headers of CLI11, nlohmann/json and toml++. Their licences are beside them "
       "(tree-sitter*/LICENSE, licenses/).\n")
  file(WRITE ${heaplint_sdist_stamp} "${heaplint_package_lock_hash}\n")
  message(STATUS "heaplint: third-party sources copied into ${out} for the sdist")
endfunction()
