// Reading sources and writing them back atomically.
#pragma once

#include <filesystem>
#include <istream>
#include <string>

namespace heaplint::cli {

// Reads a whole file. On failure returns false and sets `error` to a short reason.
bool readFile(const std::filesystem::path& path, std::string& contents, std::string& error);
bool readStream(std::istream& in, std::string& contents);

// Writes through a temporary file in the same directory and renames it over the original, keeping
// the original's permission bits, so a crash never leaves a half-written file.
bool writeFileAtomically(const std::filesystem::path& path, const std::string& contents,
                         std::string& error);

}  // namespace heaplint::cli
