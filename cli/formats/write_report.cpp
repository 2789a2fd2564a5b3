#include <filesystem>

#include "cli/formats/formats.h"

namespace heaplint::cli {

bool isHumanFormat(OutputFormat format) {
  return format == OutputFormat::Concise || format == OutputFormat::Full;
}

void writeReport(std::ostream& out, std::span<const FileReport> files, OutputFormat format,
                 const OutputStyle& style, const SourceLookup& lookup) {
  switch (format) {
    case OutputFormat::Concise:
      writeConcise(out, files, style);
      break;
    case OutputFormat::Full:
      writeFull(out, files, style);
      break;
    case OutputFormat::Json:
      writeJson(out, files);
      break;
    case OutputFormat::JsonLines:
      writeJsonLines(out, files);
      break;
    case OutputFormat::Sarif: {
      std::error_code error;
      const std::filesystem::path root = std::filesystem::current_path(error);
      writeSarif(out, files, root.string(), lookup, style);
      break;
    }
    case OutputFormat::Github:
      writeGithub(out, files);
      break;
    case OutputFormat::Gitlab:
      writeGitlab(out, files);
      break;
    case OutputFormat::Junit:
      writeJunit(out, files);
      break;
    case OutputFormat::Pylint:
      writePylint(out, files);
      break;
  }
}

}  // namespace heaplint::cli
