#include "cli/result_cache.h"

#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <system_error>
#include <unordered_set>

#include "analyzer/call_evidence.h"
#include "analyzer/facts_io.h"
#include "cli/file_io.h"
#include "cli/fingerprints.h"
#include "cli/version.h"

namespace heaplint::cli {
namespace fs = std::filesystem;
namespace {

// Version 2: each entry carries a checksum of its key and bytes.
constexpr std::string_view kMagic = "heaplint result cache 2\n";
constexpr std::string_view kCacheDirTag =
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by heaplint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n";

uint64_t mix(uint64_t value) {
  value ^= value >> 33;
  value *= 0xff51afd7ed558ccdULL;
  value ^= value >> 33;
  value *= 0xc4ceb9fe1a85ec53ULL;
  value ^= value >> 33;
  return value;
}

std::string hex64(uint64_t value) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4)
    out[static_cast<size_t>(i)] = kDigits[value & 0xFu];
  return out;
}

void writeDiagnostic(FactsWriter& out, const ReportedDiagnostic& d) {
  out.string(d.rule->code);
  out.u32(d.location.row);
  out.u32(d.location.column);
  out.u32(d.end_location.row);
  out.u32(d.end_location.column);
  out.string(d.message);
  out.string(d.fix_title);
  out.boolean(d.fix.has_value());
  if (d.fix) {
    out.boolean(d.fix->applicability == Applicability::Safe);
    out.u32(static_cast<uint32_t>(d.fix->edits.size()));
    for (const ReportedEdit& edit : d.fix->edits) {
      out.string(edit.content);
      out.u32(edit.location.row);
      out.u32(edit.location.column);
      out.u32(edit.end_location.row);
      out.u32(edit.end_location.column);
    }
  }
  out.u32(d.noqa_row);
  out.string(d.source_line);
}

bool readDiagnostic(FactsReader& in, RuleTable rules, ReportedDiagnostic& d) {
  const int rule = findRule(rules, in.view());
  if (rule < 0) return false;
  d.rule = rules[static_cast<size_t>(rule)];
  d.location = {in.u32(), in.u32()};
  d.end_location = {in.u32(), in.u32()};
  d.message = in.string();
  d.fix_title = in.string();
  if (in.boolean()) {
    ReportedFix fix;
    fix.applicability = in.boolean() ? Applicability::Safe : Applicability::Unsafe;
    const uint32_t edits = in.count();
    for (uint32_t i = 0; i < edits && in.ok(); ++i) {
      ReportedEdit edit;
      edit.content = in.string();
      edit.location = {in.u32(), in.u32()};
      edit.end_location = {in.u32(), in.u32()};
      fix.edits.push_back(std::move(edit));
    }
    d.fix = std::move(fix);
  }
  d.noqa_row = in.u32();
  d.source_line = in.string();
  return in.ok();
}

// Each file's own settings are part of its key: with configuration files, files under
// different configurations (or per-file-ignores) are analysed with different options.
std::string entryHeader(const FileReport& report, const ModuleInfo& module,
                        const AnalysisOptions& file_options, const std::string& hash) {
  std::string header;
  FactsWriter out(header);
  out.string(settingsFingerprint(file_options));
  out.u64(file_options.reported.to_ullong());
  out.string(report.path);
  out.string(module.name);
  out.boolean(module.is_package);
  out.boolean(module.compiled_beside);
  out.string(hash);
  return header;
}

// The running binary's size and modification time. The version alone does not change between
// builds of the same release, and results cached by a build with other rules must not be reused.
std::string executableIdentity() {
  static const std::string identity = [] {
    struct stat status {};
    if (stat("/proc/self/exe", &status) != 0) return std::string();
    return std::to_string(status.st_size) + ":" + std::to_string(status.st_mtim.tv_sec) + "." +
           std::to_string(status.st_mtim.tv_nsec);
  }();
  return identity;
}

// A noqa directive with what HL100 needs: where it is and what it silenced in the file's pass.
void writeNoqaLine(FactsWriter& out, const NoqaDirectives::Line& line) {
  out.u32(line.row);
  out.boolean(line.blanket);
  out.u64(line.rules.to_ullong());
  out.u32(line.start);
  out.u32(line.end);
  out.u32(line.remove_start);
  out.u32(line.remove_end);
  out.string(line.text);
  out.u64(line.used_in_file.to_ullong());
}

