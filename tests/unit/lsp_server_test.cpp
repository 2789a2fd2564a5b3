// The language server core driven in-process through an in-memory transport: lifecycle, errors,
// text sync, diagnostics (push and pull), code actions, hover, cross-file facts and configuration
// files.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "analyzer/analyze.h"
#include "analyzer/chunked_tree.h"
#include "lsp/documents.h"
#include "lsp/server.h"
#include "lsp/transport.h"
#include "tests/unit/temporary_directory.h"

namespace heaplint::lsp {
namespace {

using namespace std::chrono_literals;

// A line with non-ASCII text before the finding: "é" is 2 UTF-8 bytes and 1 UTF-16 unit, "😀" is 4
// bytes and 2 units.
constexpr std::string_view kUnicodeLine = "name = 'é😀'; total = sum([x * x for x in xs])";
constexpr uint32_t kUtf16Start = 26;  // the '[' of the comprehension
constexpr uint32_t kUtf16End = 45;    // after its ']'
constexpr uint32_t kUtf8Start = 29;
const std::string kUri = "file:///workspace/example.py";

class Client {
 public:
  explicit Client(ServerOptions options = testOptions()) : server_(transport_, std::move(options)) {
    thread_ = std::thread([this] { exit_code_ = server_.run(); });
  }
  ~Client() {
    transport_.close();
    if (thread_.joinable()) thread_.join();
  }

  static ServerOptions testOptions() {
    ServerOptions options;
    options.index_workspace = false;
    return options;
  }

  void sendRaw(std::string text) { transport_.send(std::move(text)); }
  void notify(const std::string& method, json params) {
    transport_.send(
        json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}}.dump());
  }
  json request(const std::string& method, json params) {
    const int id = next_id_++;
    transport_.send(
        json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}}
            .dump());
    return waitFor(
        [&](const json& m) { return m.contains("id") && m["id"] == id && !m.contains("method"); });
  }
  json waitFor(const std::function<bool(const json&)>& accept,
               std::chrono::milliseconds timeout = 10s) {
    const auto found = transport_.waitFor(
        [&](std::string_view text) { return accept(json::parse(text)); }, timeout);
    if (!found) {
      ADD_FAILURE() << "no matching message from the server";
      return json();
    }
    return json::parse(*found);
  }
  json diagnostics(const std::string& uri, int64_t version,
                   std::chrono::milliseconds timeout = 10s) {
    return waitFor(
        [&](const json& m) {
          return m.value("method", "") == "textDocument/publishDiagnostics" &&
                 m["params"]["uri"] == uri && m["params"].value("version", -1) == version;
        },
        timeout)["params"]["diagnostics"];
  }
  json initialize(json capabilities = json::object(), json options = nullptr,
                  const std::string& root = "") {
    json params{{"processId", nullptr}, {"capabilities", std::move(capabilities)}};
    params["rootUri"] = root.empty() ? json(nullptr) : json(root);
    if (!options.is_null()) params["initializationOptions"] = std::move(options);
    json response = request("initialize", std::move(params));
    notify("initialized", json::object());
    return response;
  }
  void open(const std::string& uri, const std::string& text, int version = 1) {
    notify("textDocument/didOpen",
           {{"textDocument",
             {{"uri", uri}, {"languageId", "python"}, {"version", version}, {"text", text}}}});
  }
  void change(const std::string& uri, int version, json changes) {
    notify("textDocument/didChange",
           {{"textDocument", {{"uri", uri}, {"version", version}}}, {"contentChanges", changes}});
  }
  int finish() {
    transport_.close();
    thread_.join();
    return exit_code_;
  }
  InMemoryTransport& transport() { return transport_; }

 private:
  InMemoryTransport transport_;
  Server server_;
  std::thread thread_;
  int exit_code_ = -1;
  int next_id_ = 1;
};

json position(uint32_t line, uint32_t character) {
  return {{"line", line}, {"character", character}};
}
json range(uint32_t line, uint32_t start, uint32_t end_line, uint32_t end) {
  return {{"start", position(line, start)}, {"end", position(end_line, end)}};
}

// Applies a WorkspaceEdit's edits for one URI as a client would (UTF-16 positions).
std::string applyWorkspaceEdit(const std::string& text, const json& edit, const std::string& uri) {
  const SourceText source(text);
  std::vector<std::tuple<uint32_t, uint32_t, std::string>> edits;
  for (const json& e : edit["changes"][uri]) {
    const uint32_t start =
        source.offsetFromUtf16({e["range"]["start"]["line"].get<uint32_t>(),
                                e["range"]["start"]["character"].get<uint32_t>()});
    const uint32_t end = source.offsetFromUtf16({e["range"]["end"]["line"].get<uint32_t>(),
                                                 e["range"]["end"]["character"].get<uint32_t>()});
    edits.emplace_back(start, end, e["newText"].get<std::string>());
  }
  std::sort(edits.begin(), edits.end());
  std::string out;
  uint32_t cursor = 0;
  for (const auto& [start, end, replacement] : edits) {
    out.append(text, cursor, start - cursor);
    out += replacement;
    cursor = end;
  }
  out.append(text, cursor);
  return out;
}

std::string unicodeSource() {
  return "xs = open('xs')\n" + std::string(kUnicodeLine) + "\n";
}

TEST(LspServer, InitializeNegotiatesUtf16UnlessUtf8IsOffered) {
  {
    Client client;
    const json response = client.initialize();
    EXPECT_EQ(response["result"]["capabilities"]["positionEncoding"], "utf-16");
    EXPECT_EQ(response["result"]["capabilities"]["textDocumentSync"]["change"], 2);
    EXPECT_FALSE(response["result"]["capabilities"].contains("diagnosticProvider"));
    EXPECT_EQ(response["result"]["serverInfo"]["name"], "heaplint");
  }
  {
    Client client;
    const json response =
        client.initialize({{"general", {{"positionEncodings", {"utf-16", "utf-8"}}}}});
    EXPECT_EQ(response["result"]["capabilities"]["positionEncoding"], "utf-8");
  }
}

TEST(LspServer, ErrorsForBadMessagesWithoutCrashing) {
  Client client;
  EXPECT_EQ(client.request("textDocument/hover", json::object())["error"]["code"], -32002);
  client.initialize();
  client.sendRaw("{not json");
  EXPECT_EQ(client.waitFor([](const json& m) { return m.contains("error"); })["error"]["code"],
            -32700);
  client.transport().sendMalformed("bad header");
  EXPECT_EQ(client.waitFor([](const json& m) { return m.contains("error"); })["error"]["code"],
            -32700);
  client.sendRaw(R"({"jsonrpc":"2.0","id":7})");
  EXPECT_EQ(client.waitFor([](const json& m) { return m.value("id", 0) == 7; })["error"]["code"],
            -32600);
  client.sendRaw("[1, 2]");
  EXPECT_EQ(client.waitFor([](const json& m) { return m.contains("error"); })["error"]["code"],
            -32600);
  EXPECT_EQ(client.request("no/suchMethod", json::object())["error"]["code"], -32601);
  EXPECT_EQ(client.request("textDocument/codeAction", {{"textDocument", 5}})["error"]["code"],
            -32602);
  EXPECT_EQ(client.request("textDocument/hover", {{"textDocument", {{"uri", kUri}}},
                                                  {"position", position(0, 0)}})["error"]["code"],
            -32602);  // not open
  EXPECT_EQ(client.request("initialize", json::object())["error"]["code"], -32600);
  // Still serving.
  client.open(kUri, unicodeSource());
  EXPECT_EQ(client.diagnostics(kUri, 1).size(), 1u);
}

TEST(LspServer, ExitCodeIsZeroOnlyAfterShutdown) {
  {
    Client client;
    client.initialize();
    EXPECT_TRUE(client.request("shutdown", nullptr)["result"].is_null());
    EXPECT_EQ(client.request("textDocument/hover", json::object())["error"]["code"], -32600);
    client.notify("exit", nullptr);
    EXPECT_EQ(client.finish(), 0);
  }
  {
    Client client;
    client.initialize();
    client.notify("exit", nullptr);
    EXPECT_EQ(client.finish(), 1);
  }
  {
    Client client;
    client.initialize();
    EXPECT_EQ(client.finish(), 1);  // input closed without shutdown
  }
}

TEST(LspServer, CancelledRequestGetsRequestCancelled) {
  Client client;
  client.initialize();
  client.open(kUri, unicodeSource());
  client.notify("$/cancelRequest", {{"id", 41}});
  client.sendRaw(json{{"jsonrpc", "2.0"},
                      {"id", 41},
                      {"method", "textDocument/hover"},
                      {"params", {{"textDocument", {{"uri", kUri}}}, {"position", position(0, 0)}}}}
                     .dump());
  EXPECT_EQ(client.waitFor([](const json& m) { return m.value("id", 0) == 41; })["error"]["code"],
            -32800);
}

