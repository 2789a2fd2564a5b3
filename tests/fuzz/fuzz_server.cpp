// The language server's message loop on arbitrary input: framing, JSON-RPC and every method with
// arbitrary params. It must answer or ignore each message and end when its input ends.
//
// Input: messages separated by NUL bytes (which JSON text cannot hold), each sent with a right
// Content-Length; or, when the input starts with "RAW", the bytes after it as they are, so the
// framing itself is fuzzed too. Inputs of odd length run with every join deferred
// (ServerOptions::join_budget 0).
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lsp/server.h"
#include "lsp/transport.h"
#include "tests/fuzz/fuzz_support.h"

using namespace heaplint;

namespace {

std::string framed(std::string_view input) {
  if (input.starts_with("RAW")) return std::string(input.substr(3));
  std::string stream;
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find('\0', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view message = input.substr(start, end - start);
    stream += "Content-Length: " + std::to_string(message.size()) + "\r\n\r\n";
    stream += message;
    start = end + 1;
  }
  return stream;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > fuzz::kMaxInput) return 0;
  const std::string stream = framed(std::string_view(reinterpret_cast<const char*>(data), size));
  // The whole input fits in a pipe's buffer (64 KiB), so it is written before the server starts.
  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) fuzz::fail("pipe");
  size_t written = 0;
  while (written < stream.size()) {
    const ssize_t count = ::write(pipe_ends[1], stream.data() + written, stream.size() - written);
    if (count <= 0) fuzz::fail("write to the pipe");
    written += static_cast<size_t>(count);
  }
  ::close(pipe_ends[1]);
  const int output = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  {
    lsp::StdioTransport transport(pipe_ends[0], output);
    lsp::ServerOptions options;
    options.index_workspace = false;
    if (size % 2 == 1) {
      // Every join counts as slow: edits carry the last join's findings through the text, and the
      // join runs when its (immediate) pause comes.
      options.join_budget = std::chrono::milliseconds(0);
      options.join_pause = std::chrono::milliseconds(0);
    }
    lsp::Server server(transport, options);
    server.run();
  }
  ::close(pipe_ends[0]);
  ::close(output);
  return 0;
}