NoqaDirectives::Line readNoqaLine(FactsReader& in) {
  NoqaDirectives::Line line;
  line.row = in.u32();
  line.blanket = in.boolean();
  line.rules = RuleSet(in.u64());
  line.start = in.u32();
  line.end = in.u32();
  line.remove_start = in.u32();
  line.remove_end = in.u32();
  line.text = in.string();
  line.used_in_file = RuleSet(in.u64());
  return line;
}

std::string entryChecksum(std::string_view key, std::string_view entry) {
  std::string both;
  both.reserve(key.size() + 1 + entry.size());
  both.append(key).append(1, '\0').append(entry);
  return contentHash(both);
}

// A run killed while saving leaves its temporary file: the next run that saves removes it.
void removeStaleTemporaries(const fs::path& directory) {
  std::error_code error;
  for (fs::directory_iterator it(directory, error); !error && it != fs::directory_iterator();
       it.increment(error)) {
    std::error_code ignored;
    if (isStaleTemporary(it->path(), std::chrono::minutes(10))) fs::remove(it->path(), ignored);
  }
}

void writeFileQuietly(const fs::path& path, std::string_view contents) {
  std::error_code error;
  if (fs::exists(path, error)) return;
  std::string message;
  writeFileAtomically(path, std::string(contents), message);
}

}  // namespace

// A new LintSettings field must be added to settingsFingerprint() below, or warm runs would
// reuse results computed under other settings. Update the size here once it is.
namespace {
// The fields LintSettings has, in order, for the size check below.
struct FingerprintedLintSettings {
  PythonVersion target_version;
  bool preview;
  std::vector<std::string> subscription_pairs, test_file_patterns, extra_hot_classes;
  LibrarySettings libraries;
  bool ruff_noqa_codes;
};
}  // namespace
static_assert(sizeof(LintSettings) == sizeof(FingerprintedLintSettings),
              "LintSettings changed: add the new field to settingsFingerprint()");

std::string settingsFingerprint(const AnalysisOptions& options) {
  std::string key;
  FactsWriter out(key);
  out.string(heaplintVersion());
  out.string(executableIdentity());
  for (const RuleDefinition* rule : options.rules)
    out.string(rule->code);
  out.u64(options.enabled.to_ullong());
  out.boolean(options.verify_fixes);
  out.boolean(options.ignore_noqa);
  out.u64(options.fixable.to_ullong());
  const LintSettings& settings = *options.settings;
  out.boolean(settings.ruff_noqa_codes);
  out.u32(static_cast<uint32_t>(settings.target_version.major));
  out.u32(static_cast<uint32_t>(settings.target_version.minor));
  out.boolean(settings.preview);
  out.u32(static_cast<uint32_t>(settings.subscription_pairs.size()));
  for (const SubscriptionPair& pair : settings.subscription_pairs) {
    out.string(pair.subscribe);
    out.string(pair.unsubscribe);
  }
  out.strings(settings.test_file_patterns);
  out.strings(settings.extra_hot_classes);
  const LibrarySettings& libraries = settings.libraries;
  static_assert(sizeof(LibrarySettings) == 7 * sizeof(std::vector<std::string>),
                "LibrarySettings changed: add the new field to settingsFingerprint()");
  for (const std::vector<std::string>* names :
       {&libraries.unbounded_memoizers, &libraries.bounded_memoizers, &libraries.weak_registries,
        &libraries.strong_registries, &libraries.singleton_getters, &libraries.data_sources,
        &libraries.configuration_sources}) {
    out.strings(*names);
  }
  return stableHash(key);
}

std::string contentHash(std::string_view contents) {
  // Two independent lanes over 8-byte words, each finished with a strong mixer.
  uint64_t first = 0x9e3779b97f4a7c15ULL ^ contents.size();
  uint64_t second = 0xc2b2ae3d27d4eb4fULL + contents.size();
  size_t i = 0;
  for (; i + 8 <= contents.size(); i += 8) {
    uint64_t word = 0;
    std::memcpy(&word, contents.data() + i, 8);
    first = (first ^ word) * 0x87c37b91114253d5ULL;
    first = (first << 31) | (first >> 33);
    second = (second + word) * 0x4cf5ad432745937fULL;
    second ^= second >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, contents.data() + i, contents.size() - i);
  first = mix(first ^ tail ^ second);
  second = mix(second + tail + first);
  return hex64(first) + hex64(second);
}