TEST(LspServer, PushDiagnosticsAtUtf16Positions) {
  Client client;
  client.initialize();
  client.open(kUri, unicodeSource());
  const json diagnostics = client.diagnostics(kUri, 1);
  ASSERT_EQ(diagnostics.size(), 1u);
  const json& d = diagnostics[0];
  EXPECT_EQ(d["code"], "MEM101");
  EXPECT_EQ(d["source"], "heaplint");
  EXPECT_EQ(d["severity"], 2);
  EXPECT_NE(d["codeDescription"]["href"].get<std::string>().find("MEM101"), std::string::npos);
  EXPECT_EQ(d["range"], range(1, kUtf16Start, 1, kUtf16End));
  EXPECT_EQ(d["data"]["fix"]["applicability"], "safe");
  EXPECT_EQ(d["data"]["fix"]["edits"].size(), 2u);
}

TEST(LspServer, Utf8PositionsWhenNegotiated) {
  Client client;
  client.initialize({{"general", {{"positionEncodings", {"utf-8"}}}}});
  client.open(kUri, unicodeSource());
  const json diagnostics = client.diagnostics(kUri, 1);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0]["range"]["start"], position(1, kUtf8Start));
}

TEST(LspServer, IncrementalEditsMoveAndRemoveDiagnostics) {
  Client client;
  client.initialize();
  client.open(kUri, unicodeSource());
  ASSERT_EQ(client.diagnostics(kUri, 1).size(), 1u);
  // Two new lines above: the finding moves down.
  client.change(kUri, 2, json::array({{{"range", range(0, 0, 0, 0)}, {"text", "# a\n# b\n"}}}));
  json diagnostics = client.diagnostics(kUri, 2);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0]["range"], range(3, kUtf16Start, 3, kUtf16End));
  // Delete the '[' and the ']' (the later one first, in one notification): the finding goes.
  client.change(
      kUri, 3,
      json::array({{{"range", range(3, kUtf16End - 1, 3, kUtf16End)}, {"text", ""}},
                   {{"range", range(3, kUtf16Start, 3, kUtf16Start + 1)}, {"text", ""}}}));
  EXPECT_TRUE(client.diagnostics(kUri, 3).empty());
  // Type it back one character at a time.
  client.change(kUri, 4,
                json::array({{{"range", range(3, kUtf16Start, 3, kUtf16Start)}, {"text", "["}}}));
  client.change(
      kUri, 5,
      json::array({{{"range", range(3, kUtf16End - 1, 3, kUtf16End - 1)}, {"text", "]"}}}));
  diagnostics = client.diagnostics(kUri, 5);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0]["range"], range(3, kUtf16Start, 3, kUtf16End));
}

// A document large enough to be analysed in runs: a binding typed at the top changes a finding at
// the far end.
TEST(LspServer, ABindingTypedAtTheTopReachesAFindingAtTheFarEnd) {
  std::string text = "import os\n\n\n";
  for (int i = 0; i < 200; ++i) {
    text += "def helper_" + std::to_string(i) + "(values):\n    return len(values)\n\n\n";
  }
  const uint32_t last_line = static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n'));
  text += "def uses(path):\n    return sum([x for x in open(path)])\n";
  Client client;
  client.initialize();
  client.open(kUri, text);
  json diagnostics = client.diagnostics(kUri, 1);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0]["range"]["start"]["line"], last_line + 1);

  // The module's own `sum` is not the builtin.
  client.change(kUri, 2,
                json::array({{{"range", range(1, 0, 1, 0)}, {"text", "from numpy import sum\n"}}}));
  EXPECT_TRUE(client.diagnostics(kUri, 2).empty());
  client.change(kUri, 3, json::array({{{"range", range(1, 0, 2, 0)}, {"text", ""}}}));
  diagnostics = client.diagnostics(kUri, 3);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0]["range"]["start"]["line"], last_line + 1);
}

// The server collects a document's calls only while its own findings may read them (MEM204's
// join reads the callers of a candidate): typing a mutable default makes the candidate, and its
// caller in the same document must then be described at once, however the runs were cached.
TEST(LspServer, ACandidateTypedInADocumentWithoutOneGetsItsCallersDescribed) {
  std::string text =
      "def first_seen(event_id, _seen=None):\n    if event_id in _seen:\n        return False\n"
      "    _seen.add(event_id)\n    return True\n\n\n";
  for (int i = 0; i < 200; ++i) {
    text += "def helper_" + std::to_string(i) + "(values):\n    return len(values)\n\n\n";
  }
  text +=
      "def count_new_events(path):\n    with open(path) as handle:\n"
      "        return sum(first_seen(line) for line in handle)\n";
  const uint32_t seen_column = 31;                        // `None`
  const std::string uri = "file:///workspace/events.py";  // `example` reads as demonstration code
  Client client;
  client.initialize();
  client.open(uri, text);
  EXPECT_TRUE(client.diagnostics(uri, 1).empty());
  const auto setDefault = [&](int version, const char* old_text, const char* new_text) {
    client.change(
        uri, version,
        json::array(
            {{{"range", range(0, seen_column, 0, seen_column + std::string_view(old_text).size())},
              {"text", new_text}}}));
    return client.diagnostics(uri, version);
  };
  json diagnostics = setDefault(2, "None", "set()");
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0]["code"], "MEM204");
  EXPECT_NE(diagnostics[0]["message"].get<std::string>().find("lines of the file"),
            std::string::npos)
      << diagnostics[0]["message"];
  EXPECT_TRUE(setDefault(3, "set()", "None").empty());
  // The caller's run walked again while there is no candidate: it has no calls to give then.
  const auto last_line = static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n') - 1);
  const auto line_end =
      static_cast<uint32_t>(text.size() - 1 - (text.rfind('\n', text.size() - 2) + 1));
  client.change(
      uri, 4,
      json::array({{{"range", range(last_line, line_end, last_line, line_end)}, {"text", " "}}}));
  EXPECT_TRUE(client.diagnostics(uri, 4).empty());
  diagnostics = setDefault(5, "None", "set()");
  ASSERT_EQ(diagnostics.size(), 1U);
  EXPECT_EQ(diagnostics[0]["code"], "MEM204");
}

TEST(LspServer, NewSettingsAreNotAnsweredFromRunsKeptForTheOldOnes) {
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text += "def helper_" + std::to_string(i) + "(values):\n    return len(values)\n\n\n";
  }
  text += "def uses(path):\n    return sum([x for x in open(path)])\n";
  Client client;
  client.initialize(json::object(), {{"select", {"MEM5"}}});
  client.open(kUri, text);
  EXPECT_TRUE(client.diagnostics(kUri, 1).empty());
  client.notify("workspace/didChangeConfiguration", {{"settings", json::object()}});
  EXPECT_EQ(client.diagnostics(kUri, 1).size(), 1u);
}

TEST(LspServer, QuickFixRemovesTheDiagnostic) {
  Client client;
  client.initialize();
  const std::string text = unicodeSource();
  client.open(kUri, text);
  const json diagnostics = client.diagnostics(kUri, 1);
  const json actions = client.request("textDocument/codeAction",
                                      {{"textDocument", {{"uri", kUri}}},
                                       {"range", range(1, kUtf16Start + 2, 1, kUtf16Start + 2)},
                                       {"context", {{"diagnostics", diagnostics}}}})["result"];
  ASSERT_TRUE(actions.is_array());
  const auto quick_fix = std::find_if(actions.begin(), actions.end(), [](const json& a) {
    return a["kind"] == "quickfix" &&
           a["title"].get<std::string>().find("Disable") == std::string::npos;
  });
  ASSERT_NE(quick_fix, actions.end()) << actions.dump(2);
  EXPECT_EQ((*quick_fix)["isPreferred"], true);
  const std::string fixed = applyWorkspaceEdit(text, (*quick_fix)["edit"], kUri);
  EXPECT_EQ(fixed, "xs = open('xs')\nname = 'é😀'; total = sum(x * x for x in xs)\n");
  client.change(kUri, 2, json::array({{{"text", fixed}}}));
  EXPECT_TRUE(client.diagnostics(kUri, 2).empty());
}

// HL100 comes from the noqa machinery after the project join, in the server as in the CLI.
TEST(LspServer, UnusedNoqaIsReportedAndGoesWhenItSilencesSomething) {
  Client client;
  client.initialize();
  client.open(kUri, "xs = open(p)\ntotal = sum(xs)  # noqa: MEM101\n");
  const json diagnostics = client.diagnostics(kUri, 1);
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["code"], "HL100");
  EXPECT_EQ(diagnostics[0]["range"]["start"], position(1, 17));
  client.change(
      kUri, 2,
      json::array({{{"text", "xs = open(p)\ntotal = sum([x for x in xs])  # noqa: MEM101\n"}}}));
  EXPECT_TRUE(client.diagnostics(kUri, 2).empty());
}

