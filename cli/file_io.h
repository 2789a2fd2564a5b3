// Reading sources and writing them back atomically.
#pragma once

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>

#include "analyzer/source_text_encoding.h"

namespace heaplint::cli {

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

}  // namespace heaplint::cli
