#include "lsp/transport.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>

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

constexpr std::string_view kContentLength = "content-length:";

size_t findIgnoringCase(std::string_view text, std::string_view lower_needle) {
  if (text.size() < lower_needle.size()) return std::string_view::npos;
  for (size_t at = 0; at + lower_needle.size() <= text.size(); ++at) {
    if (startsWithIgnoringCase(text.substr(at), lower_needle)) return at;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<size_t> JsonValueEnd::feed(std::string_view text) {
  if (gave_up_) return std::nullopt;
  for (; !end_ && scanned_ < text.size(); ++scanned_) {
    const char c = text[scanned_];
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (depth_ == 0 && !started_) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
      if (c != '{' && c != '[') {
        gave_up_ = true;  // not an object or array: nothing to find
        return std::nullopt;
      }
      started_ = true;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      deepest_ = std::max(deepest_, ++depth_);
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) end_ = scanned_ + 1;
    }
  }
  return end_;
}

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
  // A header line is short; garbage without a newline is dropped as it comes rather than held
  // (the line keeps its first kMaxHeaderLine bytes, which is enough to see it is no header).
  constexpr size_t kMaxHeaderLine = size_t{64} * 1024;
  line.clear();
  size_t searched = position_;  // bytes before this hold no newline
  while (true) {
    const size_t newline = buffer_.find('\n', searched);
    if (newline != std::string::npos) {
      size_t end = newline;
      if (end > position_ && buffer_[end - 1] == '\r') --end;
      if (line.size() < kMaxHeaderLine) {
        line.append(buffer_, position_, std::min(end - position_, kMaxHeaderLine - line.size()));
      }
      position_ = newline + 1;
      return true;
    }
    if (buffer_.size() - position_ > kMaxHeaderLine) {
      if (line.size() < kMaxHeaderLine)
        line.append(buffer_, position_, kMaxHeaderLine - line.size());
      position_ = buffer_.size();
    }
    // Keep only the unread part so the buffer does not grow with every message.
    buffer_.erase(0, position_);
    position_ = 0;
    searched = buffer_.size();
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

bool StdioTransport::readBody(size_t count, std::string& out) {
  out.clear();
  JsonValueEnd value_end;
  while (out.size() < count) {
    // Before waiting for more input: a Content-Length longer than its body would otherwise make
    // the server wait, holding the messages that follow, until enough bytes arrive.
    if (position_ == buffer_.size()) {
      if (endsEarly(out, value_end)) return true;
      if (!fill()) return false;
    }
    const size_t take = std::min(count - out.size(), buffer_.size() - position_);
    out.append(buffer_, position_, take);
    position_ += take;
  }
  endsEarly(out, value_end);
  return true;
}

bool StdioTransport::endsEarly(std::string& body, JsonValueEnd& value_end) {
  const std::optional<size_t> end = value_end.feed(body);
  if (!end || *end == body.size()) return false;
  size_t next = *end;
  while (next < body.size() &&
         (body[next] == ' ' || body[next] == '\t' || body[next] == '\r' || body[next] == '\n')) {
    ++next;
  }
  if (!startsWithIgnoringCase(std::string_view(body).substr(next), kContentLength)) return false;
  // The value is whole and the next message's header follows it: read on from that header.
  buffer_ = body.substr(next) + buffer_.substr(position_);
  position_ = 0;
  body.resize(*end);
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
    // A header glued to the end of a body whose Content-Length was too short: the message is
    // lost either way, but the ones after it are read from their own headers.
    const size_t header = findIgnoringCase(line, kContentLength);
    if (header != std::string_view::npos) {
      std::string_view value = std::string_view(line).substr(header + kContentLength.size());
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
  if (!readBody(*length, result.body)) return {ReadStatus::Closed, {}};
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