// Findings kept from the last join move with the text as an editor's markers do.
TEST(CarryThrough, FindingsMoveWithTheTextAndThoseAnEditCutsAreDropped) {
  const auto finding = [](uint32_t start, uint32_t end, std::vector<Edit> fix) {
    Diagnostic d;
    d.start = start;
    d.end = end;
    if (!fix.empty()) d.fix = Fix{Applicability::Safe, std::move(fix)};
    return d;
  };
  std::vector<Diagnostic> findings{
      finding(0, 5, {{0, 5, "a"}}),                     // before the edit
      finding(10, 15, {{10, 15, "b"}}),                 // the edit is inside it
      finding(20, 30, {{20, 30, "c"}, {40, 41, "d"}}),  // after it
      finding(50, 55, {{11, 13, "import x\n"}}),        // after it, with a fix the edit touches
  };
  carryThrough(findings, 12, 13, 3);  // one byte replaced by three
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(std::pair(findings[0].start, findings[0].end), std::pair(0u, 5u));
  ASSERT_TRUE(findings[0].fix);
  EXPECT_EQ(findings[0].fix->edits[0].end, 5u);
  EXPECT_EQ(std::pair(findings[1].start, findings[1].end), std::pair(10u, 17u));
  EXPECT_FALSE(findings[1].fix);
  EXPECT_EQ(std::pair(findings[2].start, findings[2].end), std::pair(22u, 32u));
  ASSERT_TRUE(findings[2].fix);
  EXPECT_EQ(std::pair(findings[2].fix->edits[1].start, findings[2].fix->edits[1].end),
            std::pair(42u, 43u));
  EXPECT_EQ(std::pair(findings[3].start, findings[3].end), std::pair(52u, 57u));
  EXPECT_FALSE(findings[3].fix);

  carryThrough(findings, 3, 12, 0);  // across the end of the first, into the second
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(std::pair(findings[0].start, findings[0].end), std::pair(13u, 23u));
  carryThrough(findings, 13, 13, 2);  // typed right before the first left: it moves
  EXPECT_EQ(findings[0].start, 15u);
  carryThrough(findings, 25, 25, 1);  // typed right after its end: it stays
  EXPECT_EQ(findings[0].end, 25u);
}

// On a workspace whose join is slow, an edit is published at once with the findings the last join
// made, moved with the text; the join runs when the edits pause and is published again.
TEST(LspServer, ASlowJoinWaitsForAPauseAndItsFindingsMoveWithTheEdits) {
  ServerOptions options = Client::testOptions();
  options.join_budget = 0ms;  // every join counts as slow
  options.join_pause = 50ms;
  Client client(options);
  client.initialize();
  client.open(kUri, "x = 1  # noqa: MEM101\n");
  json diagnostics = client.diagnostics(kUri, 1);  // the first analysis joins
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["code"], "HL100");
  EXPECT_EQ(diagnostics[0]["range"]["start"], position(0, 7));

  client.change(kUri, 2,
                json::array({{{"range", range(0, 0, 0, 0)}, {"text", "y = 2  # noqa: MEM104\n"}}}));
  diagnostics = client.diagnostics(kUri, 2);  // at once: the last join's finding, moved
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["range"]["start"], position(1, 7));
  diagnostics = client.diagnostics(kUri, 2);  // after the pause: the join's own
  ASSERT_EQ(diagnostics.size(), 2u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["range"]["start"], position(0, 7));
  EXPECT_EQ(diagnostics[1]["range"]["start"], position(1, 7));
}

// A class of 400 small methods (28 KB) and a last one with a MEM101 finding at `finding_line`.
std::string bigClassWithAFinding(uint32_t& finding_line) {
  std::string text = "class Big:\n";
  for (int i = 0; i < 400; ++i) {
    text += "    def method_" + std::to_string(i) +
            "(self, values):\n        return len(values) + " + std::to_string(i) + "\n\n";
  }
  finding_line = static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n') + 2);
  text +=
      "    def total(self, path):\n        xs = open(path)\n        return sum([x * x for x in "
      "xs])\n";
  return text;
}

// The test server's options with the join's pause and longest wait (what the analysis of a text
// left broken waits for, too).
ServerOptions pausingOptions(std::chrono::milliseconds pause,
                             std::chrono::milliseconds longest_wait = 3s) {
  ServerOptions options = Client::testOptions();
  options.join_pause = pause;
  options.join_max_wait = longest_wait;
  return options;
}

// A keystroke that leaves a method of a large class broken publishes the findings from before it
// at once, moved with the text; the class is re-parsed and walked once typing pauses, or at the
// next edit that leaves the method valid.
TEST(LspServer, ABrokenMethodInABigClassPublishesTheFindingsBeforeItUntilTypingPauses) {
  Client client(pausingOptions(50ms));
  client.initialize();
  uint32_t finding_line = 0;
  const std::string text = bigClassWithAFinding(finding_line);
  ASSERT_GT(text.size(), ChunkedTree::kMethodAloneMinimum);
  client.open(kUri, text);
  json diagnostics = client.diagnostics(kUri, 1);
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["range"]["start"]["line"], finding_line);

  // `def` alone on a line of method_3's body: broken, and one line more above the finding.
  const json broken = range(11, 8, 11, 8);
  client.change(kUri, 2, json::array({{{"range", broken}, {"text", "def\n        "}}}));
  diagnostics = client.diagnostics(kUri, 2);  // at once: the finding from before, moved
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["range"]["start"]["line"], finding_line + 1);
  EXPECT_TRUE(diagnostics[0]["data"]["fix"].is_null());
  diagnostics = client.diagnostics(kUri, 2);  // after the pause: the broken text's own analysis
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["range"]["start"]["line"], finding_line + 1);

  // Undone: valid again, analysed at once.
  client.change(kUri, 3, json::array({{{"range", range(11, 8, 12, 8)}, {"text", ""}}}));
  diagnostics = client.diagnostics(kUri, 3);
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["range"]["start"]["line"], finding_line);
  EXPECT_FALSE(diagnostics[0]["data"]["fix"].is_null());
}

// A keystroke that leaves a small run broken (where no method is judged alone) publishes the
// findings from before it too, once the run's re-parse has the error: its analysis, which walks
// again every run naming what the error hides, waits for the pause.
TEST(LspServer, ABrokenSmallRunPublishesTheFindingsBeforeItUntilTypingPauses) {
  Client client(pausingOptions(50ms));
  client.initialize();
  client.open(kUri, "xs = open('x')\nt = sum([x for x in xs])\n");
  json diagnostics = client.diagnostics(kUri, 1);
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_FALSE(diagnostics[0]["data"]["fix"].is_null());

  client.change(kUri, 2, json::array({{{"range", range(1, 0, 1, 0)}, {"text", "def\n"}}}));
  diagnostics = client.diagnostics(kUri, 2);  // at once: the finding from before, moved
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["range"]["start"]["line"], 2);
  EXPECT_TRUE(diagnostics[0]["data"]["fix"].is_null());
  // After the pause: the broken text's own analysis, where `sum` is a statement of the broken
  // `def`.
  diagnostics = client.diagnostics(kUri, 2);
  EXPECT_TRUE(diagnostics.empty()) << diagnostics.dump(2);

  // Undone: valid again, analysed at once.
  client.change(kUri, 3, json::array({{{"range", range(1, 0, 2, 0)}, {"text", ""}}}));
  diagnostics = client.diagnostics(kUri, 3);
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["range"]["start"]["line"], 1);
  EXPECT_FALSE(diagnostics[0]["data"]["fix"].is_null());
}

// Deleting the last line of a run leaves the run ending where the deletion was made: that run is
// the one the deletion broke, and the findings from before are published until the pause.
TEST(LspServer, DeletingTheEndOfARunThatBreaksItCarriesTheFindings) {
  std::string text = "xs = open('x')\nt = sum([x for x in xs])\n";
  for (int i = 0; i < 400; ++i) {
    text += "value_" + std::to_string(i) + " = make(\n    " + std::to_string(i) + ",\n)\n";
  }
  const SourceText source(text);
  ChunkedTree runs;
  runs.parse(source, PythonParser::forThisThread());
  const std::vector<uint32_t> starts = runs.chunkStarts();
  ASSERT_GT(starts.size(), 2u);
  ASSERT_EQ(text.substr(starts[2] - 2, 2), ")\n");  // the second run's last line
  const uint32_t row = source.rowOf(starts[2]);
  Client client(pausingOptions(50ms));
  client.initialize();
  client.open(kUri, text);
  ASSERT_EQ(client.diagnostics(kUri, 1).size(), 1u);
  client.change(kUri, 2, json::array({{{"range", range(row - 1, 0, row, 0)}, {"text", ""}}}));
  EXPECT_EQ(client.diagnostics(kUri, 2).size(), 1u);  // at once: the finding from before
  client.diagnostics(kUri, 2);  // after the pause: a second push, the broken text's analysis
}

