// The machine-readable report formats for CI systems: JSON Lines, SARIF, GitHub workflow
// commands, GitLab Code Quality, JUnit XML and pylint's text format.
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "cli/output.h"
#include "cli/report.h"

namespace heaplint::cli {

// The text of a reported file, for formats that fingerprint lines (SARIF); nullopt when unknown.
using SourceLookup = std::function<std::optional<std::string>(const FileReport&)>;

void writeJsonLines(std::ostream& out, std::span<const FileReport> files);
// `source_root` is the absolute directory that report paths are relative to. Fixes are included
// when applicable under `style` (safe ones; unsafe ones too with --unsafe-fixes).
void writeSarif(std::ostream& out, std::span<const FileReport> files,
                const std::string& source_root, const SourceLookup& lookup,
                const OutputStyle& style);
void writeGithub(std::ostream& out, std::span<const FileReport> files);
void writeGitlab(std::ostream& out, std::span<const FileReport> files);
void writeJunit(std::ostream& out, std::span<const FileReport> files);
void writePylint(std::ostream& out, std::span<const FileReport> files);

// Writes the findings in `format` (any but the statistics view).
void writeReport(std::ostream& out, std::span<const FileReport> files, OutputFormat format,
                 const OutputStyle& style, const SourceLookup& lookup);
// Formats read by people get the summary line; machine-readable ones stay parseable.
bool isHumanFormat(OutputFormat format);

// "%XX"-escapes what a URI path may not hold as it is (RFC 3986 unreserved characters and '/'
// stay).
std::string percentEncodePath(std::string_view path);

}  // namespace heaplint::cli
