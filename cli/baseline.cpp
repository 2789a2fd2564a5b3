#include "cli/baseline.h"

#include <nlohmann/json.hpp>

#include "cli/file_io.h"
#include "cli/fingerprints.h"
#include "cli/output.h"

namespace heaplint::cli {

bool writeBaseline(const std::string& path, std::span<const FileReport> files, std::string& error) {
  const std::vector<std::vector<std::string>> fingerprints = findingFingerprints(files);
  nlohmann::json findings = nlohmann::json::array();
  for (size_t f = 0; f < files.size(); ++f) {
    for (size_t i = 0; i < files[f].diagnostics.size(); ++i) {
      const ReportedDiagnostic& d = files[f].diagnostics[i];
      // Everything but the fingerprint is there for people reading the file.
      findings.push_back({{"fingerprint", fingerprints[f][i]},
                          {"path", files[f].path},
                          {"code", d.rule->code},
                          {"row", d.location.row},
                          {"message", d.message}});
    }
  }
  const nlohmann::json document = {{"heaplint_baseline_version", kBaselineVersion},
                                   {"findings", std::move(findings)}};
  return writeFileAtomically(path, jsonText(document, 2) + "\n", error);
}

bool readBaseline(const std::string& path, std::unordered_set<std::string>& fingerprints,
                  std::string& error) {
  std::string contents;
  if (!readFile(path, contents, error)) return false;
  const nlohmann::json document = nlohmann::json::parse(contents, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    error = "not a heaplint baseline (invalid JSON)";
    return false;
  }
  const auto version = document.find("heaplint_baseline_version");
  if (version == document.end() || !version->is_number_integer()) {
    error = "not a heaplint baseline (no heaplint_baseline_version)";
    return false;
  }
  if (version->get<int>() != kBaselineVersion) {
    error = "unsupported baseline version " + version->dump() + " (this heaplint reads version " +
            std::to_string(kBaselineVersion) + ")";
    return false;
  }
  const auto findings = document.find("findings");
  if (findings == document.end() || !findings->is_array()) {
    error = "not a heaplint baseline (no findings list)";
    return false;
  }
  for (const nlohmann::json& finding : *findings) {
    const auto fingerprint = finding.is_object() ? finding.find("fingerprint") : finding.end();
    if (!finding.is_object() || fingerprint == finding.end() || !fingerprint->is_string()) {
      error = "not a heaplint baseline (a finding has no fingerprint)";
      return false;
    }
    fingerprints.insert(fingerprint->get<std::string>());
  }
  return true;
}

size_t removeBaselined(std::vector<FileReport>& files,
                       const std::unordered_set<std::string>& fingerprints) {
  const std::vector<std::vector<std::string>> keys = findingFingerprints(files);
  size_t removed = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    std::vector<ReportedDiagnostic> kept;
    for (size_t i = 0; i < files[f].diagnostics.size(); ++i) {
      if (fingerprints.contains(keys[f][i])) {
        ++removed;
      } else {
        kept.push_back(std::move(files[f].diagnostics[i]));
      }
    }
    files[f].diagnostics = std::move(kept);
  }
  return removed;
}

}  // namespace heaplint::cli