// A file analysed with a syntax error already (an unfinished `def` at its end): an edit elsewhere
// in the same run is analysed at once, not held for a pause.
TEST(LspServer, AnEditInAFileAnalysedBrokenIsAnalysedAtOnce) {
  Client client(pausingOptions(60s, 60s));
  client.initialize();
  client.open(kUri, "xs = open('x')\n\n\ndef helper(\n");
  EXPECT_TRUE(client.diagnostics(kUri, 1).empty());
  client.change(
      kUri, 2,
      json::array({{{"range", range(1, 0, 1, 0)}, {"text", "t = sum([x for x in xs])\n"}}}));
  const json diagnostics = client.diagnostics(kUri, 2);
  ASSERT_EQ(diagnostics.size(), 1u) << diagnostics.dump(2);
  EXPECT_EQ(diagnostics[0]["range"]["start"]["line"], 1);
}

// Typing that never pauses still gets the broken text analysed, `join_max_wait` after it broke.
TEST(LspServer, ABrokenMethodIsAnalysedAtTheLatestAfterTheJoinsLongestWait) {
  Client client(pausingOptions(60s, 50ms));
  client.initialize();
  uint32_t finding_line = 0;
  client.open(kUri, bigClassWithAFinding(finding_line));
  ASSERT_EQ(client.diagnostics(kUri, 1).size(), 1u);
  client.change(kUri, 2,
                json::array({{{"range", range(11, 8, 11, 8)}, {"text", "def\n        "}}}));
  EXPECT_TRUE(client.diagnostics(kUri, 2)[0]["data"]["fix"].is_null());  // carried
  const json analysed = client.diagnostics(kUri, 2);                     // not 60 s later
  ASSERT_EQ(analysed.size(), 1u) << analysed.dump(2);
  EXPECT_EQ(analysed[0]["range"]["start"]["line"], finding_line + 1);
}

