#include "lsp/transport.h"

#include <unistd.h>

#include <cerrno>
#include <charconv>

namespace heaplint::lsp {
namespace {

bool startsWithIgnoringCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    const char a = text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] + 32) : text[i];
    if (a != prefix[i]) return false;
  }
  return true;
}

}  // namespace

bool StdioTransport::fill() {
  if (position_ > 0 && position_ == buffer_.size()) {
    buffer_.clear();
    position_ = 0;
  }
  char chunk[65536];
  while (true) {
    const ssize_t count = ::read(input_fd_, chunk, sizeof chunk);
    if (count > 0) {
      buffer_.append(chunk, static_cast<size_t>(count));
      return true;
    }
    if (count < 0 && errno == EINTR) continue;
    return false;
  }
}

bool StdioTransport::readLine(std::string& line) {
  while (true) {
    const size_t newline = buffer_.find('\n', position_);
    if (newline != std::string::npos) {
      size_t end = newline;
      if (end > position_ && buffer_[end - 1] == '\r') --end;
      line.assign(buffer_, position_, end - position_);
      position_ = newline + 1;
      return true;
    }
    // Keep only the unread part so the buffer does not grow with every message.
    buffer_.erase(0, position_);
    position_ = 0;
    if (!fill()) return false;
  }
}

bool StdioTransport::readExactly(size_t count, std::string& out) {
  out.clear();
  out.reserve(count);
  while (out.size() < count) {
    if (position_ == buffer_.size() && !fill()) return false;
    const size_t take = std::min(count - out.size(), buffer_.size() - position_);
    out.append(buffer_, position_, take);
    position_ += take;
  }
  return true;
}

Transport::ReadResult StdioTransport::read() {
  std::string line;
  std::optional<size_t> length;
  bool any_header = false;
  bool bad_length = false;
  while (true) {
    if (!readLine(line)) return {ReadStatus::Closed, {}};
    if (line.empty()) {
      if (any_header) break;
      continue;  // stray blank lines between messages are harmless
    }
    any_header = true;
    if (startsWithIgnoringCase(line, "content-length:")) {
      std::string_view value = std::string_view(line).substr(15);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      size_t parsed = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (error != std::errc() || end != value.data() + value.size()) {
        bad_length = true;
      } else {
        length = parsed;
      }
    }
  }
  if (bad_length || !length) {
    return {ReadStatus::Malformed, "a message header without a valid Content-Length"};
  }
  if (*length > kMaxMessageBytes) {
    // Skip the body so the next message is read from the right place.
    std::string discard;
    size_t left = *length;
    while (left > 0) {
      const size_t step = std::min<size_t>(left, 1 << 20);
      if (!readExactly(step, discard)) return {ReadStatus::Closed, {}};
      left -= step;
    }
    return {ReadStatus::Malformed, "a message larger than the server accepts"};
  }
  ReadResult result{ReadStatus::Message, {}};
  if (!readExactly(*length, result.body)) return {ReadStatus::Closed, {}};
  return result;
}

void StdioTransport::write(std::string_view message) {
  std::string framed = "Content-Length: " + std::to_string(message.size()) + "\r\n\r\n";
  framed.append(message);
  std::lock_guard lock(write_mutex_);
  size_t written = 0;
  while (written < framed.size()) {
    const ssize_t count = ::write(output_fd_, framed.data() + written, framed.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) return;  // the client went away; the read side will see the end of input
    written += static_cast<size_t>(count);
  }
}

Transport::ReadResult InMemoryTransport::read() {
  std::unique_lock lock(mutex_);
  to_server_ready_.wait(lock, [&] { return !to_server_.empty() || closed_; });
  if (to_server_.empty()) return {ReadStatus::Closed, {}};
  ReadResult result = std::move(to_server_.front());
  to_server_.pop_front();
  return result;
}

void InMemoryTransport::write(std::string_view message) {
  {
    std::lock_guard lock(mutex_);
    to_client_.emplace_back(message);
  }
  to_client_ready_.notify_all();
}

void InMemoryTransport::send(std::string message) {
  {
    std::lock_guard lock(mutex_);
    to_server_.push_back({ReadStatus::Message, std::move(message)});
  }
  to_server_ready_.notify_all();
}

void InMemoryTransport::sendMalformed(std::string reason) {
  {
    std::lock_guard lock(mutex_);
    to_server_.push_back({ReadStatus::Malformed, std::move(reason)});
  }
  to_server_ready_.notify_all();
}

void InMemoryTransport::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  to_server_ready_.notify_all();
}

std::optional<std::string> InMemoryTransport::waitFor(
    const std::function<bool(std::string_view)>& accept, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  size_t checked = 0;
  while (true) {
    for (; checked < to_client_.size(); ++checked) {
      if (accept(to_client_[checked])) {
        std::string found = std::move(to_client_[checked]);
        to_client_.erase(to_client_.begin() + static_cast<std::ptrdiff_t>(checked));
        return found;
      }
    }
    if (to_client_ready_.wait_until(lock, deadline) == std::cv_status::timeout) {
      // One last look: a message may have arrived with the timeout.
      for (; checked < to_client_.size(); ++checked) {
        if (accept(to_client_[checked])) {
          std::string found = std::move(to_client_[checked]);
          to_client_.erase(to_client_.begin() + static_cast<std::ptrdiff_t>(checked));
          return found;
        }
      }
      return std::nullopt;
    }
  }
}

std::vector<std::string> InMemoryTransport::takeAll() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> all(std::make_move_iterator(to_client_.begin()),
                               std::make_move_iterator(to_client_.end()));
  to_client_.clear();
  return all;
}

}  // namespace heaplint::lsp