ResultCache::ResultCache(fs::path cache_directory, const AnalysisOptions& options,
                         size_t file_count)
    : directory_(std::move(cache_directory)),
      file_(directory_ / std::string(heaplintVersion()) / (settingsFingerprint(options) + ".bin")),
      options_(options),
      slots_(file_count) {
  std::string contents;
  std::string error;
  if (!readFile(file_, contents, error) || !contents.starts_with(kMagic)) return;
  FactsReader in(std::string_view(contents).substr(kMagic.size()));
  const uint32_t count = in.count();
  for (uint32_t i = 0; i < count && in.ok(); ++i) {
    std::string key = in.string();
    const std::string checksum = in.string();
    std::string entry = in.string();
    // A damaged entry (a disk error, a bit flip, a hand edit) would give a wrong answer, which is
    // worse than none: it is dropped, and its file analysed again.
    if (in.ok() && checksum == entryChecksum(key, entry)) {
      entries_.emplace(std::move(key), std::move(entry));
    }
  }
  if (!in.ok() || !in.atEnd()) entries_.clear();  // the framing itself is damaged: start over
}

bool ResultCache::restore(size_t index, const fs::path& path, const ModuleInfo& module,
                          const AnalysisOptions& file_options, std::string_view contents,
                          FileReport& report, FileAnalysis& analysis, Demand& demand) {
  Slot& slot = slots_[index];
  std::error_code error;
  slot.key = fs::absolute(path, error).lexically_normal().string();
  slot.header = entryHeader(report, module, file_options, contentHash(contents));
  const auto found = entries_.find(slot.key);
  if (found == entries_.end() || !found->second.starts_with(slot.header)) return false;

  FactsReader in(std::string_view(found->second).substr(slot.header.size()));
  Demand cached_demand;
  cached_demand.waiting = in.boolean();
  cached_demand.looked = in.boolean();
  cached_demand.own = in.boolean();
  cached_demand.project_running = RuleSet(in.u64());
  cached_demand.project_reporting = RuleSet(in.u64());
  if (!in.ok()) return false;
  if (cached_demand.waiting) {
    if (!in.atEnd()) return false;
    demand = cached_demand;
    return true;
  }
  FileReport cached;
  cached.path = report.path;
  cached.warnings = in.strings();
  const uint32_t diagnostics = in.count();
  for (uint32_t i = 0; i < diagnostics && in.ok(); ++i) {
    ReportedDiagnostic d;
    if (!readDiagnostic(in, options_.rules, d)) return false;
    cached.diagnostics.push_back(std::move(d));
  }
  FileAnalysis restored;
  restored.path = report.path;
  restored.module = module;
  restored.reported = file_options.reported;
  restored.enabled = file_options.enabled;
  restored.fixable = file_options.fixable;
  restored.suppressed_count = in.u32();
  restored.has_syntax_error = in.boolean();
  restored.syntax_error_offset = in.u32();
  restored.noqa.file_blanket = in.boolean();
  restored.noqa.file_rules = RuleSet(in.u64());
  for (std::vector<NoqaDirectives::Line>* lines :
       {&restored.noqa.lines, &restored.noqa.file_lines}) {
    const uint32_t count = in.count();
    for (uint32_t i = 0; i < count && in.ok(); ++i)
      lines->push_back(readNoqaLine(in));
  }
  const uint32_t facts = in.count();
  for (uint32_t i = 0; i < facts && in.ok(); ++i) {
    const int rule = findRule(options_.rules, in.view());
    const std::string_view bytes = in.view();
    if (rule < 0 || !in.ok()) return false;
    const RuleDefinition* definition = options_.rules[static_cast<size_t>(rule)];
    if (definition->read_facts == nullptr) return false;
    FactsReader facts_in(bytes);
    std::unique_ptr<FileFacts> read = definition->read_facts(facts_in);
    if (!read || !facts_in.atEnd()) return false;
    if (restored.facts.empty()) restored.facts.resize(options_.rules.size());
    restored.facts[static_cast<size_t>(rule)] = std::move(read);
  }
  if (in.boolean()) {
    FactsReader calls_in(in.view());
    restored.call_facts = FileCallFacts::read(calls_in);
    if (!restored.call_facts || !calls_in.atEnd()) return false;
  }
  if (!in.ok() || !in.atEnd()) return false;
  report = std::move(cached);
  analysis = std::move(restored);
  demand = cached_demand;
  ++reused_;
  return true;
}

namespace {

void writeDemand(FactsWriter& out, const ResultCache::Demand& demand) {
  out.boolean(demand.waiting);
  out.boolean(demand.looked);
  out.boolean(demand.own);
  out.u64(demand.project_running.to_ullong());
  out.u64(demand.project_reporting.to_ullong());
}

}  // namespace