std::string readFixture(const std::string& name) {
  std::ifstream in(std::string(HEAPLINT_SOURCE_DIR "/fixtures/") + name, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The byte offset of an LSP position in UTF-8 (columns in bytes).
size_t offsetOf(const std::string& text, uint32_t line, uint32_t character) {
  size_t offset = 0;
  for (uint32_t row = 0; row < line; ++row)
    offset = text.find('\n', offset) + 1;
  return offset + character;
}

// What one list of diagnostics has that the other lacks, a line each.
std::string diagnosticDifferences(const json& published, const json& expected) {
  std::string lines;
  for (const auto& [from, to, sign] :
       {std::tuple{&published, &expected, "+ "}, std::tuple{&expected, &published, "- "}}) {
    for (const json& item : *from) {
      if (std::find(to->begin(), to->end(), item) == to->end()) {
        lines += sign + item.dump().substr(0, 400) + "\n";
      }
    }
  }
  return lines;
}

// Typing through the server, as an editor sends it: random keystrokes in a big slotted class
// (methods left broken, carried findings, the memo of what methods assign) and in the module code
// after it (small runs), in bursts with and without pauses, each undone until the text parses.
// Then the last publication must be the analysis that a fresh server gives the same text.
TEST(LspServer, TypingEndsWithTheAnalysisOfTheTextAsAFreshServerGivesIt) {
  // HEAPLINT_SERVER_SEED=N types another sequence (for stress runs by hand).
  const char* seed = std::getenv("HEAPLINT_SERVER_SEED");
  std::mt19937 random(seed != nullptr ? static_cast<unsigned>(std::atoi(seed)) : 17U);
  // Sanitizer builds run several times slower (scripts/sanitize.sh sets the factor): the pauses
  // and the quiet the test waits for grow with them, so that they still outlast an analysis.
  const char* slowdown_text = std::getenv("HEAPLINT_TEST_SLOWDOWN");
  const double slowdown = std::max(1.0, slowdown_text != nullptr ? std::atof(slowdown_text) : 1.0);
  const auto scaled = [&](std::chrono::milliseconds duration) {
    return std::chrono::milliseconds(static_cast<int64_t>(duration.count() * slowdown));
  };
  uint32_t finding_line = 0;
  std::string text = bigClassWithAFinding(finding_line);
  text.insert(text.find('\n') + 1, "    __slots__ = (\"values\",)\n\n");
  for (int i = 0; i < 400; i += 7) {  // methods assigning inside and outside the slots
    const std::string method = "    def method_" + std::to_string(i) + "(self, values):\n";
    text.insert(text.find(method) + method.size(),
                i % 2 == 0 ? "        self.values = values\n" : "        self.extra = values\n");
  }
  const uint32_t class_lines = static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n'));
  for (const char* fixture :
       {"mem1/MEM101_list_comprehension_in_reducer.py", "mem5/MEM502_gc_disabled_without_enable.py",
        "mem2/MEM201_unbounded_module_cache.py"}) {
    text += readFixture(fixture);
  }
  // UTF-8 positions: LSP columns are byte offsets, kept on character boundaries.
  const json capabilities = {{"general", {{"positionEncodings", {"utf-8"}}}}};
  const json preview = {{"preview", true}};
  const auto freshAnalysis = [&](const std::string& final_text) {
    Client fresh;
    fresh.initialize(capabilities, preview);
    fresh.open(kUri, final_text);
    return fresh.diagnostics(kUri, 1, scaled(10s));
  };

  Client client(pausingOptions(scaled(20ms), scaled(200ms)));
  client.initialize(capabilities, preview);
  client.open(kUri, text);
  ASSERT_EQ(client.diagnostics(kUri, 1, scaled(10s)), freshAnalysis(text));
  const std::vector<std::string> pieces = {"q", "(", ")",    ":",          "\n",
                                           " ", "'", "def ", "\n        ", "sum([x for x in xs])"};
  int version = 1;
  for (int burst = 0; burst < 4; ++burst) {
    std::vector<json> undo;  // what reverts each keystroke, in the order typed
    for (int keystroke = 0; keystroke < 20; ++keystroke) {
      const uint32_t lines = static_cast<uint32_t>(std::count(text.begin(), text.end(), '\n'));
      // Two keystrokes in three in the class.
      const uint32_t line = random() % 3 != 0 ? random() % class_lines
                                              : class_lines + random() % (lines - class_lines);
      const size_t line_start = offsetOf(text, line, 0);
      const size_t line_end = std::min(text.find('\n', line_start), text.size());
      const auto isContinuation = [&](size_t i) {
        return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
      };
      size_t at = line_start + random() % (line_end - line_start + 1);
      while (isContinuation(at))
        --at;
      const auto column = static_cast<uint32_t>(at - line_start);
      json change;
      if (random() % 2 == 0 && at < text.size()) {
        size_t end = std::min(at + 1 + random() % 3, text.size());
        while (isContinuation(end))
          ++end;
        uint32_t end_line = line;
        uint32_t end_column = column;
        for (size_t i = at; i < end; ++i) {
          if (text[i] == '\n') {
            ++end_line;
            end_column = 0;
          } else {
            ++end_column;
          }
        }
        change = {{"range", range(line, column, end_line, end_column)}, {"text", ""}};
        undo.push_back(
            {{"range", range(line, column, line, column)}, {"text", text.substr(at, end - at)}});
        text.erase(at, end - at);
      } else {
        const std::string& piece = pieces[random() % pieces.size()];
        change = {{"range", range(line, column, line, column)}, {"text", piece}};
        const auto piece_lines =
            static_cast<uint32_t>(std::count(piece.begin(), piece.end(), '\n'));
        const auto piece_end = piece_lines == 0
                                   ? column + static_cast<uint32_t>(piece.size())
                                   : static_cast<uint32_t>(piece.size() - piece.rfind('\n') - 1);
        undo.push_back(
            {{"range", range(line, column, line + piece_lines, piece_end)}, {"text", ""}});
        text.insert(at, piece);
      }
      client.change(kUri, ++version, json::array({change}));
      // Now and then a pause longer than the join's: carried findings give way to an analysis.
      if (random() % 4 == 0) std::this_thread::sleep_for(scaled(30ms));
    }
    // Undo, as fast as typing, until the text parses: what a text with a syntax error shows
    // depends on how its runs were cut, and so on the edits that led to it.
    const auto parses = [](const std::string& candidate) {
      const TreePtr tree = PythonParser::forThisThread().parse(SourceText(candidate));
      return !ts_node_has_error(ts_tree_root_node(tree.get()));
    };
    while (!parses(text)) {
      ASSERT_FALSE(undo.empty());
      const json& change = undo.back();
      const json& start = change["range"]["start"];
      const json& end = change["range"]["end"];
      const size_t from = offsetOf(text, start["line"], start["character"]);
      text.replace(from, offsetOf(text, end["line"], end["character"]) - from,
                   change["text"].get<std::string>());
      client.change(kUri, ++version, json::array({change}));
      undo.pop_back();
    }
    // Typing stops. The publications of this version, in the order they come, must end with
    // the fresh analysis and then stay quiet for longer than the join's longest wait.
    const json expected = freshAnalysis(text);
    std::vector<json> published;
    auto last_came = std::chrono::steady_clock::now();
    const auto deadline = last_came + scaled(30s);
    bool settled = false;
    while (!settled && std::chrono::steady_clock::now() < deadline) {
      for (const std::string& message : client.transport().takeAll()) {
        const json parsed = json::parse(message);
        if (parsed.value("method", "") == "textDocument/publishDiagnostics" &&
            parsed["params"].value("version", -1) == version) {
          published.push_back(parsed["params"]["diagnostics"]);
          last_came = std::chrono::steady_clock::now();
        }
      }
      settled = !published.empty() && published.back() == expected &&
                std::chrono::steady_clock::now() - last_came > scaled(600ms);
      if (!settled) std::this_thread::sleep_for(20ms);
    }
    ASSERT_FALSE(published.empty()) << "burst " << burst;
    EXPECT_TRUE(settled) << "burst " << burst << ": no quiet after " << published.size()
                         << " publications";
    ASSERT_TRUE(published.back() == expected)
        << "burst " << burst << " (+ published last, - expected):\n"
        << diagnosticDifferences(published.back(), expected) << "text:\n"
        << text;
  }
}

json actionTitled(const json& actions, const std::string& title) {
  for (const json& action : actions) {
    if (action["title"] == title) return action;
  }
  ADD_FAILURE() << "no action titled " << title << " in " << actions.dump(2);
  return json::object();
}

TEST(LspServer, NoqaActionInsertsOrExtendsTheComment) {
  Client client;
  client.initialize();
  const std::string plain = "xs = open('x')\nt = sum([x for x in xs])\n";
  client.open(kUri, plain);
  client.diagnostics(kUri, 1);
  json actions = client.request("textDocument/codeAction",
                                {{"textDocument", {{"uri", kUri}}},
                                 {"range", range(1, 9, 1, 9)},
                                 {"context", {{"diagnostics", json::array()}}}})["result"];
  std::string edited = applyWorkspaceEdit(
      plain, actionTitled(actions, "Disable MEM101 for this line")["edit"], kUri);
  EXPECT_EQ(edited, "xs = open('x')\nt = sum([x for x in xs])  # noqa: MEM101\n");

  const std::string with_comment =
      "xs = open('x')\nt = sum([x for x in xs])  # noqa: E501  # why\n";
  client.change(kUri, 2, json::array({{{"text", with_comment}}}));
  ASSERT_EQ(client.diagnostics(kUri, 2).size(), 1u);
  actions = client.request("textDocument/codeAction",
                           {{"textDocument", {{"uri", kUri}}},
                            {"range", range(1, 9, 1, 9)},
                            {"context", {{"diagnostics", json::array()}}}})["result"];
  edited = applyWorkspaceEdit(with_comment,
                              actionTitled(actions, "Disable MEM101 for this line")["edit"], kUri);
  EXPECT_EQ(edited, "xs = open('x')\nt = sum([x for x in xs])  # noqa: E501, MEM101  # why\n");
  client.change(kUri, 3, json::array({{{"text", edited}}}));
  EXPECT_TRUE(client.diagnostics(kUri, 3).empty());
}

// A comment after a backslash continuation is a syntax error, and one on the next line would not
// apply; one at the end of a line inside a triple-quoted string would join the string. No
// "Disable" action on such lines (the quick fix is still offered), as `--add-noqa` skips them.
TEST(LspServer, NoNoqaActionOnALineThatCannotHoldAComment) {
  for (const std::string& text : {
           std::string("xs = open('x')\nt = sum([x for x in xs]) + \\\n    1\n"),
           std::string("xs = open('x')\nt = sum([x for x in xs]) + len(\"\"\"abc\ndef\"\"\")\n"),
       }) {
    Client client;
    client.initialize();
    client.open(kUri, text);
    ASSERT_EQ(client.diagnostics(kUri, 1).size(), 1u) << text;
    const json actions = client.request("textDocument/codeAction",
                                        {{"textDocument", {{"uri", kUri}}},
                                         {"range", range(1, 9, 1, 9)},
                                         {"context", {{"diagnostics", json::array()}}}})["result"];
    ASSERT_FALSE(actions.empty()) << "the quick fix for " << text;
    for (const json& action : actions) {
      EXPECT_EQ(action["title"].get<std::string>().find("Disable"), std::string::npos)
          << action.dump(2);
    }
  }
}

TEST(LspServer, UnsafeFixesOnlyWhenTheClientAllows) {
  const std::string text = "xs = open('x')\nflag = any([x > 1 for x in xs])\n";
  const auto quickFixCount = [&](json options) {
    Client client;
    client.initialize(json::object(), std::move(options));
    client.open(kUri, text);
    client.diagnostics(kUri, 1);
    const json actions = client.request("textDocument/codeAction",
                                        {{"textDocument", {{"uri", kUri}}},
                                         {"range", range(1, 12, 1, 12)},
                                         {"context", {{"diagnostics", json::array()}}}})["result"];
    return std::count_if(actions.begin(), actions.end(), [](const json& a) {
      return a["title"].get<std::string>().find("unsafe") != std::string::npos;
    });
  };
  EXPECT_EQ(quickFixCount(nullptr), 0);
  EXPECT_EQ(quickFixCount({{"unsafeFixes", true}}), 1);
}

TEST(LspServer, ThePreviewSettingRunsWhatOnlyPreviewReports) {
  // A public function's parameter is evidence of data size for MEM101 only in preview.
  const std::string text = "def total(xs):\n    return sum([x * x for x in xs])\n";
  const auto diagnosticCount = [&](json options) {
    Client client;
    client.initialize(json::object(), std::move(options));
    client.open(kUri, text);
    return client.diagnostics(kUri, 1).size();
  };
  EXPECT_EQ(diagnosticCount(nullptr), 0U);
  EXPECT_EQ(diagnosticCount({{"preview", false}}), 0U);
  EXPECT_EQ(diagnosticCount({{"preview", true}}), 1U);
}

TEST(LspServer, NoFixThatTheDeclaredEncodingCannotHold) {
  // The editor has decoded the file; saved in Latin-1 it can hold `é` but not `ŝ`, which MEM401's
  // fix would copy into `__slots__`.
  TemporaryDirectory workspace;
  workspace.write("heaplint.toml", "preview = true\n");  // MEM401 is a preview rule
  const std::string uri = uriFromPath(workspace.path() / "example.py");
  const auto slotsFixCount = [&](const std::string& attribute) {
    const std::string text =
        "# -*- coding: latin-1 -*-\nclass Point:\n    def __init__(self, v):\n"
        "        self." +
        attribute + " = v\n\n\ndef make(path):\n    return [Point(v) for v in open(path)]\n";
    Client client;
    client.initialize(json::object(), {{"unsafeFixes", true}});
    client.open(uri, text);
    const json diagnostics = client.diagnostics(uri, 1);
    EXPECT_EQ(diagnostics.size(), 1U);
    const json actions = client.request("textDocument/codeAction",
                                        {{"textDocument", {{"uri", uri}}},
                                         {"range", range(1, 7, 1, 7)},
                                         {"context", {{"diagnostics", diagnostics}}}})["result"];
    return std::count_if(actions.begin(), actions.end(), [](const json& a) {
      return a["title"].get<std::string>().find("__slots__") != std::string::npos;
    });
  };
  EXPECT_EQ(slotsFixCount("caf\u00e9"), 1);
  EXPECT_EQ(slotsFixCount("\u015d"), 0);
}

TEST(LspServer, FixAllAppliesEverySafeFix) {
  Client client;
  client.initialize();
  const std::string text =
      "xs = open('x')\na = sum([x for x in xs])\nb = max([x for x in xs])\nc = any([x for x in "
      "xs])\n";
  client.open(kUri, text);
  client.diagnostics(kUri, 1);
  const json actions = client.request(
      "textDocument/codeAction",
      {{"textDocument", {{"uri", kUri}}},
       {"range", range(0, 0, 0, 0)},
       {"context", {{"diagnostics", json::array()}, {"only", {"source.fixAll"}}}}})["result"];
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0]["kind"], "source.fixAll.heaplint");
  EXPECT_EQ(
      applyWorkspaceEdit(text, actions[0]["edit"], kUri),
      "xs = open('x')\na = sum(x for x in xs)\nb = max(x for x in xs)\nc = any([x for x in xs])\n");
}

TEST(LspServer, ExecuteCommandFixAllAsksTheClientToApplyTheEdit) {
  Client client;
  const json capabilities = client.initialize()["result"]["capabilities"];
  EXPECT_EQ(capabilities["executeCommandProvider"]["commands"],
            json({"heaplint.applyAutofix", "heaplint.ruleDocumentation"}));
  const std::string text =
      "xs = open(p)\na = sum([len(x) for x in xs])\nc = any([x for x in xs])\n";
  client.open(kUri, text);
  client.diagnostics(kUri, 1);
  const json reply = client.request(
      "workspace/executeCommand",
      {{"command", "heaplint.applyAutofix"}, {"arguments", {{{"uri", kUri}, {"version", 1}}}}});
  EXPECT_TRUE(reply.contains("result") && reply["result"].is_null()) << reply.dump();
  const json apply =
      client.waitFor([](const json& m) { return m.value("method", "") == "workspace/applyEdit"; });
  ASSERT_TRUE(apply.contains("id")) << apply.dump();  // a request: the client answers it
  EXPECT_EQ(applyWorkspaceEdit(text, apply["params"]["edit"], kUri),
            "xs = open(p)\na = sum(len(x) for x in xs)\nc = any([x for x in xs])\n");

  const json unknown_document = client.request(
      "workspace/executeCommand",
      {{"command", "heaplint.applyAutofix"}, {"arguments", {{{"uri", "file:///not/open.py"}}}}});
  EXPECT_EQ(unknown_document["error"]["code"], static_cast<int>(ErrorCode::InvalidParams));
}

