// Stable fingerprints of findings: GitHub's line hash for SARIF, and a line-move-robust identity
// used by the baseline and the GitLab report.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cli/report.h"

namespace heaplint::cli {

// GitHub's `primaryLocationLineHash` ("hash:count") of every 1-based line in `wanted_rows`,
// computed as github/codeql-action (src/fingerprints.ts) does when it uploads SARIF: a rolling
// hash over the first 100 non-blank UTF-16 code units from the start of each line, with line
// endings normalised, and a count that tells identical hashes apart.
std::unordered_map<uint32_t, std::string> lineHashes(std::string_view text,
                                                     std::span<const uint32_t> wanted_rows);

// A 64-bit hash that never changes between builds or platforms, as 16 hex digits.
std::string stableHash(std::string_view data);

// Fingerprints of every finding of the reports, in report order: a hash of the path, the rule
// code, the finding's line with all whitespace removed, and how many identical (path, code,
// line) triples came before it. Moving code up or down keeps the fingerprint; editing the
// flagged line or renaming the file changes it.
std::vector<std::vector<std::string>> findingFingerprints(std::span<const FileReport> files);

}  // namespace heaplint::cli
