// The server core: JSON-RPC dispatch, the LSP lifecycle, cancellation and errors, and the loop that
// applies edits and publishes diagnostics. Features live in their own files (features.h); the
// transport (transport.h) only moves messages.
//
// Threads: a reader thread pulls messages off the transport, records $/cancelRequest at once, and
// queues everything else; the main thread handles messages in order and owns the documents; the
// workspace index is built on a thread of its own and posts back when it is ready.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "analyzer/foreground_gate.h"
#include "lsp/documents.h"
#include "lsp/features.h"
#include "lsp/notebooks.h"
#include "lsp/protocol.h"
#include "lsp/settings_provider.h"
#include "lsp/transport.h"
#include "lsp/workspace_index.h"

namespace heaplint::lsp {

struct ServerOptions {
  std::string version = "0.0.0";
  // Push mode: how long after the last edit diagnostics are published. Edits already queued behind
  // one another are always applied together before one analysis, whatever this is.
  std::chrono::milliseconds debounce{0};
  // Tests turn the workspace scan off to control exactly what is indexed.
  bool index_workspace = true;
  // A join with the workspace that took longer than `join_budget` is not repeated on every edit:
  // an edit is published with the findings the last join made (moved through the edits), and the
  // join runs once edits pause for `join_pause`, or `join_max_wait` after the first edit that
  // waited for it (push mode; pulled diagnostics always join).
  std::chrono::milliseconds join_budget{20};
  std::chrono::milliseconds join_pause{400};
  std::chrono::milliseconds join_max_wait{3000};
};

class Server {
 public:
  Server(Transport& transport, ServerOptions options);
  // Waits for the reader thread: close the transport's input before destroying the server.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves until `exit` or the end of input. Returns the process exit code: 0 after a shutdown
  // request, 1 otherwise (as the LSP specification asks).
  int run();

 private:
  // bugprone-exception-escape: nlohmann::json's move is noexcept; the check looks through it into
  // an assertion helper that is not declared so.
  struct Event {  // NOLINT(bugprone-exception-escape)
    enum class Kind { Message, Malformed, Closed, IndexReady };
    Kind kind = Kind::Closed;
    json message;
    std::string error;
  };
  // Shared with the reader thread, which may outlive the server when stdin never closes.
  struct Inbox {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<Event> events;
    std::set<std::string> cancelled;  // request ids (as JSON text) cancelled before handling
  };

  // The thread's own copy of `inbox` (std::thread keeps it) keeps the inbox alive while it reads.
  static void readLoop(Transport& transport, const std::shared_ptr<Inbox>& inbox);
  bool waitForEvent(Event& event);

  // Returns false when the server must stop.
  bool handle(Event& event);
  void handleMessage(const json& message);
  void handleRequest(const json& id, const std::string& method, const json& params);
  void handleNotification(const std::string& method, const json& params);
  json dispatchRequest(const std::string& method, const json& params);

  void reply(const json& id, json result);
  void replyError(const json& id, ErrorCode code, const std::string& message);
  void notify(std::string_view method, json params);
  void requestFromClient(std::string_view method, json params);
  void logMessage(int type, const std::string& message);
  void send(const json& message);

  json initialize(const json& params);
  void initialized();
  void didOpen(const json& params);
  void didChange(const json& params);
  void didSave(const json& params);
  void didClose(const json& params);
  void didOpenNotebook(const json& params);
  void didChangeNotebook(const json& params);
  void didCloseNotebook(const json& params);
  // The open notebook that has a cell of this URI, if any.
  const NotebookDocument* notebookOfCell(const std::string& uri) const;
  // textDocument/codeAction or hover in a notebook's cell: asked of the notebook's joined text.
  json inNotebookCell(const std::string& method, const NotebookDocument& notebook,
                      const std::string& cell_uri, const json& params);
  // A notebook's findings, per cell (NotebookDocument::diagnosticsByCell).
  std::map<std::string, json> notebookDiagnostics(Document& document,
                                                  const NotebookDocument& notebook);
  // Whether this analysis of `document` carries its last join's findings instead of joining.
  bool defersJoin(const Document& document) const;
  // Push mode, after edits that leave a method of a large class broken, or their run broken once
  // re-parsed: publishes the findings before them, moved with the text, and leaves the analysis
  // for a pause in typing. False (and nothing published) otherwise.
  bool publishCarriedFindings(Document& document);
  // After a pushed analysis of a text that parsed, re-parses the document's pending edits (the
  // analysis would first) and says whether a run they lie in now has a syntax error.
  bool editsLeaveRunBroken(Document& document, uint32_t start, uint32_t end);
  // Push mode: clients keep what was published for a cell until told otherwise.
  void clearDiagnostics(const std::vector<std::string>& uris);
  void didChangeWatchedFiles(const json& params);
  void didChangeConfiguration(const json& params);
  void didChangeWorkspaceFolders(const json& params);
  void indexRoots(std::vector<std::filesystem::path> roots);
  // What a finished workspace scan calls (from its own thread).
  std::function<void()> indexReadyCallback() const;
  json pullDiagnostics(const json& params);
  json executeCommand(const json& params);

  Document& documentFor(const json& params);
  const FileAnalysis& analysisOf(Document& document);
  FeatureContext contextFor(Document& document);
  AnalysisOptions optionsFor(const Document& document, const FileSettings& settings) const;
  void schedulePublish(Document& document, std::chrono::milliseconds delay);
  void publish(Document& document);
  void publishDue();
  std::optional<std::chrono::steady_clock::time_point> nextPublishDue() const;
  // Settings, configuration or cross-file facts changed: every open document is re-analysed.
  void refreshAll();
  // Shows configuration files that cannot be read (once each): their files get the defaults.
  void reportConfigurationErrors();
  std::chrono::milliseconds debounce() const;

  Transport& transport_;
  ServerOptions options_;
  std::shared_ptr<Inbox> inbox_;
  std::thread reader_;

  enum class State { Uninitialized, Running, ShutDown };
  State state_ = State::Uninitialized;
  PositionEncoding encoding_ = PositionEncoding::Utf16;
  bool pull_diagnostics_ = false;
  bool diagnostic_refresh_ = false;
  bool dynamic_watch_registration_ = false;
  bool hover_markdown_ = true;
  ClientSettings client_settings_;
  std::unique_ptr<SettingsProvider> settings_;
  // Held while the server works for the editor: the index's threads wait meanwhile.
  ForegroundGate foreground_;
  std::unique_ptr<WorkspaceIndex> index_;
  std::vector<std::filesystem::path> roots_;
  DocumentStore documents_;
  // Parse and walk a large document's runs side by side with the server's thread.
  HelperThreads helpers_{HelperThreads::helpersForThisMachine()};
  // Open notebooks by URI; each also has a Document of that URI, whose text is its joined code.
  std::map<std::string, NotebookDocument> notebooks_;
  int64_t next_request_id_ = 1;
  uint64_t analyses_ = 0;
  // How long the last join with the workspace took (ServerOptions::join_budget).
  std::chrono::steady_clock::duration last_join_{};
};

// `heaplint server`: serves over stdin/stdout, then ends the process with the exit code (it does
// not return).
int runServer(const std::string& version);

}  // namespace heaplint::lsp