TEST(LspServer, ExecuteCommandRuleDocumentation) {
  Client client;
  client.initialize();
  const json found = client.request(
      "workspace/executeCommand",
      {{"command", "heaplint.ruleDocumentation"}, {"arguments", {"stray-gc-collect"}}});
  ASSERT_TRUE(found["result"].is_object()) << found.dump();
  EXPECT_EQ(found["result"]["code"], "MEM501");
  const std::string markdown = found["result"]["markdown"];
  EXPECT_EQ(markdown.rfind("# MEM501 stray-gc-collect", 0), 0u);
  EXPECT_NE(markdown.find("## What it does"), std::string::npos);

  for (const json& arguments : {json({"MEM999"}), json::array(), json({1})}) {
    const json error =
        client.request("workspace/executeCommand",
                       {{"command", "heaplint.ruleDocumentation"}, {"arguments", arguments}});
    EXPECT_EQ(error["error"]["code"], static_cast<int>(ErrorCode::InvalidParams)) << error.dump();
  }
  const json unknown =
      client.request("workspace/executeCommand", {{"command", "heaplint.nothing"}});
  EXPECT_EQ(unknown["error"]["code"], static_cast<int>(ErrorCode::InvalidParams));
}

TEST(LspServer, HoverOnNoqaCodeShowsTheRuleDocumentation) {
  Client client;
  client.initialize();
  client.open(kUri, "import gc\ngc.collect()  # noqa: E501, MEM501\n");
  client.diagnostics(kUri, 1);
  const auto hoverAt = [&](uint32_t character) {
    return client.request("textDocument/hover", {{"textDocument", {{"uri", kUri}}},
                                                 {"position", position(1, character)}})["result"];
  };
  const json result = hoverAt(31);  // inside "MEM501"
  ASSERT_TRUE(result.is_object()) << result.dump();
  const std::string markdown = result["contents"]["value"];
  EXPECT_NE(markdown.find("MEM501"), std::string::npos);
  EXPECT_NE(markdown.find("## What it does"), std::string::npos);
  EXPECT_EQ(result["range"], range(1, 28, 1, 34));
  EXPECT_TRUE(hoverAt(23).is_null());  // E501 is not ours
  EXPECT_TRUE(hoverAt(3).is_null());   // code, not a comment
}

TEST(LspServer, HoverInPlainTextForClientsWithoutMarkdown) {
  Client client;
  client.initialize({{"textDocument", {{"hover", {{"contentFormat", {"plaintext"}}}}}}});
  client.open(kUri, "x = 1  # noqa: MEM101\n");
  client.diagnostics(kUri, 1);
  const json result =
      client.request("textDocument/hover",
                     {{"textDocument", {{"uri", kUri}}}, {"position", position(0, 17)}})["result"];
  ASSERT_TRUE(result.is_object()) << result.dump();
  EXPECT_EQ(result["contents"]["kind"], "plaintext");
  EXPECT_EQ(result["contents"]["value"].get<std::string>().rfind("MEM101 list-comprehension", 0),
            0u);
}

TEST(LspServer, PullDiagnosticsWhenTheClientSupportsThem) {
  Client client;
  const json response = client.initialize({{"textDocument", {{"diagnostic", json::object()}}}});
  EXPECT_EQ(response["result"]["capabilities"]["diagnosticProvider"]["identifier"], "heaplint");
  client.open(kUri, unicodeSource());
  json report =
      client.request("textDocument/diagnostic", {{"textDocument", {{"uri", kUri}}}})["result"];
  EXPECT_EQ(report["kind"], "full");
  ASSERT_EQ(report["items"].size(), 1u);
  EXPECT_EQ(report["items"][0]["range"], range(1, kUtf16Start, 1, kUtf16End));
  const std::string result_id = report["resultId"];
  report = client.request("textDocument/diagnostic", {{"textDocument", {{"uri", kUri}}},
                                                      {"previousResultId", result_id}})["result"];
  EXPECT_EQ(report["kind"], "unchanged");
  client.change(kUri, 2,
                json::array({
                    {{"range", range(1, kUtf16Start, 1, kUtf16Start + 1)}, {"text", ""}},
                }));
  report = client.request("textDocument/diagnostic", {{"textDocument", {{"uri", kUri}}},
                                                      {"previousResultId", result_id}})["result"];
  EXPECT_EQ(report["kind"], "full");
  EXPECT_TRUE(report["items"].empty());
  // No pushes in pull mode.
  for (const std::string& message : client.transport().takeAll()) {
    EXPECT_EQ(message.find("publishDiagnostics"), std::string::npos) << message;
  }
}

TEST(LspServer, RegistersWatchedFilesDynamicallyAndRepublishesOnChange) {
  Client client;
  client.initialize({{"workspace", {{"didChangeWatchedFiles", {{"dynamicRegistration", true}}}}}});
  const json registration = client.waitFor(
      [](const json& m) { return m.value("method", "") == "client/registerCapability"; });
  const std::string watchers = registration["params"].dump();
  EXPECT_NE(watchers.find("**/pyproject.toml"), std::string::npos);
  EXPECT_NE(watchers.find("**/heaplint.toml"), std::string::npos);
  client.sendRaw(json{{"jsonrpc", "2.0"}, {"id", registration["id"]}, {"result", nullptr}}.dump());
  client.open(kUri, unicodeSource());
  client.diagnostics(kUri, 1);
  client.notify(
      "workspace/didChangeWatchedFiles",
      {{"changes", json::array({{{"uri", "file:///workspace/pyproject.toml"}, {"type", 2}}})}});
  EXPECT_EQ(client.diagnostics(kUri, 1).size(), 1u);  // re-published
}

TEST(LspServer, ClientSettingsSelectAndIgnoreRules) {
  Client client;
  client.initialize(json::object(), {{"ignore", {"MEM1"}}});
  client.open(kUri, unicodeSource() +
                        "import gc\n\n\ndef f(path):\n    for line in open(path): gc.collect()\n");
  const json diagnostics = client.diagnostics(kUri, 1);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0]["code"], "MEM501");
}

TEST(LspServer, DebounceCoalescesABurstOfEdits) {
  Client client;
  client.initialize(json::object(), {{"debounceMs", 300}});
  const std::string text = "# notes\nxs = open('x')\nt = sum([x for x in xs])\n";
  client.open(kUri, text);
  ASSERT_EQ(client.diagnostics(kUri, 1).size(), 1u);
  // Five keystrokes (into the comment) well within the debounce: one publication, for the last
  // version.
  for (int version = 2; version <= 6; ++version) {
    client.change(kUri, version, json::array({{{"range", range(0, 0, 0, 0)}, {"text", "#"}}}));
  }
  const json diagnostics = client.diagnostics(kUri, 6);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0]["range"]["start"], position(2, 8));
  for (const std::string& message : client.transport().takeAll()) {
    EXPECT_EQ(message.find("publishDiagnostics"), std::string::npos) << message;
  }
}

TEST(LspServer, ClosingADocumentClearsItsDiagnostics) {
  Client client;
  client.initialize();
  client.open(kUri, unicodeSource());
  ASSERT_EQ(client.diagnostics(kUri, 1).size(), 1u);
  client.notify("textDocument/didClose", {{"textDocument", {{"uri", kUri}}}});
  const json cleared = client.waitFor([](const json& m) {
    return m.value("method", "") == "textDocument/publishDiagnostics" && m["params"]["uri"] == kUri;
  });
  EXPECT_TRUE(cleared["params"]["diagnostics"].empty());
}

