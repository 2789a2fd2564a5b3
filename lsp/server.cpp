#include "lsp/server.h"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <iterator>

#include "analyzer/fix.h"
#include "analyzer/noqa.h"
#include "analyzer/source_text_encoding.h"
#include "cli/file_io.h"
#include "rules/registry.h"

namespace heaplint::lsp {
namespace {

using Clock = std::chrono::steady_clock;

// Copying, printing and freeing a parsed value recurse once per level, so a message nested
// 200,000 deep must not be parsed. No LSP message comes near this; settings nest a few levels.
constexpr int64_t kMaxJsonNesting = 512;

int64_t nestingOf(std::string_view body) {
  JsonValueEnd scan;
  scan.feed(body);
  return scan.deepest();
}

constexpr int kMessageError = 1;
constexpr int kMessageWarning = 2;
constexpr int kFileDeleted = 3;
// However long edits keep coming, diagnostics are not held back longer than this.
constexpr std::chrono::milliseconds kMaxCoalesce{200};
// The join of a document with every indexed file re-reads the whole workspace's facts: tens to
// hundreds of milliseconds a keystroke on a large project (ServerOptions::join_budget).
bool isJoinedFinding(const Diagnostic& diagnostic) {
  return diagnostic.rule->join != nullptr || diagnostic.rule->code == kUnusedNoqaCode;
}

bool isConfigurationFile(const std::filesystem::path& path) {
  const std::string name = path.filename().string();
  return name == "pyproject.toml" || name == "heaplint.toml" || name == ".heaplint.toml";
}

// What the workspace index reads: Python sources, stubs and notebooks.
bool isPythonFile(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".py" || extension == ".pyi" || extension == ".ipynb";
}

const json* find(const json& object, std::initializer_list<const char*> keys) {
  const json* at = &object;
  for (const char* key : keys) {
    if (!at->is_object()) return nullptr;
    const auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

bool flag(const json& object, std::initializer_list<const char*> keys) {
  const json* value = find(object, keys);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

}  // namespace

Server::Server(Transport& transport, ServerOptions options)
    : transport_(transport), options_(std::move(options)), inbox_(std::make_shared<Inbox>()) {}

Server::~Server() {
  index_.reset();  // stops and joins the index builder before anything it posts to goes away
  // The reader holds the transport: it must end before its owner destroys it. It does once the
  // input ends, so the owner closes the transport first (runServer never destroys the server).
  if (reader_.joinable()) reader_.join();
}

void Server::readLoop(Transport& transport, const std::shared_ptr<Inbox>& inbox) {
  while (true) {
    Transport::ReadResult read = transport.read();
    Event event;
    if (read.status == Transport::ReadStatus::Closed) {
      event.kind = Event::Kind::Closed;
    } else if (read.status == Transport::ReadStatus::Malformed) {
      event.kind = Event::Kind::Malformed;
      event.error = std::move(read.body);
    } else if (nestingOf(read.body) > kMaxJsonNesting) {
      event.kind = Event::Kind::Malformed;
      event.error = "the message nests arrays and objects more than " +
                    std::to_string(kMaxJsonNesting) + " deep";
    } else {
      event.kind = Event::Kind::Message;
      event.message = json::parse(read.body, nullptr, /*allow_exceptions=*/false);
      if (event.message.is_discarded()) {
        event.kind = Event::Kind::Malformed;
        event.error = "the message is not valid JSON";
      } else if (event.message.is_object() && event.message.contains("method") &&
                 event.message["method"] == "$/cancelRequest") {
        // Recorded here, not queued: the request it cancels may already be waiting in the queue.
        const json* id = find(event.message, {"params", "id"});
        if (id != nullptr) {
          std::lock_guard lock(inbox->mutex);
          inbox->cancelled.insert(id->dump());
        }
        continue;
      }
    }
    const bool closed = event.kind == Event::Kind::Closed;
    {
      std::lock_guard lock(inbox->mutex);
      inbox->events.push_back(std::move(event));
    }
    inbox->ready.notify_one();
    if (closed) return;
  }
}

bool Server::waitForEvent(Event& event) {
  std::unique_lock lock(inbox_->mutex);
  const auto due = nextPublishDue();
  if (due) {
    if (!inbox_->ready.wait_until(lock, *due, [&] { return !inbox_->events.empty(); })) {
      return false;
    }
  } else {
    inbox_->ready.wait(lock, [&] { return !inbox_->events.empty(); });
  }
  event = std::move(inbox_->events.front());
  inbox_->events.pop_front();
  return true;
}

int Server::run() {
  reader_ = std::thread(readLoop, std::ref(transport_), inbox_);
  int exit_code = 1;
  while (true) {
    // Publish what is due, unless more messages are already queued: those are applied first so a
    // burst of edits costs one analysis, but only up to kMaxCoalesce.
    const auto due = nextPublishDue();
    if (due && *due <= Clock::now()) {
      bool queued = false;
      {
        std::lock_guard lock(inbox_->mutex);
        queued = !inbox_->events.empty();
      }
      if (!queued || *due + kMaxCoalesce <= Clock::now()) {
        const ForegroundGate::Busy busy(foreground_);
        publishDue();
      }
    }
    Event event;
    if (!waitForEvent(event)) continue;  // a publication fell due
    if (event.kind == Event::Kind::Closed) {
      exit_code = state_ == State::ShutDown ? 0 : 1;
      reader_.join();
      break;
    }
    bool handled = false;
    {
      const ForegroundGate::Busy busy(foreground_);
      handled = handle(event);
    }
    if (!handled) {
      exit_code = state_ == State::ShutDown ? 0 : 1;
      break;
    }
  }
  return exit_code;
}

bool Server::handle(Event& event) {
  switch (event.kind) {
    case Event::Kind::Malformed:
      replyError(nullptr, ErrorCode::ParseError, event.error);
      return true;
    case Event::Kind::IndexReady:
      reportConfigurationErrors();
      refreshAll();
      return true;
    case Event::Kind::Closed:
      return false;
    case Event::Kind::Message:
      break;
  }
  const json& message = event.message;
  if (message.is_object() && message.contains("method") && message["method"] == "exit") {
    return false;
  }
  handleMessage(message);
  return true;
}

void Server::handleMessage(const json& message) {
  if (!message.is_object()) {
    replyError(nullptr, ErrorCode::InvalidRequest, "a message must be a JSON object");
    return;
  }
  const auto method = message.find("method");
  const auto id = message.find("id");
  if (id != message.end() && !id->is_string() && !id->is_number_integer() && !id->is_null()) {
    replyError(nullptr, ErrorCode::InvalidRequest, "`id` must be an integer or a string");
    return;
  }
  if (method == message.end()) {
    // A response to one of our requests (registerCapability, diagnostic refresh): nothing to do.
    if (id != message.end() && (message.contains("result") || message.contains("error"))) return;
    replyError(id != message.end() ? *id : json(nullptr), ErrorCode::InvalidRequest,
               "a message needs a `method`");
    return;
  }
  if (!method->is_string()) {
    replyError(id != message.end() ? *id : json(nullptr), ErrorCode::InvalidRequest,
               "`method` must be a string");
    return;
  }
  const json params = message.value("params", json(nullptr));
  if (!params.is_null() && !params.is_object() && !params.is_array()) {
    if (id != message.end()) {
      replyError(*id, ErrorCode::InvalidParams, "`params` must be an object or an array");
    }
    return;
  }
  if (id != message.end()) {
    handleRequest(*id, method->get<std::string>(), params);
  } else {
    handleNotification(method->get<std::string>(), params);
  }
}

void Server::handleRequest(const json& id, const std::string& method, const json& params) {
  {
    std::lock_guard lock(inbox_->mutex);
    if (inbox_->cancelled.erase(id.dump()) > 0) {
      replyError(id, ErrorCode::RequestCancelled, "cancelled");
      return;
    }
  }
  if (state_ == State::Uninitialized && method != "initialize") {
    replyError(id, ErrorCode::ServerNotInitialized, "the server is not initialized yet");
    return;
  }
  if (state_ == State::ShutDown) {
    replyError(id, ErrorCode::InvalidRequest, "the server is shutting down");
    return;
  }
  try {
    reply(id, dispatchRequest(method, params));
  } catch (const LspError& error) {
    replyError(id, error.code(), error.what());
  } catch (const json::exception& error) {
    replyError(id, ErrorCode::InvalidParams, error.what());
  } catch (const std::exception& error) {
    replyError(id, ErrorCode::InternalError, error.what());
  }
}

json Server::dispatchRequest(const std::string& method, const json& params) {
  if (method == "initialize") {
    if (state_ != State::Uninitialized) {
      throw LspError(ErrorCode::InvalidRequest, "initialize was already called");
    }
    return initialize(params);
  }
  if (method == "shutdown") {
    state_ = State::ShutDown;
    return nullptr;
  }
  if (method == "textDocument/diagnostic") return pullDiagnostics(params);
  if (method == "textDocument/codeAction" || method == "textDocument/hover") {
    const std::string uri = stringMember(member(params, "textDocument"), "uri");
    if (const NotebookDocument* notebook = notebookOfCell(uri)) {
      return inNotebookCell(method, *notebook, uri, params);
    }
  }
  if (method == "textDocument/codeAction") {
    Document& document = documentFor(params);
    return codeActions(contextFor(document), params);
  }
  if (method == "textDocument/hover") {
    Document& document = documentFor(params);
    return hover(contextFor(document), params, hover_markdown_);
  }
  if (method == "workspace/executeCommand") return executeCommand(params);
  throw LspError(ErrorCode::MethodNotFound, "unknown method `" + method + "`");
}

void Server::handleNotification(const std::string& method, const json& params) {
  if (state_ == State::Uninitialized) return;  // the specification says: drop them
  try {
    if (method == "initialized") {
      initialized();
    } else if (method == "textDocument/didOpen") {
      didOpen(params);
    } else if (method == "textDocument/didChange") {
      didChange(params);
    } else if (method == "textDocument/didSave") {
      didSave(params);
    } else if (method == "textDocument/didClose") {
      didClose(params);
    } else if (method == "notebookDocument/didOpen") {
      didOpenNotebook(params);
    } else if (method == "notebookDocument/didChange") {
      didChangeNotebook(params);
    } else if (method == "notebookDocument/didClose") {
      didCloseNotebook(params);
    } else if (method == "workspace/didChangeWatchedFiles") {
      didChangeWatchedFiles(params);
    } else if (method == "workspace/didChangeConfiguration") {
      didChangeConfiguration(params);
    } else if (method == "workspace/didChangeWorkspaceFolders") {
      didChangeWorkspaceFolders(params);
    }
    // Other notifications ($/setTrace, $/progress, ...) need nothing from us.
  } catch (const std::exception& error) {
    logMessage(kMessageError, "heaplint: " + method + ": " + error.what());
  }
}

void Server::send(const json& message) {
  transport_.write(message.dump(-1, ' ', false, json::error_handler_t::replace));
}

void Server::reply(const json& id, json result) {
  send(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
}

void Server::replyError(const json& id, ErrorCode code, const std::string& message) {
  send(json{{"jsonrpc", "2.0"},
            {"id", id},
            {"error", {{"code", static_cast<int>(code)}, {"message", message}}}});
}

void Server::notify(std::string_view method, json params) {
  send(json{{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}});
}

void Server::requestFromClient(std::string_view method, json params) {
  json message{{"jsonrpc", "2.0"},
               {"id", "heaplint-" + std::to_string(next_request_id_++)},
               {"method", method}};
  if (!params.is_null()) message["params"] = std::move(params);
  send(message);
}

void Server::logMessage(int type, const std::string& message) {
  notify("window/logMessage", {{"type", type}, {"message", message}});
}

void Server::reportConfigurationErrors() {
  for (const std::string& error : settings_->takeConfigurationErrors()) {
    const std::string message = "heaplint: " + error + " (using the default settings)";
    notify("window/showMessage", {{"type", kMessageError}, {"message", message}});
    logMessage(kMessageError, message);
  }
}

json Server::initialize(const json& params) {
  const json capabilities =
      params.is_object() ? params.value("capabilities", json::object()) : json::object();
  encoding_ = negotiateEncoding(capabilities);
  pull_diagnostics_ = find(capabilities, {"textDocument", "diagnostic"}) != nullptr;
  diagnostic_refresh_ = flag(capabilities, {"workspace", "diagnostics", "refreshSupport"});
  dynamic_watch_registration_ =
      flag(capabilities, {"workspace", "didChangeWatchedFiles", "dynamicRegistration"});
  if (const json* formats = find(capabilities, {"textDocument", "hover", "contentFormat"});
      formats != nullptr && formats->is_array() && !formats->empty()) {
    hover_markdown_ = std::find(formats->begin(), formats->end(), "markdown") != formats->end();
  }

  std::vector<std::string> warnings;
  if (params.is_object() && params.contains("initializationOptions")) {
    client_settings_ = ClientSettings::fromJson(params["initializationOptions"], warnings);
  }
  settings_ = std::make_unique<SettingsProvider>(client_settings_);
  for (const std::string& selector : settings_->unknownSelectors()) {
    warnings.push_back("unknown rule selector `" + selector + "`");
  }

  if (const json* folders = find(params, {"workspaceFolders"}); folders && folders->is_array()) {
    for (const json& folder : *folders) {
      if (const json* uri = find(folder, {"uri"}); uri && uri->is_string()) {
        if (auto path = pathFromUri(uri->get<std::string>())) roots_.push_back(*path);
      }
    }
  }
  if (roots_.empty()) {
    if (const json* uri = find(params, {"rootUri"}); uri && uri->is_string()) {
      if (auto path = pathFromUri(uri->get<std::string>())) roots_.push_back(*path);
    } else if (const json* path = find(params, {"rootPath"}); path && path->is_string()) {
      roots_.emplace_back(path->get<std::string>());
    }
  }
  index_ = std::make_unique<WorkspaceIndex>(*settings_, foreground_);
  settings_->setWorkspaceFolders(roots_);
  indexRoots(roots_);
  state_ = State::Running;
  for (const std::string& warning : warnings) {
    logMessage(kMessageWarning, "heaplint: initializationOptions: " + warning);
  }

  json server_capabilities{
      {"positionEncoding", encodingName(encoding_)},
      {"textDocumentSync",
       {{"openClose", true}, {"change", 2 /* incremental */}, {"save", {{"includeText", false}}}}},
      // As Ruff's server: notebooks whose cells are Python, sent cell by cell.
      {"notebookDocumentSync",
       {{"notebookSelector", json::array({{{"cells", json::array({{{"language", "python"}}})}}})},
        {"save", false}}},
      {"codeActionProvider",
       {{"codeActionKinds", json::array({"quickfix", kFixAllKind})}, {"resolveProvider", false}}},
      {"hoverProvider", true},
      {"executeCommandProvider", executeCommandOptions()},
      {"workspace", {{"workspaceFolders", {{"supported", true}, {"changeNotifications", true}}}}},
  };
  if (pull_diagnostics_) {
    server_capabilities["diagnosticProvider"] = {{"identifier", "heaplint"},
                                                 {"interFileDependencies", true},
                                                 {"workspaceDiagnostics", false}};
  }
  return json{{"capabilities", std::move(server_capabilities)},
              {"serverInfo", {{"name", "heaplint"}, {"version", options_.version}}}};
}

std::function<void()> Server::indexReadyCallback() const {
  // Posts to the inbox, not to the server: the scan may finish after the server is gone.
  return [inbox = inbox_] {
    {
      std::lock_guard lock(inbox->mutex);
      inbox->events.push_back(Event{Event::Kind::IndexReady, {}, {}});
    }
    inbox->ready.notify_one();
  };
}

void Server::indexRoots(std::vector<std::filesystem::path> roots) {
  if (!options_.index_workspace) return;
  index_->start(std::move(roots), indexReadyCallback());
}

void Server::didChangeWorkspaceFolders(const json& params) {
  const json& event = member(params, "event");
  const auto paths = [&](const char* key) {
    std::vector<std::filesystem::path> out;
    if (const json* folders = find(event, {key}); folders && folders->is_array()) {
      for (const json& folder : *folders) {
        if (auto path = pathFromUri(stringMember(folder, "uri"))) out.push_back(*path);
      }
    }
    return out;
  };
  const std::vector<std::filesystem::path> removed = paths("removed");
  for (const auto& root : removed) {
    index_->removeRoot(root);
    std::erase(roots_, root);
  }
  const std::vector<std::filesystem::path> added = paths("added");
  roots_.insert(roots_.end(), added.begin(), added.end());
  settings_->setWorkspaceFolders(roots_);
  if (!removed.empty()) refreshAll();
  indexRoots(added);  // refreshes when the scan is done
}

void Server::initialized() {
  if (!dynamic_watch_registration_) return;
  json watchers = json::array();
  for (const std::string& pattern : settings_->watchedConfigurationFiles()) {
    watchers.push_back({{"globPattern", pattern}});
  }
  // Python files changed outside the editor (git checkout) change the cross-file facts.
  watchers.push_back({{"globPattern", "**/*.py"}});
  watchers.push_back({{"globPattern", "**/*.ipynb"}});
  requestFromClient("client/registerCapability",
                    {{"registrations",
                      json::array({{{"id", "heaplint-watched-files"},
                                    {"method", "workspace/didChangeWatchedFiles"},
                                    {"registerOptions", {{"watchers", std::move(watchers)}}}}})}});
}

json Server::executeCommand(const json& params) {
  const std::string command = stringMember(params, "command");
  const json arguments = params.value("arguments", json::array());
  if (command == kApplyAutofixCommand) {
    for (const std::string& uri : autofixTargets(arguments)) {
      // A notebook, or one of its cells (the editor's active document): fix the whole notebook.
      const NotebookDocument* notebook =
          notebooks_.contains(uri) ? &notebooks_.at(uri) : notebookOfCell(uri);
      const FeatureContext context =
          contextFor(documentFor({{"textDocument", {{"uri", notebook ? notebook->uri() : uri}}}}));
      json edit = notebook ? notebook->fixAllEdit(context.options, encoding_) : fixAllEdit(context);
      if (edit["changes"].empty() || (!notebook && edit["changes"][uri].empty())) continue;
      requestFromClient("workspace/applyEdit",
                        {{"label", "heaplint: Fix all"}, {"edit", std::move(edit)}});
    }
    return nullptr;
  }
  if (command == kRuleDocumentationCommand) return ruleDocumentation(allRules(), arguments);
  throw LspError(ErrorCode::InvalidParams, "unknown command `" + command + "`");
}

Document& Server::documentFor(const json& params) {
  const std::string uri = stringMember(member(params, "textDocument"), "uri");
  Document* document = documents_.find(uri);
  if (document == nullptr) {
    throw LspError(ErrorCode::InvalidParams, "the document `" + uri + "` is not open");
  }
  return *document;
}

void Server::didOpen(const json& params) {
  const json& item = member(params, "textDocument");
  const json& version = member(item, "version");
  Document& document = documents_.open(
      stringMember(item, "uri"), version.is_number_integer() ? version.get<int64_t>() : 0,
      stringMember(item, "text"), PythonParser::forThisThread(), &helpers_);
  schedulePublish(document, std::chrono::milliseconds(0));
}

void Server::didChange(const json& params) {
  Document& document = documentFor(params);
  const json& version = member(member(params, "textDocument"), "version");
  documents_.change(document,
                    version.is_number_integer() ? version.get<int64_t>() : document.version + 1,
                    member(params, "contentChanges"), encoding_, PythonParser::forThisThread());
  schedulePublish(document, debounce());
}

void Server::didSave(const json& params) {
  Document& document = documentFor(params);
  if (!document.path) return;
  const std::string text(document.source->text());
  index_->update(*document.path, &text);
  refreshAll();
}

void Server::didClose(const json& params) {
  const std::string uri = stringMember(member(params, "textDocument"), "uri");
  if (documents_.find(uri) == nullptr) return;
  documents_.close(uri);
  // Push mode: clear what was published, as clients keep it otherwise.
  if (!pull_diagnostics_)
    notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
}

void Server::didOpenNotebook(const json& params) {
  NotebookDocument notebook = NotebookDocument::open(params);
  const std::string uri = notebook.uri();
  Document& document = documents_.open(uri, notebook.version(), notebook.joined().python(),
                                       PythonParser::forThisThread());
  notebooks_.insert_or_assign(uri, std::move(notebook));
  schedulePublish(document, std::chrono::milliseconds(0));
}

void Server::didChangeNotebook(const json& params) {
  const std::string uri = stringMember(member(params, "notebookDocument"), "uri");
  const auto notebook = notebooks_.find(uri);
  if (notebook == notebooks_.end()) {
    throw LspError(ErrorCode::InvalidParams, "the notebook `" + uri + "` is not open");
  }
  // Notebooks are small: the joined text is parsed afresh after a change rather than edited.
  // What was applied before a malformed part is checked too, as for text documents.
  const auto recheck = [&] {
    schedulePublish(
        documents_.open(uri, notebook->second.version(), notebook->second.joined().python(),
                        PythonParser::forThisThread()),
        debounce());
  };
  std::vector<std::string> gone;
  try {
    gone = notebook->second.change(params, encoding_);
  } catch (...) {
    recheck();
    throw;
  }
  recheck();
  clearDiagnostics(gone);
}

void Server::didCloseNotebook(const json& params) {
  const std::string uri = stringMember(member(params, "notebookDocument"), "uri");
  const auto notebook = notebooks_.find(uri);
  if (notebook == notebooks_.end()) return;
  clearDiagnostics(notebook->second.cellUris());
  notebooks_.erase(notebook);
  documents_.close(uri);
}

const NotebookDocument* Server::notebookOfCell(const std::string& uri) const {
  for (const auto& [notebook_uri, notebook] : notebooks_) {
    if (notebook.hasCell(uri)) return &notebook;
  }
  return nullptr;
}

void Server::clearDiagnostics(const std::vector<std::string>& uris) {
  if (pull_diagnostics_) return;
  for (const std::string& uri : uris)
    notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
}

json Server::inNotebookCell(const std::string& method, const NotebookDocument& notebook,
                            const std::string& cell_uri, const json& params) {
  const bool is_hover = method == "textDocument/hover";
  const std::optional<json> joined = notebook.requestInJoined(cell_uri, params);
  if (!joined) return is_hover ? json(nullptr) : json::array();  // a cell with no code
  const FeatureContext context = contextFor(documentFor(*joined));
  if (is_hover) return notebook.hoverInCell(cell_uri, hover(context, *joined, hover_markdown_));
  return notebook.codeActionsInCell(cell_uri, codeActions(context, *joined), [&] {
    return notebook.fixAllEdit(context.options, encoding_);
  });
}

std::map<std::string, json> Server::notebookDiagnostics(Document& document,
                                                        const NotebookDocument& notebook) {
  const FeatureContext context = contextFor(document);
  return notebook.diagnosticsByCell(*document.source, lspDiagnostics(context), encoding_);
}

void Server::didChangeWatchedFiles(const json& params) {
  bool configuration_changed = false;
  bool facts_changed = false;
  for (const json& change : member(params, "changes")) {
    const auto path = pathFromUri(stringMember(change, "uri"));
    if (!path) continue;
    if (isConfigurationFile(*path)) {
      configuration_changed = true;
    } else if (isPythonFile(*path)) {
      // Open documents are indexed from the editor's text on save, not from disk.
      bool open = false;
      for (const auto& [uri, document] : documents_.all())
        open = open || document.path == *path;
      if (open) continue;
      const json& type = member(change, "type");
      if (type.is_number_integer() && type.get<int>() == kFileDeleted) {
        index_->remove(*path);
      } else {
        index_->update(*path, nullptr);
      }
      facts_changed = true;
    }
  }
  if (configuration_changed) {
    settings_->reload();
    // Exclusions and per-file settings decide what the index holds: build it again. It refreshes
    // the open documents when done, but they are re-checked with the new settings at once.
    if (options_.index_workspace) index_->rebuild(roots_, indexReadyCallback());
  }
  if (configuration_changed || facts_changed) refreshAll();
}

void Server::didChangeConfiguration(const json& params) {
  const json* settings = find(params, {"settings"});
  if (settings == nullptr || settings->is_null()) return;
  std::vector<std::string> warnings;
  client_settings_ = ClientSettings::fromJson(*settings, warnings);
  settings_->setClientSettings(client_settings_);
  for (const std::string& warning : warnings) {
    logMessage(kMessageWarning, "heaplint: settings: " + warning);
  }
  refreshAll();
}

bool Server::defersJoin(const Document& document) const {
  return !pull_diagnostics_ && !document.join_now && document.has_joined_findings &&
         last_join_ > options_.join_budget;
}

void Server::refreshAll() {
  for (auto& [uri, document] : documents_.all()) {
    document.analysis.reset();
    document.join_now = true;  // the workspace or the settings changed: join at once
    document.has_carried_findings = false;
    if (!pull_diagnostics_) schedulePublish(document, std::chrono::milliseconds(0));
  }
  if (pull_diagnostics_ && diagnostic_refresh_) {
    requestFromClient("workspace/diagnostic/refresh", nullptr);
  }
}

std::chrono::milliseconds Server::debounce() const {
  return client_settings_.debounce_ms >= 0 ? std::chrono::milliseconds(client_settings_.debounce_ms)
                                           : options_.debounce;
}

AnalysisOptions Server::optionsFor(const Document& document, const FileSettings& settings) const {
  AnalysisOptions options = settings.analysis;
  options.path = document.display_path;
  options.module.compiled_beside = document.compiled_beside;
  // The editor decoded the file; fixes must still fit the encoding it is saved in (PEP 263).
  options.encoding = declaredEncoding(document.source->text());
  options.verify_fixes = false;  // see analysisOf()
  return options;
}

const FileAnalysis& Server::analysisOf(Document& document) {
  DocumentStore::ensureParsed(document, PythonParser::forThisThread(), &helpers_);
  if (document.analysis) return *document.analysis;
  document.settings = settings_->settingsFor(document.path.value_or(std::filesystem::path()));
  reportConfigurationErrors();
  FileAnalysis analysis;
  if (document.too_large && !document.too_large_told) {
    document.too_large_told = true;
    const std::string message = "heaplint: " + document.display_path +
                                " is not checked: " + cli::formatSize(document.source->size()) +
                                " is over the " +
                                cli::formatSize(cli::maxFileSizeFromEnvironment()) +
                                " file size limit (HEAPLINT_MAX_FILE_SIZE)";
    notify("window/showMessage", {{"type", kMessageWarning}, {"message", message}});
    logMessage(kMessageWarning, message);
  }
  // An excluded document gets no findings at all, as in Ruff's server; one too large to check
  // gets none either.
  if (!document.settings->excluded && !document.too_large) {
    const AnalysisOptions options = optionsFor(document, *document.settings);
    if (document.syntax.empty()) {
      document.syntax.parse(*document.source, PythonParser::forThisThread(), &helpers_);
    }
    // A new configuration (a reload, other client settings) is a new object.
    if (document.incremental_config != document.settings->config ||
        document.incremental_enabled != options.enabled ||
        document.incremental_reported != options.reported) {
      document.incremental.clear();
      document.incremental_config = document.settings->config;
      document.incremental_enabled = options.enabled;
      document.incremental_reported = options.reported;
    }
    // The join below keeps only the document's findings: its calls are collected only when
    // those may read them (MEM204's candidates are rare).
    analysis = document.incremental.analyzeForOwnFindings(*document.source, document.syntax,
                                                          options, &helpers_);
    if (defersJoin(document)) {
      analysis.diagnostics.insert(analysis.diagnostics.end(), document.joined_findings.begin(),
                                  document.joined_findings.end());
      std::stable_sort(analysis.diagnostics.begin(), analysis.diagnostics.end(),
                       [](const Diagnostic& a, const Diagnostic& b) {
                         if (a.start != b.start) return a.start < b.start;
                         return a.rule->code < b.rule->code;
                       });
      const auto now = Clock::now();
      if (!document.join_deadline) document.join_deadline = now + options_.join_max_wait;
      document.join_due = std::min(*document.join_deadline, now + options_.join_pause);
    } else {
      const std::filesystem::path* path = document.path ? &*document.path : nullptr;
      const auto started = Clock::now();
      index_->join(analysis, path, options);
      last_join_ = Clock::now() - started;
      document.joined_findings.clear();
      std::copy_if(analysis.diagnostics.begin(), analysis.diagnostics.end(),
                   std::back_inserter(document.joined_findings), isJoinedFinding);
      document.has_joined_findings = true;
      document.join_due.reset();
      document.join_deadline.reset();
      document.join_now = false;
    }
    // Fixes are checked (re-parsed with the fix applied) only when a code action offers them:
    // checking every fix on every keystroke costs a re-parse per fix. A file with syntax errors
    // gets none, as in the CLI.
    if (analysis.has_syntax_error) {
      for (Diagnostic& diagnostic : analysis.diagnostics)
        diagnostic.fix.reset();
    }
  }
  document.analysis_id = ++analyses_;
  document.carried_findings = analysis.diagnostics;
  document.has_carried_findings = true;
  document.analysis = std::move(analysis);
  return *document.analysis;
}

FeatureContext Server::contextFor(Document& document) {
  const FileAnalysis& analysis = analysisOf(document);
  return FeatureContext{document, analysis, *document.settings,
                        optionsFor(document, *document.settings), encoding_};
}

void Server::schedulePublish(Document& document, std::chrono::milliseconds delay) {
  if (pull_diagnostics_) return;
  document.publish_due = Clock::now() + delay;
}

std::optional<Clock::time_point> Server::nextPublishDue() const {
  std::optional<Clock::time_point> earliest;
  for (const auto& [uri, document] : documents_.all()) {
    for (const auto& due : {document.publish_due, document.join_due, document.settle_due}) {
      if (due && (!earliest || *due < *earliest)) earliest = due;
    }
  }
  return earliest;
}

void Server::publishDue() {
  const auto now = Clock::now();
  for (auto& [uri, document] : documents_.all()) {
    if (document.join_due && *document.join_due <= now) {
      // Typing paused (or waited long enough): join, and publish what it finds.
      document.join_due.reset();
      document.join_now = true;
      document.analysis.reset();
      publish(document);
    } else if (document.settle_due && *document.settle_due <= now) {
      // Typing paused on a broken method or run (publishCarriedFindings): analyse the text as it
      // is.
      document.settle_due.reset();
      document.settle_now = true;
      publish(document);
    } else if (document.publish_due && *document.publish_due <= now) {
      publish(document);
    }
  }
}

void Server::publish(Document& document) {
  document.publish_due.reset();
  try {
    if (const auto notebook = notebooks_.find(document.uri); notebook != notebooks_.end()) {
      // Every cell gets its list, as Ruff's server sends them, so cleared cells are cleared.
      for (auto& [cell_uri, items] : notebookDiagnostics(document, notebook->second)) {
        notify("textDocument/publishDiagnostics", {{"uri", cell_uri},
                                                   {"version", notebook->second.version()},
                                                   {"diagnostics", std::move(items)}});
      }
      return;
    }
    if (publishCarriedFindings(document)) return;
    document.settle_now = false;
    document.settle_due.reset();
    document.settle_deadline.reset();
    const FeatureContext context = contextFor(document);
    // Set by the pushed analyses only: a hover or a code action on a broken text in a burst of
    // typing does not end the carrying (editsLeaveRunBroken).
    document.carried_from_parsed_text = !context.analysis.has_syntax_error;
    notify("textDocument/publishDiagnostics", {{"uri", document.uri},
                                               {"version", document.version},
                                               {"diagnostics", lspDiagnostics(context)}});
  } catch (const std::exception& error) {
    logMessage(kMessageError, "heaplint: cannot analyse " + document.uri + ": " + error.what());
  }
}

bool Server::publishCarriedFindings(Document& document) {
  if (document.settle_now || !document.has_carried_findings || !document.parse_pending ||
      document.parse_afresh_pending || !document.unparsed_edits || document.too_large) {
    return false;
  }
  const auto [start, end] = *document.unparsed_edits;
  if (!document.syntax.editLeavesMethodBroken(*document.source, PythonParser::forThisThread(),
                                              start, end) &&
      !editsLeaveRunBroken(document, start, end)) {
    return false;
  }
  // The findings before the edits, moved with the text; no fixes, as for any text with a syntax
  // error. The analysis of this text waits for a pause in typing.
  json items = json::array();
  for (Diagnostic finding : document.carried_findings) {
    finding.fix.reset();
    items.push_back(toLspDiagnostic(*document.source, finding, encoding_));
  }
  notify("textDocument/publishDiagnostics",
         {{"uri", document.uri}, {"version", document.version}, {"diagnostics", std::move(items)}});
  // As for the join: once typing pauses, or at the latest `join_max_wait` after the first edit.
  const auto now = Clock::now();
  if (!document.settle_deadline) document.settle_deadline = now + options_.join_max_wait;
  document.settle_due = std::min(*document.settle_deadline, now + options_.join_pause);
  return true;
}

// Where the method judge does not call the text broken (a small run, code outside a class's
// methods), the re-parse says: an analysis of a broken run walks again every run that names what
// the error hides (a keystroke in one of _pydecimal.py's exception classes walked its 100 KB
// `Decimal` class), for findings that mostly come back as they were once the text parses. Only
// after a pushed analysis of a text that parsed: a text already analysed broken (an unfinished
// `def` at the bottom of a small file, one run) is analysed at once, as before.
bool Server::editsLeaveRunBroken(Document& document, uint32_t start, uint32_t end) {
  if (!document.carried_from_parsed_text) return false;
  DocumentStore::ensureParsed(document, PythonParser::forThisThread(), &helpers_);
  const auto text_size = static_cast<uint32_t>(document.source->size());
  for (const ChunkedTree::RunView& run : document.syntax.runs()) {
    // A run that ends where an insertion starts holds none of it (it belongs to the run after),
    // unless it ends the text; one that ends where a deletion was made lost its end to it.
    if (run.end < start || (run.end == start && start != end && run.end != text_size)) continue;
    if (run.start > end) break;
    if (ts_node_has_error(ts_tree_root_node(run.tree))) return true;
  }
  return false;
}

json Server::pullDiagnostics(const json& params) {
  const std::string uri = stringMember(member(params, "textDocument"), "uri");
  const NotebookDocument* notebook = documents_.find(uri) ? nullptr : notebookOfCell(uri);
  Document& document =
      notebook ? documentFor({{"textDocument", {{"uri", notebook->uri()}}}}) : documentFor(params);
  const FeatureContext context = contextFor(document);
  // A cell's result changes with its notebook's analysis, as a document's with its own.
  const std::string result_id = std::to_string(document.analysis_id);
  if (const json* previous = find(params, {"previousResultId"});
      previous && previous->is_string() && previous->get<std::string>() == result_id) {
    return json{{"kind", "unchanged"}, {"resultId", result_id}};
  }
  json items =
      notebook ? std::move(notebookDiagnostics(document, *notebook)[uri]) : lspDiagnostics(context);
  return json{{"kind", "full"}, {"resultId", result_id}, {"items", std::move(items)}};
}

int runServer(const std::string& version) {
  // A client that goes away must not kill the server with SIGPIPE: the read side sees the end.
  std::signal(SIGPIPE, SIG_IGN);
  StdioTransport transport(STDIN_FILENO, STDOUT_FILENO);
  ServerOptions options;
  options.version = version;
  // Leaked on purpose: the process ends right after, without waiting for the reader (blocked on
  // stdin) or the workspace scan (possibly deep in a large tree) to notice.
  auto* server = new Server(transport, options);
  const int exit_code = server->run();
  std::cout.flush();
  std::_Exit(exit_code);
}

}  // namespace heaplint::lsp
