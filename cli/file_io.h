// Reading sources and writing them back atomically.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/source_text_encoding.h"

namespace heaplint::cli {

// Files larger than this are skipped with a warning, unless --max-file-size (or
// HEAPLINT_MAX_FILE_SIZE) says otherwise: analysing a 100 MB file would take minutes and
// gigabytes, and no hand-written Python file comes near 10 MiB.
inline constexpr uint64_t kDefaultMaxFileSize = uint64_t{10} << 20;

// A size as --max-file-size and HEAPLINT_MAX_FILE_SIZE write it: bytes, or with a suffix K, M or
// G (KiB, MiB, GiB); 0 means no limit. nullopt when it is not a size.
std::optional<uint64_t> parseFileSize(std::string_view text);
// The limit HEAPLINT_MAX_FILE_SIZE sets, else the default: what the language server applies
// (`heaplint check` reads the variable as the default of --max-file-size).
uint64_t maxFileSizeFromEnvironment();
// Whether a text of `size` bytes is over that limit (read once): the language server's test, as
// a 100 MB document would take minutes and gigabytes a parse.
bool isOverSizeLimitFromEnvironment(uint64_t size);

// "1.5 MiB", for messages.
std::string formatSize(uint64_t bytes);

// Reads a whole file. On failure returns false and sets `error` to a short reason.
bool readFile(const std::filesystem::path& path, std::string& contents, std::string& error);
bool readStream(std::istream& in, std::string& contents);

// Reads a Python source and decodes it as its coding cookie says (PEP 263).
bool readSource(const std::filesystem::path& path, DecodedSource& source, std::string& error);

// Writes UTF-8 `text` back in the file's own encoding (iconv's name; empty: UTF-8), atomically.
// Fails without touching the file when a character has no encoding in it.
bool writeSource(const std::filesystem::path& path, std::string_view text,
                 std::string_view encoding, std::string& error);

// Writes through a temporary file in the same directory and renames it over the original, keeping
// the original's permission bits, so a crash never leaves a half-written file.
bool writeFileAtomically(const std::filesystem::path& path, const std::string& contents,
                         std::string& error);

// Whether `path` is a temporary file that writeFileAtomically() left behind (`x.heaplint-AbC123`:
// a process killed between naming it and renaming it) and that is older than `age`, so no
// running heaplint is about to rename it.
bool isStaleTemporary(const std::filesystem::path& path, std::chrono::seconds age);

}  // namespace heaplint::cli
