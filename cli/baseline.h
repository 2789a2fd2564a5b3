// Baselines: record today's findings, then report only new ones. A finding is identified by
// findingFingerprints() (path, code, the flagged line without whitespace, occurrence), so moving
// code around keeps it in the baseline while editing the flagged line makes it new again.
#pragma once

#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "cli/report.h"

namespace heaplint::cli {

inline constexpr int kBaselineVersion = 1;

// Writes every finding of `files` to `path` (JSON, atomically). On failure sets `error`.
bool writeBaseline(const std::string& path, std::span<const FileReport> files, std::string& error);

// Reads the fingerprints recorded in a baseline file. On failure sets `error` to one line.
bool readBaseline(const std::string& path, std::unordered_set<std::string>& fingerprints,
                  std::string& error);

// Drops the findings the baseline holds; returns how many were dropped.
size_t removeBaselined(std::vector<FileReport>& files,
                       const std::unordered_set<std::string>& fingerprints);

}  // namespace heaplint::cli
