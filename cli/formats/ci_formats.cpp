#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/fingerprints.h"
#include "cli/formats/formats.h"
#include "cli/output.h"

namespace heaplint::cli {
namespace {

// GitHub workflow commands: the message escapes %, CR and LF; property values also ':' and ','.
std::string escapeCommandData(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escapeCommandProperty(std::string_view text) {
  std::string out;
  for (const char c : escapeCommandData(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escapeXml(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 cannot carry other control characters, not even escaped.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
          out += c;
        }
    }
  }
  return out;
}

// "pkg/mod.py" -> "pkg.mod": JUnit viewers group test cases by class name.
std::string junitClassName(std::string_view path) {
  std::string name(path);
  for (const std::string_view suffix : {".pyi", ".py"}) {
    if (name.ends_with(suffix)) {
      name.resize(name.size() - suffix.size());
      break;
    }
  }
  for (char& c : name) {
    if (c == '/') c = '.';
  }
  return name;
}

}  // namespace

std::string percentEncodePath(std::string_view path) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool keep = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                      (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' ||
                      c == '~' || c == '/';
    if (keep) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xFu];
    }
  }
  return out;
}

void writeJsonLines(std::ostream& out, std::span<const FileReport> files) {
  for (const FileReport& file : files) {
    for (const ReportedDiagnostic& d : file.diagnostics) {
      out << jsonText(diagnosticJson(file, d), -1) << '\n';
    }
  }
}

// GitHub's workflow commands: `col` and `endColumn` are accepted only when `line == endLine`
// (an annotation that breaks this never shows), so a finding that spans lines gives lines only.
// The message starts with `path:row:col:`, as Ruff's does, for the raw log. A notebook's rows
// count within a cell, not in the file GitHub shows: as in Ruff, its annotations point at 1:1,
// and the message names the cell (`nb.ipynb:cell 3:2:5:`).
void writeGithub(std::ostream& out, std::span<const FileReport> files) {
  for (const FileReport& file : files) {
    for (const ReportedDiagnostic& d : file.diagnostics) {
      out << "::warning title=heaplint (" << d.rule->code
          << "),file=" << escapeCommandProperty(file.path);
      if (d.cell != 0) {
        out << ",line=1,col=1,endLine=1,endColumn=1";
      } else if (d.location.row == d.end_location.row) {
        out << ",line=" << d.location.row << ",col=" << d.location.column
            << ",endLine=" << d.end_location.row << ",endColumn=" << d.end_location.column;
      } else {
        out << ",line=" << d.location.row << ",endLine=" << d.end_location.row;
      }
      out << "::" << escapeCommandData(file.path) << ':';
      if (d.cell != 0) out << "cell " << d.cell << ':';
      out << d.location.row << ':' << d.location.column << ": " << d.rule->code << ' '
          << escapeCommandData(d.message) << '\n';
    }
  }
}

void writeGitlab(std::ostream& out, std::span<const FileReport> files) {
  const std::vector<std::vector<std::string>> fingerprints = findingFingerprints(files);
  // GitLab wants paths relative to the project, which is not always where heaplint runs.
  const char* project_directory = std::getenv("CI_PROJECT_DIR");
  const auto projectPath = [&](const std::string& path) {
    if (project_directory == nullptr || project_directory[0] == '\0') return path;
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(path, error);
    const std::filesystem::path relative =
        absolute.lexically_normal().lexically_relative(project_directory);
    return relative.empty() ? path : relative.string();
  };
  nlohmann::json list = nlohmann::json::array();
  for (size_t f = 0; f < files.size(); ++f) {
    const FileReport& file = files[f];
    for (size_t i = 0; i < file.diagnostics.size(); ++i) {
      const ReportedDiagnostic& d = file.diagnostics[i];
      // GitLab shows neither check_name nor the rule: the description carries the code.
      list.push_back({{"check_name", d.rule->code},
                      {"description", std::string(d.rule->code) + ": " + d.message},
                      {"fingerprint", fingerprints[f][i]},
                      {"severity", "major"},
                      {"location",
                       {{"path", projectPath(file.path)},
                        {"lines", {{"begin", d.location.row}, {"end", d.end_location.row}}}}}});
    }
  }
  out << jsonText(list, 2) << '\n';
}

void writeJunit(std::ostream& out, std::span<const FileReport> files) {
  size_t total = 0;
  for (const FileReport& file : files)
    total += file.diagnostics.size();
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"heaplint\" tests=\"" << (total == 0 ? 1 : total) << "\" failures=\""
      << total << "\" errors=\"0\">\n";
  if (total == 0) {
    out << "    <testsuite name=\"heaplint\" tests=\"1\" disabled=\"0\" errors=\"0\" "
           "failures=\"0\" package=\"org.heaplint\">\n"
        << "        <testcase name=\"No findings\"/>\n"
        << "    </testsuite>\n";
  }
  for (const FileReport& file : files) {
    if (file.diagnostics.empty()) continue;
    const size_t count = file.diagnostics.size();
    out << "    <testsuite name=\"" << escapeXml(file.path) << "\" tests=\"" << count
        << "\" disabled=\"0\" errors=\"0\" failures=\"" << count
        << "\" package=\"org.heaplint\">\n";
    const std::string class_name = escapeXml(junitClassName(file.path));
    for (const ReportedDiagnostic& d : file.diagnostics) {
      const std::string message = escapeXml(d.message);
      out << "        <testcase name=\"org.heaplint." << d.rule->code << "\" classname=\""
          << class_name << "\" line=\"" << d.location.row << "\" column=\"" << d.location.column
          << "\">\n";
      out << "            <failure message=\"" << message << "\">line " << d.location.row
          << ", col " << d.location.column << ", " << message << "</failure>\n";
      out << "        </testcase>\n";
    }
    out << "    </testsuite>\n";
  }
  out << "</testsuites>\n";
}

void writePylint(std::ostream& out, std::span<const FileReport> files) {
  for (const FileReport& file : files) {
    for (const ReportedDiagnostic& d : file.diagnostics) {
      out << file.path << ':' << d.location.row << ": [" << d.rule->code << "] " << d.message
          << '\n';
    }
  }
}

}  // namespace heaplint::cli
