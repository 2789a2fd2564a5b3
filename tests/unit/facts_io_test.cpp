// Project rules' facts survive the result cache: written, read back and written again they are
// the same bytes, and the project join over read-back facts finds exactly what it found before.
#include "analyzer/facts_io.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/call_evidence.h"
#include "analyzer/concat.h"
#include "rules/registry.h"

namespace heaplint {
namespace {
namespace fs = std::filesystem;

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string bytesOf(const FileFacts& facts) {
  std::string bytes;
  FactsWriter out(bytes);
  facts.write(out);
  return bytes;
}

struct Project {
  std::vector<std::string> paths;
  std::vector<std::unique_ptr<SourceText>> sources;
  std::vector<FileAnalysis> analyses;
};

Project analyzeDirectory(const fs::path& root, const AnalysisOptions& base) {
  Project project;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() == ".py") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    project.paths.push_back(fs::relative(file, root).string());
    project.sources.push_back(std::make_unique<SourceText>(readAll(file)));
  }
  const fs::path import_root = fs::absolute(root).lexically_normal();
  const std::vector<fs::path> import_roots{import_root, import_root / "src"};
  for (size_t i = 0; i < files.size(); ++i) {
    AnalysisOptions options = base;
    options.path = project.paths[i];
    options.module = moduleInfoForPath(files[i], import_roots);
    project.analyses.push_back(analyzeFile(*project.sources[i], options));
  }
  return project;
}

std::vector<std::string> joined(std::vector<FileAnalysis>& analyses, const AnalysisOptions& options,
                                unsigned threads = 1) {
  std::vector<FileAnalysis*> pointers;
  pointers.reserve(analyses.size());
  for (FileAnalysis& analysis : analyses)
    pointers.push_back(&analysis);
  joinProject(pointers, options, threads);
  std::vector<std::string> out;
  for (const FileAnalysis& analysis : analyses) {
    for (const Diagnostic& d : analysis.diagnostics) {
      if (d.rule->join == nullptr) continue;
      out.push_back(analysis.path + ":" + std::to_string(d.start) + ":" +
                    std::string(d.rule->code) + ":" + d.message + ":" + (d.fix ? "fix" : "nofix"));
    }
  }
  return out;
}

AnalysisOptions allRulesOptions() {
  static const LintSettings preview = [] {
    LintSettings settings;
    settings.preview = true;
    return settings;
  }();
  AnalysisOptions options;
  options.settings = &preview;  // the evidence preview turns on is joined too
  options.rules = allRules();
  selectRules(options.rules, "ALL", options.enabled);
  return options;
}

TEST(FactsIo, NumbersAreVarintsThatReadBack) {
  const std::vector<uint32_t> values = {0, 1, 127, 128, 300, 16383, 16384, 1U << 28, UINT32_MAX};
  std::string bytes;
  FactsWriter out(bytes);
  for (const uint32_t value : values)
    out.u32(value);
  // One byte up to 127, two up to 16383, five for the largest.
  EXPECT_EQ(bytes.size(), 1U + 1U + 1U + 2U + 2U + 2U + 3U + 5U + 5U);
  FactsReader in(bytes);
  for (const uint32_t value : values)
    EXPECT_EQ(in.u32(), value);
  EXPECT_TRUE(in.ok());
  EXPECT_TRUE(in.atEnd());
}

TEST(FactsIo, BrokenVarintsAreRejected) {
  // Cut short: the last byte still says "more follows".
  FactsReader truncated(std::string_view("\x80\x80", 2));
  EXPECT_EQ(truncated.u32(), 0U);
  EXPECT_FALSE(truncated.ok());
  // Past 32 bits.
  FactsReader too_long(std::string_view("\xff\xff\xff\xff\x1f", 5));
  too_long.u32();
  EXPECT_FALSE(too_long.ok());
  FactsReader six_bytes(std::string_view("\x80\x80\x80\x80\x80\x01", 6));
  six_bytes.u32();
  EXPECT_FALSE(six_bytes.ok());
}

TEST(FactsIo, StringTableReadsBackEveryStringOnceStored) {
  const std::vector<std::string> names = {
      "pkg.models.Record", "pkg.models", "pkg.models.Record",  "",
      "pkg.views.show",    "other",      "pkg.models.Recorder"};
  std::string bytes;
  FactsWriter out(bytes);
  StringTableWriter table;
  table.add(names);
  table.write(out);
  table.refs(out, names);
  table.ref(out, "other");
  // Sorted and front-coded, each distinct string once: fewer bytes than the strings themselves.
  size_t plain = 0;
  for (const std::string& name : names)
    plain += name.size();
  EXPECT_LT(bytes.size(), plain);

  FactsReader in(bytes);
  StringTableReader read;
  ASSERT_TRUE(read.read(in));
  EXPECT_EQ(read.strings(in), names);
  EXPECT_EQ(read.ref(in), "other");
  EXPECT_TRUE(in.ok());
  EXPECT_TRUE(in.atEnd());
}