TEST(LspServer, WrongShapedParamsNeverCrashTheServer) {
  Client client;
  client.initialize({{"general", {{"positionEncodings", "utf-8"}}}, {"workspace", 3}});
  client.open(kUri, unicodeSource());
  client.diagnostics(kUri, 1);
  const std::vector<std::string> methods = {"textDocument/didOpen",
                                            "textDocument/didChange",
                                            "textDocument/didSave",
                                            "textDocument/didClose",
                                            "workspace/didChangeWatchedFiles",
                                            "workspace/didChangeConfiguration",
                                            "textDocument/hover",
                                            "textDocument/codeAction",
                                            "textDocument/diagnostic"};
  const std::vector<json> bad_params = {
      nullptr,
      1,
      "text",
      json::array(),
      {{"textDocument", 1}},
      {{"textDocument", {{"uri", 5}}}},
      {{"textDocument", {{"uri", kUri}, {"version", "x"}}}, {"contentChanges", "x"}},
      {{"textDocument", {{"uri", kUri}, {"version", 9}}},
       {"contentChanges", json::array({{{"range", range(1, 0, 0, 0)}, {"text", 3}}})}},
      {{"textDocument", {{"uri", kUri}, {"version", 9}}},
       {"contentChanges",
        json::array({{{"range", {{"start", position(99, 99)}, {"end", 7}}}, {"text", ""}}})}},
      {{"textDocument", {{"uri", kUri}}}, {"position", {{"line", -1}, {"character", 0}}}},
      {{"textDocument", {{"uri", kUri}}}, {"position", {{"line", 1e12}, {"character", 1e12}}}},
      {{"textDocument", {{"uri", kUri}}}, {"range", range(500, 0, 0, 400)}, {"context", 3}},
      {{"changes", json::array({{{"uri", 4}}, {{"uri", "file:///x/pyproject.toml"}}})}},
      {{"settings", {{"select", 5}, {"unsafeFixes", "yes"}, {"debounceMs", -4}}}},
  };
  int id = 1000;
  for (const std::string& method : methods) {
    for (const json& params : bad_params) {
      client.sendRaw(json{{"jsonrpc", "2.0"}, {"method", method}, {"params", params}}.dump());
      client.sendRaw(
          json{{"jsonrpc", "2.0"}, {"id", ++id}, {"method", method}, {"params", params}}.dump());
    }
  }
  // Still alive and consistent: a fresh document is analysed as usual.
  const std::string uri = "file:///workspace/other.py";
  client.open(uri, unicodeSource(), 3);
  const json diagnostics = client.diagnostics(uri, 3);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0]["range"]["start"], position(1, kUtf16Start));
  EXPECT_TRUE(client.request("shutdown", nullptr)["result"].is_null());
}

TEST(LspServer, WorkspaceFactsFlagAClassMadeHotInAnotherFile) {
  TemporaryDirectory workspace;
  const std::string models = "class Point:\n    def __init__(self, x):\n        self.x = x\n";
  workspace.write("pkg/__init__.py", "");
  workspace.write("pkg/models.py", models);
  workspace.write("pkg/load.py",
                  "from .models import Point\n\n\ndef make(path):\n    return [Point(x) for x in "
                  "open(path)]\n");
  workspace.write("heaplint.toml", "preview = true\n");  // MEM401 is a preview rule
  ServerOptions options;
  options.index_workspace = true;
  Client client(options);
  client.initialize(json::object(), nullptr, uriFromPath(workspace.path()));
  const std::string uri = uriFromPath(workspace.path() / "pkg/models.py");
  client.open(uri, models);
  // The first publication may come before the index is ready; the server publishes again after.
  bool flagged = false;
  for (int attempt = 0; attempt < 2 && !flagged; ++attempt) {
    const json diagnostics = client.diagnostics(uri, 1);
    flagged = diagnostics.size() == 1 && diagnostics[0]["code"] == "MEM401";
  }
  EXPECT_TRUE(flagged);
}

TEST(LspServer, AVendoredFolderDoesNotShadowTheStandardLibrary) {
  // As in the CLI: without a configuration file or a git repository, the workspace folder is the
  // project root, and `vendor/stubs/` (no package) is no import root: its `inspect.py` is not
  // the `inspect` that `app.py` imports.
  TemporaryDirectory workspace;
  const std::string stub = "class Signature:\n    def __init__(self, x):\n        self.x = x\n";
  workspace.write("vendor/stubs/inspect.py", stub);
  workspace.write("app.py",
                  "import inspect\n\n\ndef make(path):\n    return [inspect.Signature(x) for x in "
                  "open(path)]\n");
  workspace.write("models.py", "class Point:\n    def __init__(self, x):\n        self.x = x\n");
  workspace.write(
      "load.py",
      "import models\n\n\ndef make(path):\n    return [models.Point(x) for x in open(path)]\n");
  workspace.write("heaplint.toml", "preview = true\n");  // MEM401 is a preview rule
  ServerOptions options;
  options.index_workspace = true;
  Client client(options);
  client.initialize(json::object(), nullptr, uriFromPath(workspace.path()));
  // A module of the project is reported once the index is ready ...
  const std::string models = uriFromPath(workspace.path() / "models.py");
  client.open(models, "class Point:\n    def __init__(self, x):\n        self.x = x\n");
  bool flagged = false;
  for (int attempt = 0; attempt < 2 && !flagged; ++attempt) {
    flagged = client.diagnostics(models, 1).size() == 1;
  }
  ASSERT_TRUE(flagged);
  // ... the vendored file is not.
  const std::string vendored = uriFromPath(workspace.path() / "vendor/stubs/inspect.py");
  client.open(vendored, stub);
  EXPECT_TRUE(client.diagnostics(vendored, 1).empty());
}

TEST(LspServer, AddedWorkspaceFolderBringsItsFacts) {
  TemporaryDirectory workspace;
  const std::string models = "class Point:\n    def __init__(self, x):\n        self.x = x\n";
  workspace.write("pkg/__init__.py", "");
  workspace.write("pkg/models.py", models);
  workspace.write("pkg/load.py",
                  "from .models import Point\n\n\ndef make(path):\n    return [Point(x) for x in "
                  "open(path)]\n");
  workspace.write("heaplint.toml", "preview = true\n");  // MEM401 is a preview rule
  ServerOptions options;
  options.index_workspace = true;
  Client client(options);
  client.initialize();  // no workspace yet
  const std::string uri = uriFromPath(workspace.path() / "pkg/models.py");
  client.open(uri, models);
  EXPECT_TRUE(client.diagnostics(uri, 1).empty());
  const json folder = {{"uri", uriFromPath(workspace.path())}, {"name", "ws"}};
  client.notify("workspace/didChangeWorkspaceFolders",
                {{"event", {{"added", json::array({folder})}, {"removed", json::array()}}}});
  json diagnostics = client.diagnostics(uri, 1);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0]["code"], "MEM401");
  client.notify("workspace/didChangeWorkspaceFolders",
                {{"event", {{"added", json::array()}, {"removed", json::array({folder})}}}});
  EXPECT_TRUE(client.diagnostics(uri, 1).empty());
}

// Configuration files, as the CLI reads them: the open document is checked with the closest one.
class LspConfiguration : public ::testing::Test {
 protected:
  static constexpr std::string_view kGcCall =
      "import gc\n\n\ndef f(path):\n    for line in open(path): gc.collect()\n";

  std::string uriOf(const std::string& relative) const {
    return uriFromPath(workspace_.path() / relative);
  }
  void writeConfiguration(const std::string& text) const {
    workspace_.write("pyproject.toml", "[project]\nname = \"demo\"\n\n[tool.heaplint]\n" + text);
  }
  void announceConfigurationChange() {
    client_.notify("workspace/didChangeWatchedFiles",
                   {{"changes", json::array({{{"uri", uriOf("pyproject.toml")}, {"type", 2}}})}});
  }
  static std::vector<std::string> codes(const json& diagnostics) {
    std::vector<std::string> out;
    for (const json& diagnostic : diagnostics)
      out.push_back(diagnostic["code"]);
    return out;
  }

  TemporaryDirectory workspace_;
  Client client_;
};

TEST_F(LspConfiguration, IgnoreSilencesARuleUntilTheFileChanges) {
  writeConfiguration("ignore = [\"MEM101\"]\n");
  client_.initialize(json::object(), nullptr, uriFromPath(workspace_.path()));
  const std::string uri = uriOf("app.py");
  client_.open(uri, unicodeSource());
  EXPECT_TRUE(client_.diagnostics(uri, 1).empty());
  writeConfiguration("");
  announceConfigurationChange();
  EXPECT_EQ(codes(client_.diagnostics(uri, 1)), std::vector<std::string>{"MEM101"});
}

TEST_F(LspConfiguration, ClientSelectReplacesTheConfiguredSelect) {
  writeConfiguration("select = [\"MEM1\"]\n");
  client_.initialize(json::object(), {{"select", {"MEM5"}}}, uriFromPath(workspace_.path()));
  const std::string uri = uriOf("app.py");
  client_.open(uri, unicodeSource() + std::string(kGcCall));
  EXPECT_EQ(codes(client_.diagnostics(uri, 1)), std::vector<std::string>{"MEM501"});
  client_.notify("workspace/didChangeConfiguration",
                 {{"settings", {{"heaplint", json::object()}}}});
  EXPECT_EQ(codes(client_.diagnostics(uri, 1)), std::vector<std::string>{"MEM101"});
}

TEST_F(LspConfiguration, PerFileIgnoresDropRulesForMatchingFiles) {
  writeConfiguration("[tool.heaplint.per-file-ignores]\n\"scripts/*\" = [\"MEM101\"]\n");
  client_.initialize(json::object(), nullptr, uriFromPath(workspace_.path()));
  const std::string script = uriOf("scripts/run.py");
  const std::string library = uriOf("lib/run.py");
  client_.open(script, unicodeSource() + std::string(kGcCall));
  client_.open(library, unicodeSource() + std::string(kGcCall));
  EXPECT_EQ(codes(client_.diagnostics(script, 1)), std::vector<std::string>{"MEM501"});
  EXPECT_EQ(codes(client_.diagnostics(library, 1)), (std::vector<std::string>{"MEM101", "MEM501"}));
}