std::optional<std::string> ResultCache::startEntry(size_t index, Demand demand, bool waiting) {
  Slot& slot = slots_[index];
  if (slot.key.empty()) return std::nullopt;
  std::string entry = slot.header;
  FactsWriter out(entry);
  demand.waiting = waiting;
  writeDemand(out, demand);
  slot.waited = waiting;
  return entry;
}

void ResultCache::recordWaiting(size_t index, const Demand& demand) {
  if (std::optional<std::string> entry = startEntry(index, demand, true)) {
    slots_[index].fresh = std::move(*entry);
  }
}

void ResultCache::record(size_t index, const FileReport& report, const FileAnalysis& analysis,
                         const Demand& demand) {
  std::optional<std::string> started = startEntry(index, demand, false);
  if (!started) return;
  Slot& slot = slots_[index];
  std::string entry = std::move(*started);
  FactsWriter out(entry);
  out.strings(report.warnings);
  out.u32(static_cast<uint32_t>(report.diagnostics.size()));
  for (const ReportedDiagnostic& d : report.diagnostics)
    writeDiagnostic(out, d);
  out.u32(analysis.suppressed_count);
  out.boolean(analysis.has_syntax_error);
  out.u32(analysis.syntax_error_offset);
  out.boolean(analysis.noqa.file_blanket);
  out.u64(analysis.noqa.file_rules.to_ullong());
  for (const std::vector<NoqaDirectives::Line>* lines :
       {&analysis.noqa.lines, &analysis.noqa.file_lines}) {
    out.u32(static_cast<uint32_t>(lines->size()));
    for (const NoqaDirectives::Line& line : *lines)
      writeNoqaLine(out, line);
  }
  uint32_t fact_count = 0;
  for (const auto& facts : analysis.facts)
    fact_count += facts ? 1 : 0;
  out.u32(fact_count);
  for (size_t rule = 0; rule < analysis.facts.size(); ++rule) {
    if (!analysis.facts[rule]) continue;
    out.string(options_.rules[rule]->code);
    std::string bytes;
    FactsWriter facts_out(bytes);
    analysis.facts[rule]->write(facts_out);
    out.string(bytes);
  }
  out.boolean(analysis.call_facts != nullptr);
  if (analysis.call_facts) {
    std::string bytes;
    FactsWriter facts_out(bytes);
    analysis.call_facts->write(facts_out);
    out.string(bytes);
  }
  slot.fresh = std::move(entry);
}

void ResultCache::save() {
  const char* stats = std::getenv("HEAPLINT_CACHE_STATS");
  if (stats != nullptr && std::string_view(stats) == "1") {
    size_t analysed = 0;
    for (const Slot& slot : slots_)
      analysed += slot.fresh && !slot.waited ? 1 : 0;
    std::cerr << "heaplint cache: " << reused_ << " reused, " << analysed << " analysed\n";
  }
  std::unordered_set<std::string_view> seen;
  for (const Slot& slot : slots_)
    seen.insert(slot.key);
  for (Slot& slot : slots_) {
    if (!slot.fresh) continue;
    entries_[slot.key] = std::move(*slot.fresh);
    slot.fresh.reset();
    dirty_ = true;
  }
  if (!dirty_) return;
  std::error_code error;
  // Files not part of this run and gone from disk would otherwise stay in the cache forever.
  std::erase_if(entries_, [&](const auto& entry) {
    std::error_code ignored;
    return !seen.contains(entry.first) && !fs::exists(entry.first, ignored);
  });
  fs::create_directories(file_.parent_path(), error);
  if (error) return;
  removeStaleTemporaries(file_.parent_path());
  writeFileQuietly(directory_ / "CACHEDIR.TAG", kCacheDirTag);
  writeFileQuietly(directory_ / ".gitignore", "# Automatically created by heaplint.\n*\n");
  std::string contents(kMagic);
  FactsWriter out(contents);
  out.u32(static_cast<uint32_t>(entries_.size()));
  for (const auto& [key, entry] : entries_) {
    out.string(key);
    out.string(entryChecksum(key, entry));
    out.string(entry);
  }
  std::string message;
  writeFileAtomically(file_, contents, message);
  dirty_ = false;
}

bool removeCache(const fs::path& cache_directory, std::string& error) {
  std::error_code code;
  fs::remove_all(cache_directory, code);
  if (code) {
    error = code.message();
    return false;
  }
  return true;
}

fs::path cacheDirectory(const std::optional<std::string>& configured,
                        const fs::path& default_directory) {
  if (configured && !configured->empty()) return *configured;
  const char* environment = std::getenv("HEAPLINT_CACHE_DIR");
  if (environment != nullptr && environment[0] != '\0') return environment;
  return default_directory;
}

}  // namespace heaplint::cli