TEST(FactsIo, StringTableRejectsIndicesAndPrefixesPastItsEnd) {
  std::string bytes;
  FactsWriter out(bytes);
  StringTableWriter table;
  table.add("pkg.a");
  table.add("pkg.b");
  table.write(out);
  out.u32(2);  // the table has two strings: 0 and 1
  FactsReader in(bytes);
  StringTableReader read;
  ASSERT_TRUE(read.read(in));
  EXPECT_EQ(read.ref(in), "");
  EXPECT_FALSE(in.ok());

  // A string that claims to share more than the one before it has.
  std::string broken;
  FactsWriter broken_out(broken);
  broken_out.u32(1);
  broken_out.u32(3);
  broken_out.string("abc");
  FactsReader broken_in(broken);
  EXPECT_FALSE(StringTableReader().read(broken_in));
  EXPECT_FALSE(broken_in.ok());
}

TEST(FactsIo, EveryProjectRuleReadsWhatItWrites) {
  const RuleTable rules = allRules();
  for (const RuleDefinition* rule : rules) {
    if (rule->join != nullptr) EXPECT_NE(rule->read_facts, nullptr) << rule->code;
  }
}

TEST(FactsIo, RoundTripOverEveryFixture) {
  const AnalysisOptions options = allRulesOptions();
  const Project project = analyzeDirectory(fs::path(HEAPLINT_SOURCE_DIR) / "fixtures", options);
  size_t checked = 0;
  size_t calls_checked = 0;
  for (const FileAnalysis& analysis : project.analyses) {
    for (size_t rule = 0; rule < analysis.facts.size(); ++rule) {
      if (!analysis.facts[rule]) continue;
      const std::string bytes = bytesOf(*analysis.facts[rule]);
      FactsReader in(bytes);
      const std::unique_ptr<FileFacts> read = options.rules[rule]->read_facts(in);
      ASSERT_NE(read, nullptr) << analysis.path;
      EXPECT_TRUE(in.atEnd()) << analysis.path;
      EXPECT_EQ(bytesOf(*read), bytes) << analysis.path;
      ++checked;
    }
    if (analysis.call_facts) {
      const std::string bytes = bytesOf(*analysis.call_facts);
      FactsReader in(bytes);
      const std::unique_ptr<FileFacts> read = FileCallFacts::read(in);
      ASSERT_NE(read, nullptr) << analysis.path;
      EXPECT_TRUE(in.atEnd()) << analysis.path;
      EXPECT_EQ(bytesOf(*read), bytes) << analysis.path;
      ++calls_checked;
    }
  }
  EXPECT_GT(checked, 50u);
  EXPECT_GT(calls_checked, 50u);
}

// The join indexes packed call facts without making their objects: the index must be the one
// the objects make.
TEST(FactsIo, CallIndexOfPackedFactsIsTheIndexOfTheFacts) {
  const AnalysisOptions options = allRulesOptions();
  const Project project = analyzeDirectory(fs::path(HEAPLINT_SOURCE_DIR) / "fixtures", options);
  CallIndex from_objects;
  CallIndex from_bytes;
  std::vector<const CallFacts*> all;
  for (size_t i = 0; i < project.analyses.size(); ++i) {
    if (!project.analyses[i].call_facts) continue;
    const CallFacts& facts =
        static_cast<const FileCallFacts&>(*project.analyses[i].call_facts).calls;
    from_objects.add(i, facts);
    ASSERT_TRUE(from_bytes.addPacked(i, bytesOf(*project.analyses[i].call_facts)));
    all.push_back(&facts);
  }
  const auto describe = [](const CallIndex& index, std::string_view callee) {
    std::string out;
    for (const CallIndex::Site& site : index.callsOf(callee)) {
      out += concat(std::to_string(site.file), ":", index.text(site.caller), ":",
                    std::to_string(site.row), site.at_import ? ":import" : "",
                    site.unpacked ? ":unpacked" : "", "(");
      for (const CallIndex::Argument& argument : index.argumentsOf(site)) {
        out += concat(index.text(argument.keyword), "=",
                      std::to_string(static_cast<int>(argument.source)), "/",
                      std::to_string(argument.parameters), "/", index.text(argument.reason), ",");
      }
      out += ")";
    }
    return out;
  };
  size_t sites = 0;
  size_t arguments = 0;
  for (const CallFacts* facts : all) {
    for (const CallSite& site : facts->calls) {
      const std::string callee = from_objects.canonical(site.callee);
      EXPECT_EQ(from_bytes.canonical(site.callee), callee);
      EXPECT_EQ(describe(from_bytes, callee), describe(from_objects, callee)) << callee;
      ++sites;
      arguments += site.arguments.size();
    }
    for (const std::string& name : facts->referenced)
      EXPECT_TRUE(from_bytes.isReferenced(from_bytes.canonical(name))) << name;
    for (const std::string& name : facts->cleared)
      EXPECT_TRUE(from_bytes.isCleared(from_bytes.canonical(name))) << name;
    for (const FunctionSignature& caller : facts->callers) {
      const CallIndex::Keys a = from_objects.keysFromCallers(caller, ~0U);
      const CallIndex::Keys b = from_bytes.keysFromCallers(caller, ~0U);
      EXPECT_EQ(a.reason, b.reason) << caller.name;
      EXPECT_EQ(a.source, b.source) << caller.name;
      EXPECT_EQ(a.has_callers, b.has_callers) << caller.name;
    }
  }
  EXPECT_GT(sites, 100U);
  EXPECT_GT(arguments, 50U);
}