TEST_F(LspConfiguration, ExcludedDocumentGetsNoDiagnostics) {
  writeConfiguration("extend-exclude = [\"generated/\"]\n");
  client_.initialize({{"textDocument", {{"diagnostic", json::object()}}}}, nullptr,
                     uriFromPath(workspace_.path()));
  const std::string excluded = uriOf("generated/models.py");
  const std::string checked = uriOf("models.py");
  client_.open(excluded, unicodeSource());
  client_.open(checked, unicodeSource());
  const auto pull = [&](const std::string& uri) {
    return client_.request("textDocument/diagnostic", {{"textDocument", {{"uri", uri}}}})["result"];
  };
  EXPECT_EQ(pull(excluded)["kind"], "full");
  EXPECT_TRUE(pull(excluded)["items"].empty());
  EXPECT_EQ(pull(checked)["items"].size(), 1u);
}

TEST_F(LspConfiguration, BrokenConfigurationIsShownAndTheDefaultsApply) {
  writeConfiguration("ignore = [\"MEM101\"\n");  // the list is never closed
  client_.initialize(json::object(), nullptr, uriFromPath(workspace_.path()));
  const std::string uri = uriOf("app.py");
  client_.open(uri, unicodeSource());
  const json shown =
      client_.waitFor([](const json& m) { return m.value("method", "") == "window/showMessage"; });
  EXPECT_EQ(shown["params"]["type"], 1);
  const std::string message = shown["params"]["message"];
  EXPECT_NE(message.find("pyproject.toml:"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(codes(client_.diagnostics(uri, 1)), std::vector<std::string>{"MEM101"});

  // Still serving; the same error is not shown again for another file, and a repaired file is
  // read on the next change.
  const std::string other = uriOf("other.py");
  client_.open(other, unicodeSource());
  EXPECT_EQ(client_.diagnostics(other, 1).size(), 1u);
  writeConfiguration("ignore = [\"MEM101\"]\n");
  announceConfigurationChange();
  EXPECT_TRUE(client_.diagnostics(uri, 1).empty());
  EXPECT_TRUE(client_.diagnostics(other, 1).empty());
  for (const std::string& left : client_.transport().takeAll()) {
    EXPECT_EQ(left.find("window/showMessage"), std::string::npos) << left;
  }
}

TEST(LspServer, WorkspaceFactsSkipExcludedFilesAndFollowConfigurationChanges) {
  TemporaryDirectory workspace;
  const std::string models = "class Point:\n    def __init__(self, x):\n        self.x = x\n";
  workspace.write("pkg/__init__.py", "");
  workspace.write("pkg/models.py", models);
  workspace.write("pkg/load.py",
                  "from .models import Point\n\n\ndef make(path):\n    return [Point(x) for x in "
                  "open(path)]\n");
  // MEM401 is a preview rule.
  workspace.write("heaplint.toml", "preview = true\nextend-exclude = [\"pkg/load.py\"]\n");
  ServerOptions options;
  options.index_workspace = true;
  Client client(options);
  client.initialize({{"textDocument", {{"diagnostic", json::object()}}},
                     {"workspace", {{"diagnostics", {{"refreshSupport", true}}}}}},
                    nullptr, uriFromPath(workspace.path()));
  const std::string uri = uriFromPath(workspace.path() / "pkg/models.py");
  client.open(uri, models);
  const auto pull = [&] {
    return client.request("textDocument/diagnostic",
                          {{"textDocument", {{"uri", uri}}}})["result"]["items"];
  };
  // The only file that makes Point hot is excluded: once the scan is done, nothing is flagged.
  client.waitFor(
      [](const json& m) { return m.value("method", "") == "workspace/diagnostic/refresh"; }, 10s);
  EXPECT_TRUE(pull().empty());
  // The index is rebuilt in the background after a configuration change: poll until it settles.
  const auto reconfigure = [&](const std::string& configuration) {
    workspace.write("heaplint.toml", configuration);
    client.notify(
        "workspace/didChangeWatchedFiles",
        {{"changes",
          json::array({{{"uri", uriFromPath(workspace.path() / "heaplint.toml")}, {"type", 2}}})}});
  };
  const auto flaggedWithin = [&](bool wanted) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      const json items = pull();
      if ((items.size() == 1 && items[0]["code"] == "MEM401") == wanted) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  };
  reconfigure("preview = true\n");
  EXPECT_TRUE(flaggedWithin(true));
  // Excluded again: the rebuilt index drops the file's facts.
  reconfigure("preview = true\nextend-exclude = [\"pkg/load.py\"]\n");
  EXPECT_TRUE(flaggedWithin(false));
}

TEST(LspServer, WorkspaceFactsJoinEveryConfigurationsHotClasses) {
  // As `heaplint check .` does: another subproject's configuration names the class hot.
  TemporaryDirectory workspace;
  const std::string models = "class Point:\n    def __init__(self, x):\n        self.x = x\n";
  workspace.write("app/__init__.py", "");
  workspace.write("app/models.py", models);
  workspace.write("heaplint.toml", "preview = true\n");  // MEM401 is a preview rule
  workspace.write("other/heaplint.toml",
                  "preview = true\n[missing-slots-on-hot-class]\n"
                  "extra-hot-classes = [\"app.models.Point\"]\n");
  workspace.write("other/tool.py", "x = 1\n");
  ServerOptions options;
  options.index_workspace = true;
  Client client(options);
  client.initialize({{"textDocument", {{"diagnostic", json::object()}}}}, nullptr,
                    uriFromPath(workspace.path()));
  const std::string uri = uriFromPath(workspace.path() / "app/models.py");
  client.open(uri, models);
  bool flagged = false;
  for (int attempt = 0; attempt < 50 && !flagged; ++attempt) {
    const json items = client.request("textDocument/diagnostic",
                                      {{"textDocument", {{"uri", uri}}}})["result"]["items"];
    flagged = items.size() == 1 && items[0]["code"] == "MEM401";
    if (!flagged) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(flagged);
}

// Random single-character edits: after each, the incrementally re-parsed tree must equal a fresh
// parse of the same text (with LF, CRLF and a byte-order mark).
void expectIncrementalReparseMatchesFreshParse(const std::string& initial, unsigned seed) {
  DocumentStore store;
  PythonParser& parser = PythonParser::forThisThread();
  Document& document = store.open("file:///t.py", 1, initial, parser);
  std::mt19937 random(seed);
  const std::vector<std::string> pieces = {"a", "b",  "(", ")", "[", "]",    ":",
                                           " ", "\n", "#", "'", "é", "\r\n", "😀"};
  for (int version = 2; version < 300; ++version) {
    const SourceText& source = *document.source;
    const uint32_t row = random() % source.lineCount();
    const uint32_t width = source.utf16Position(source.lineEnd(row)).column;
    const uint32_t column = random() % (width + 1);
    json change;
    if (random() % 2 == 0 || source.size() < 10) {
      change = {{"range", range(row, column, row, column)},
                {"text", pieces[random() % pieces.size()]}};
    } else {
      change = {{"range", range(row, column, row, column + 1)}, {"text", ""}};
    }
    store.change(document, version, json::array({change}), PositionEncoding::Utf16, parser);
    DocumentStore::ensureParsed(document, parser);
    const TreePtr fresh = parser.parse(*document.source);
    ASSERT_EQ(document.syntax.chunkCount(), 1U);
    char* incremental_tree = ts_node_string(ts_tree_root_node(document.syntax.trees().front()));
    char* fresh_tree = ts_node_string(ts_tree_root_node(fresh.get()));
    const bool same = std::string_view(incremental_tree) == fresh_tree;
    free(incremental_tree);
    free(fresh_tree);
    ASSERT_TRUE(same) << "after edit " << version << " (" << change.dump() << ") of:\n"
                      << document.source->text();
  }
}

TEST(LspDocuments, IncrementalReparseMatchesAFreshParse) {
  expectIncrementalReparseMatchesFreshParse(
      "def f(xs):\n    return sum([x for x in xs])\n\nclass C:\n    pass\n", 7);
}

TEST(LspDocuments, IncrementalReparseWithCrlfAndByteOrderMark) {
  expectIncrementalReparseMatchesFreshParse(
      "\xEF\xBB\xBF"
      "def f(xs):\r\n    return sum([x for x in xs])\r\n\r\nclass C:\r\n    pass\r\n",
      11);
}

TEST(LspProtocol, FileUrisRoundTrip) {
  const std::filesystem::path path = "/tmp/a b/é#1.py";
  const std::string uri = uriFromPath(path);
  EXPECT_EQ(uri, "file:///tmp/a%20b/%C3%A9%231.py");
  EXPECT_EQ(pathFromUri(uri), path);
  EXPECT_EQ(pathFromUri("untitled:Untitled-1"), std::nullopt);
}

}  // namespace
}  // namespace heaplint::lsp
