// SARIF 2.1.0, shaped for GitHub code scanning: relative URIs against %SRCROOT%, rule metadata
// with the rules' documentation as help, and GitHub's own line fingerprints.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "cli/fingerprints.h"
#include "cli/formats/formats.h"
#include "cli/output.h"
#include "cli/version.h"
#include "rules/registry.h"

namespace heaplint::cli {
namespace {

constexpr std::string_view kSourceRoot = "%SRCROOT%";

std::string trimmed(std::string_view text) {
  const size_t start = text.find_first_not_of(" \n");
  if (start == std::string_view::npos) return {};
  const size_t end = text.find_last_not_of(" \n");
  return std::string(text.substr(start, end - start + 1));
}

nlohmann::json ruleJson(const RuleDefinition& rule) {
  std::string full = trimmed(documentationSection(rule, "What it does"));
  if (full.empty()) full = std::string(rule.summary);
  return {
      {"id", rule.code},
      {"name", rule.name},
      {"shortDescription", {{"text", rule.summary}}},
      {"fullDescription", {{"text", full}}},
      {"help",
       {{"text", std::string(rule.documentation)}, {"markdown", std::string(rule.documentation)}}},
      {"helpUri", ruleUrl(rule)},
      {"defaultConfiguration", {{"level", "warning"}}},
      {"properties", {{"tags", nlohmann::json::array({"memory"})}}}};
}

nlohmann::json artifactLocation(const std::string& path) {
  if (path.starts_with('/')) return {{"uri", "file://" + percentEncodePath(path)}};
  return {{"uri", percentEncodePath(path)}, {"uriBaseId", kSourceRoot}};
}

std::string directoryUri(const std::string& directory) {
  std::string uri = "file://" + percentEncodePath(directory);
  if (!uri.ends_with('/')) uri += '/';
  return uri;
}

nlohmann::json regionJson(const Location& start, const Location& end) {
  return {{"startLine", start.row},
          {"startColumn", start.column},
          {"endLine", end.row},
          {"endColumn", end.column}};
}

// A SARIF fix: the edits as replacements of regions (columns in code points, like the rest).
nlohmann::json fixJson(const std::string& path, const ReportedDiagnostic& d) {
  nlohmann::json replacements = nlohmann::json::array();
  for (const ReportedEdit& edit : d.fix->edits) {
    replacements.push_back({{"deletedRegion", regionJson(edit.location, edit.end_location)},
                            {"insertedContent", {{"text", edit.content}}}});
  }
  nlohmann::json change = nlohmann::json::object();
  change["artifactLocation"] = artifactLocation(path);
  change["replacements"] = std::move(replacements);
  nlohmann::json fix = nlohmann::json::object();
  fix["description"] = {{"text", d.fix_title.empty() ? std::string("Apply the fix") : d.fix_title}};
  fix["artifactChanges"] = nlohmann::json::array({std::move(change)});
  return fix;
}

}  // namespace

void writeSarif(std::ostream& out, std::span<const FileReport> files,
                const std::string& source_root, const SourceLookup& lookup,
                const OutputStyle& style) {
  const RuleTable rules = allRules();
  nlohmann::json rule_list = nlohmann::json::array();
  for (const RuleDefinition* rule : rules)
    rule_list.push_back(ruleJson(*rule));

  nlohmann::json results = nlohmann::json::array();
  for (const FileReport& file : files) {
    if (file.diagnostics.empty()) continue;
    std::unordered_map<uint32_t, std::string> line_hashes;
    if (const std::optional<std::string> text = lookup(file)) {
      std::vector<uint32_t> rows;
      rows.reserve(file.diagnostics.size());
      for (const ReportedDiagnostic& d : file.diagnostics)
        rows.push_back(d.location.row);
      line_hashes = lineHashes(*text, rows);
    }
    for (const ReportedDiagnostic& d : file.diagnostics) {
      const auto rule_index =
          static_cast<size_t>(std::find(rules.begin(), rules.end(), d.rule) - rules.begin());
      nlohmann::json region = regionJson(d.location, d.end_location);
      nlohmann::json physical = nlohmann::json::object();
      physical["artifactLocation"] = artifactLocation(file.path);
      physical["region"] = std::move(region);
      nlohmann::json location = nlohmann::json::object();
      location["physicalLocation"] = std::move(physical);
      nlohmann::json result = nlohmann::json::object();
      result["ruleId"] = d.rule->code;
      result["ruleIndex"] = rule_index;
      result["level"] = "warning";
      result["message"] = {{"text", d.message}};
      result["locations"] = nlohmann::json::array({std::move(location)});
      const auto hash = line_hashes.find(d.location.row);
      if (hash != line_hashes.end()) {
        result["partialFingerprints"] = {{"primaryLocationLineHash", hash->second}};
      }
      if (isApplicable(d, style)) result["fixes"] = nlohmann::json::array({fixJson(file.path, d)});
      results.push_back(std::move(result));
    }
  }

  // Files that could not be read and files checked only in part show in the run's invocation.
  nlohmann::json notifications = nlohmann::json::array();
  bool successful = true;
  for (const FileReport& file : files) {
    if (file.error) {
      successful = false;
      notifications.push_back({{"level", "error"}, {"message", {{"text", *file.error}}}});
    }
    for (const std::string& warning : file.warnings) {
      notifications.push_back({{"level", "warning"}, {"message", {{"text", warning}}}});
    }
  }
  nlohmann::json invocation = nlohmann::json::object();
  invocation["executionSuccessful"] = successful;
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = std::move(notifications);

  nlohmann::json run = {
      {"tool",
       {{"driver",
         {{"name", "heaplint"},
          {"version", heaplintVersion()},
          {"semanticVersion", heaplintVersion()},
          {"informationUri", "https://github.com/heaplint/heaplint"},
          {"rules", std::move(rule_list)}}}}},
      // Columns count Unicode code points, as in every other heaplint format.
      {"columnKind", "unicodeCodePoints"},
      {"originalUriBaseIds", {{kSourceRoot, {{"uri", directoryUri(source_root)}}}}},
      {"invocations", nlohmann::json::array({std::move(invocation)})},
      {"results", std::move(results)}};
  const nlohmann::json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                              {"version", "2.1.0"},
                              {"runs", nlohmann::json::array({std::move(run)})}};
  out << jsonText(log, 2) << '\n';
}

}  // namespace heaplint::cli