// Strings longer than a block of the index's string storage (a reason quoting a long argument)
// get blocks of their own; the short ones after them must not be written past their end (ASan).
TEST(FactsIo, CallIndexKeepsLongStringsWhole) {
  CallFacts facts;
  for (uint32_t i = 0; i < 3; ++i) {
    CallSite& site = facts.calls.emplace_back();
    site.callee = "pkg.mod.load";
    site.caller = "pkg.mod.caller" + std::to_string(i);
    site.row = i;
    CallArgument argument;
    argument.reason = std::string(100'000 + i, static_cast<char>('a' + i));
    site.arguments.push_back(argument);
  }
  std::string bytes;
  FactsWriter out(bytes);
  facts.write(out);
  CallIndex from_objects;
  from_objects.add(0, facts);
  CallIndex from_bytes;
  ASSERT_TRUE(from_bytes.addPacked(0, bytes));
  for (const CallIndex* index : {&from_objects, &from_bytes}) {
    uint32_t i = 0;
    for (const CallIndex::Site& site : index->callsOf("pkg.mod.load")) {
      EXPECT_EQ(index->text(site.caller), "pkg.mod.caller" + std::to_string(i));
      const auto arguments = index->argumentsOf(site);
      ASSERT_EQ(arguments.size(), 1u);
      EXPECT_EQ(index->text(arguments[0].reason),
                std::string(100'000 + i, static_cast<char>('a' + i)));
      ++i;
    }
    EXPECT_EQ(i, 3u);
  }
}

TEST(FactsIo, TruncatedFactsAreRejectedNotTrusted) {
  const AnalysisOptions options = allRulesOptions();
  for (const char* directory : {"mem4/MEM401_preview_project", "mem3/MEM301_preview_project"}) {
    const Project project =
        analyzeDirectory(fs::path(HEAPLINT_SOURCE_DIR) / "fixtures" / directory, options);
    for (const FileAnalysis& analysis : project.analyses) {
      for (size_t rule = 0; rule < analysis.facts.size(); ++rule) {
        if (!analysis.facts[rule]) continue;
        const std::string bytes = bytesOf(*analysis.facts[rule]);
        for (size_t cut = 0; cut < bytes.size(); cut += 7) {
          FactsReader in(std::string_view(bytes).substr(0, cut));
          const std::unique_ptr<FileFacts> read = options.rules[rule]->read_facts(in);
          EXPECT_TRUE(read == nullptr || !in.atEnd() || cut == bytes.size());
        }
      }
    }
  }
}

TEST(FactsIo, JoinOverReadBackFactsFindsTheSame) {
  const AnalysisOptions options = allRulesOptions();
  for (const char* directory :
       {"mem4/MEM401_preview_project", "mem2/MEM201_project", "mem3/MEM301_preview_project"}) {
    const fs::path root = fs::path(HEAPLINT_SOURCE_DIR) / "fixtures" / directory;
    Project fresh = analyzeDirectory(root, options);
    Project cached = analyzeDirectory(root, options);
    for (FileAnalysis& analysis : cached.analyses) {
      for (size_t rule = 0; rule < analysis.facts.size(); ++rule) {
        if (!analysis.facts[rule]) continue;
        const std::string bytes = bytesOf(*analysis.facts[rule]);
        FactsReader in(bytes);
        analysis.facts[rule] = options.rules[rule]->read_facts(in);
      }
    }
    const std::vector<std::string> expected = joined(fresh.analyses, options);
    EXPECT_FALSE(expected.empty()) << directory;
    EXPECT_EQ(joined(cached.analyses, options), expected) << directory;
  }
}

// `check` packs each file's facts when its analysis ends (packFacts) and joins from the bytes:
// the call index reads them directly, some rules read their own a file at a time
// (RuleDefinition::reads_packed_facts), the others get them unpacked. The findings must be the
// ones the facts' objects give.
TEST(FactsIo, JoinOverPackedFactsFindsTheSame) {
  const AnalysisOptions options = allRulesOptions();
  const fs::path root = fs::path(HEAPLINT_SOURCE_DIR) / "fixtures";
  Project fresh = analyzeDirectory(root, options);
  Project packed = analyzeDirectory(root, options);
  PackedFactsStore store;
  size_t packed_files = 0;
  for (FileAnalysis& analysis : packed.analyses) {
    packFacts(analysis, options.rules, store);
    EXPECT_TRUE(analysis.facts.empty()) << analysis.path;
    EXPECT_FALSE(analysis.call_facts) << analysis.path;
    if (!analysis.packed_facts.empty()) ++packed_files;
  }
  EXPECT_GT(packed_files, 50u);
  const std::vector<std::string> expected = joined(fresh.analyses, options);
  for (const char* code :
       {":MEM201:", ":MEM202:", ":MEM205:", ":MEM301:", ":MEM402:", ":MEM403:", ":MEM404:"}) {
    EXPECT_TRUE(std::any_of(expected.begin(), expected.end(), [&](const std::string& finding) {
      return finding.find(code) != std::string::npos;
    })) << code;
  }
  EXPECT_EQ(joined(packed.analyses, options), expected);
}

// Facts that say the same as an earlier rule's (MEM402 and MEM404 both keep the file's classes)
// are packed once; each rule still reads them back.
struct Bytes final : FileFacts {
  std::string text;
  explicit Bytes(std::string value) : text(std::move(value)) {}
  void write(FactsWriter& out) const override { out.string(text); }
  static std::unique_ptr<FileFacts> read(FactsReader& in) {
    return std::make_unique<Bytes>(in.string());
  }
};

const RuleDefinition kBytesRule{.code = "TEST020", .read_facts = Bytes::read};

TEST(FactsIo, FactsEqualToAnEarlierRulesArePackedOnce) {
  const RuleDefinition* table[3] = {&kBytesRule, &kBytesRule, &kBytesRule};
  const std::string classes(400, 'c');
  FileAnalysis analysis;
  analysis.facts.push_back(std::make_unique<Bytes>(classes));
  analysis.facts.push_back(std::make_unique<Bytes>(classes + "+site"));
  analysis.facts.push_back(std::make_unique<Bytes>(classes));
  const std::string packed(packFacts(analysis, table));
  EXPECT_LT(packed.size(), 2 * classes.size() + 40);
  EXPECT_GT(packed.size(), 2 * classes.size());
  // What each rule reads back from the packed bytes (joinProject unpacks them so).
  std::vector<std::string> seen;
  static std::vector<std::string>* sink = nullptr;
  sink = &seen;
  RuleDefinition reader{
      .code = "TEST021",
      .join =
          [](std::span<const ProjectFileView> files, const AnalysisOptions& /*options*/,
             ProjectReporter& /*reporter*/) {
            sink->push_back(files[0].facts ? static_cast<const Bytes*>(files[0].facts)->text : "");
          },
      .read_facts = Bytes::read};
  const RuleDefinition* readers[3] = {&reader, &reader, &reader};
  AnalysisOptions options;
  options.rules = RuleTable(readers, 3);
  options.enabled.set(0).set(1).set(2);
  analysis.packed_facts = packed;
  FileAnalysis* files[] = {&analysis};
  joinProject(files, options);
  EXPECT_EQ(seen, (std::vector<std::string>{classes, classes + "+site", classes}));
}

// The rules join side by side; what each file gets, and in which order, must not depend on it.
TEST(FactsIo, RulesJoinedSideBySideFindTheSameInTheSameOrder) {
  const AnalysisOptions options = allRulesOptions();
  const fs::path root = fs::path(HEAPLINT_SOURCE_DIR) / "fixtures";
  Project one_thread = analyzeDirectory(root, options);
  Project two_threads = analyzeDirectory(root, options);
  Project four_threads = analyzeDirectory(root, options);
  const std::vector<std::string> expected = joined(one_thread.analyses, options, 1);
  EXPECT_GT(expected.size(), 20u);
  EXPECT_EQ(joined(two_threads.analyses, options, 2), expected);
  EXPECT_EQ(joined(four_threads.analyses, options, 4), expected);
}

}  // namespace
}  // namespace heaplint
