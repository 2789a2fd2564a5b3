// Transport: moves whole JSON-RPC messages in and out, knowing nothing of their meaning.
// StdioTransport frames them with Content-Length headers over file descriptors (the LSP base
// protocol); InMemoryTransport hands them over through queues so tests can drive the server
// in-process, as clangd's and ruff's test clients do.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace heaplint::lsp {

class Transport {
 public:
  virtual ~Transport() = default;

  enum class ReadStatus { Message, Malformed, Closed };
  struct ReadResult {
    ReadStatus status = ReadStatus::Closed;
    std::string body;  // the message for Message, a reason for Malformed
  };
  // Blocks until a whole message arrives or the input ends. Called from one thread only.
  virtual ReadResult read() = 0;
  // Sends one message; safe to call from any thread.
  virtual void write(std::string_view message) = 0;
};

// Finds where the JSON object or array at the start of a message body ends, fed the body as it
// grows (each call scans only the bytes added since the last).
class JsonValueEnd {
 public:
  std::optional<size_t> feed(std::string_view text);
  // How deep arrays and objects have nested in what was scanned.
  int64_t deepest() const { return deepest_; }

 private:
  size_t scanned_ = 0;
  int64_t depth_ = 0;
  int64_t deepest_ = 0;
  bool started_ = false;
  bool in_string_ = false;
  bool escaped_ = false;
  bool gave_up_ = false;
  std::optional<size_t> end_;
};

class StdioTransport final : public Transport {
 public:
  StdioTransport(int input_fd, int output_fd) : input_fd_(input_fd), output_fd_(output_fd) {}

  ReadResult read() override;
  void write(std::string_view message) override;

  // A declared body larger than this is refused (and skipped) rather than allocated.
  static constexpr size_t kMaxMessageBytes = size_t{256} << 20;

 private:
  // Reads up to the next "\r\n" (or "\n"); false at end of input.
  bool readLine(std::string& line);
  bool readExactly(size_t count, std::string& out);
  // Reads a body of `count` bytes, or less when the JSON value in it is whole and the next
  // message's header follows it (its Content-Length was too long).
  bool readBody(size_t count, std::string& out);
  // Whether `body` holds a whole value and then a header; if so, gives the header and what
  // follows back to the buffer and keeps only the value.
  bool endsEarly(std::string& body, JsonValueEnd& value_end);
  bool fill();

  int input_fd_;
  int output_fd_;
  std::string buffer_;
  size_t position_ = 0;
  std::mutex write_mutex_;
};

// Both ends in one process: the test is the client.
class InMemoryTransport final : public Transport {
 public:
  ReadResult read() override;
  void write(std::string_view message) override;

  // Client side.
  void send(std::string message);
  void sendMalformed(std::string reason);
  void close();
  // Waits for the next message from the server that satisfies `accept`, discarding none: messages
  // that do not match stay queued for later calls. Returns nullopt on timeout.
  std::optional<std::string> waitFor(const std::function<bool(std::string_view)>& accept,
                                     std::chrono::milliseconds timeout);
  std::vector<std::string> takeAll();

 private:
  std::mutex mutex_;
  std::condition_variable to_server_ready_;
  std::condition_variable to_client_ready_;
  std::deque<ReadResult> to_server_;
  std::deque<std::string> to_client_;
  bool closed_ = false;
};

}  // namespace heaplint::lsp
