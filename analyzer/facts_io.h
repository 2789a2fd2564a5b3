// A small binary encoding for what the result cache keeps between runs: project rules' per-file
// facts (and the diagnostics and fixes around them), and what a file's facts take while they wait
// for the project step (packFacts). 32-bit numbers as LEB128 varints (most are small: rows,
// counts, lengths), 64-bit ones little-endian, strings length-prefixed; a reader that runs past
// the end or meets nonsense stops and reports failure instead of crashing.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/diagnostic.h"

namespace heaplint {

class FactsWriter {
 public:
  explicit FactsWriter(std::string& out) : out_(out) {}

  void u32(uint32_t value) {
    while (value >= 0x80) {
      out_.push_back(static_cast<char>((value & 0x7F) | 0x80));
      value >>= 7;
    }
    out_.push_back(static_cast<char>(value));
  }
  void u64(uint64_t value) { raw(&value, sizeof value); }
  void boolean(bool value) { out_.push_back(value ? '\1' : '\0'); }
  void string(std::string_view value) {
    u32(static_cast<uint32_t>(value.size()));
    out_.append(value);
  }
  void strings(const std::vector<std::string>& values) {
    u32(static_cast<uint32_t>(values.size()));
    for (const std::string& value : values)
      string(value);
  }
  void fix(const std::optional<Fix>& value) {
    boolean(value.has_value());
    if (!value) return;
    boolean(value->applicability == Applicability::Safe);
    u32(static_cast<uint32_t>(value->edits.size()));
    for (const Edit& edit : value->edits) {
      u32(edit.start);
      u32(edit.end);
      string(edit.replacement);
    }
  }

 private:
  void raw(const void* data, size_t size) { out_.append(static_cast<const char*>(data), size); }
  std::string& out_;
};

class FactsReader {
 public:
  explicit FactsReader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  // For a caller that meets nonsense in what it reads (an index out of range).
  void fail() { ok_ = false; }
  bool atEnd() const { return position_ == in_.size(); }

  uint32_t u32() {
    uint32_t value = 0;
    for (int shift = 0; ok_; shift += 7) {
      if (position_ == in_.size() || shift > 28) break;
      const auto byte = static_cast<uint8_t>(in_[position_++]);
      if (shift == 28 && byte > 0x0F) break;  // past 32 bits
      value |= static_cast<uint32_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    ok_ = false;
    return 0;
  }
  uint64_t u64() {
    uint64_t value = 0;
    raw(&value, sizeof value);
    return value;
  }
  bool boolean() {
    char value = 0;
    raw(&value, 1);
    return value != 0;
  }
  std::string string() { return std::string(view()); }
  // Valid as long as the input is.
  std::string_view view() {
    const uint32_t size = u32();
    if (!ok_ || size > in_.size() - position_) {
      ok_ = false;
      return {};
    }
    const std::string_view value = in_.substr(position_, size);
    position_ += size;
    return value;
  }
  std::vector<std::string> strings() {
    std::vector<std::string> values(count());
    for (std::string& value : values)
      value = string();
    return values;
  }
  // A element count, bounded by the bytes left so corrupt input cannot ask for huge vectors.
  uint32_t count() {
    const uint32_t value = u32();
    if (value > in_.size() - position_) {
      ok_ = false;
      return 0;
    }
    return value;
  }
  std::optional<Fix> fix() {
    if (!boolean()) return std::nullopt;
    Fix value;
    value.applicability = boolean() ? Applicability::Safe : Applicability::Unsafe;
    const uint32_t edits = count();
    for (uint32_t i = 0; i < edits && ok_; ++i) {
      Edit edit;
      edit.start = u32();
      edit.end = u32();
      edit.replacement = string();
      value.edits.push_back(std::move(edit));
    }
    return value;
  }

 private:
  void raw(void* data, size_t size) {
    if (!ok_ || size > in_.size() - position_) {
      ok_ = false;
      return;
    }
    std::memcpy(data, in_.data() + position_, size);
    position_ += size;
  }
  std::string_view in_;
  size_t position_ = 0;
  bool ok_ = true;
};

// Facts that name the same few dotted names over and over (a module's functions call each other,
// a caller makes many calls, every name starts with the module's) write them as a table of their
// strings, sorted and front-coded (each string as the length it shares with the one before and
// the rest), and indices into it: about a third of the bytes.
class StringTableWriter {
 public:
  // Every string before write(); the views must outlive the writer.
  void add(std::string_view value) { strings_.push_back(value); }
  void add(const std::vector<std::string>& values) {
    strings_.insert(strings_.end(), values.begin(), values.end());
  }
  void write(FactsWriter& out) {
    std::sort(strings_.begin(), strings_.end());
    strings_.erase(std::unique(strings_.begin(), strings_.end()), strings_.end());
    out.u32(static_cast<uint32_t>(strings_.size()));
    std::string_view previous;
    for (const std::string_view value : strings_) {
      size_t shared = 0;
      while (shared < previous.size() && shared < value.size() &&
             previous[shared] == value[shared]) {
        ++shared;
      }
      out.u32(static_cast<uint32_t>(shared));
      out.string(value.substr(shared));
      previous = value;
    }
  }
  // After write(): a string that was added.
  void ref(FactsWriter& out, std::string_view value) const {
    const auto it = std::lower_bound(strings_.begin(), strings_.end(), value);
    out.u32(static_cast<uint32_t>(it - strings_.begin()));
  }
  void refs(FactsWriter& out, const std::vector<std::string>& values) const {
    out.u32(static_cast<uint32_t>(values.size()));
    for (const std::string& value : values)
      ref(out, value);
  }

 private:
  std::vector<std::string_view> strings_;
};

// Reads StringTableWriter::write's table into `table`. `keep(std::string_view)` stores each
// string (the view it is given dies with the call) and returns a view of its copy that lives as
// long as the caller needs.
template <class Keep>
bool readStringTable(FactsReader& in, std::vector<std::string_view>& table, Keep&& keep) {
  table.assign(in.count(), std::string_view());
  std::string scratch;
  std::string_view previous;
  for (std::string_view& entry : table) {
    const uint32_t shared = in.u32();
    const std::string_view rest = in.view();
    if (!in.ok() || shared > previous.size()) {
      in.fail();
      return false;
    }
    scratch.assign(previous.substr(0, shared));
    scratch.append(rest);
    entry = keep(std::string_view(scratch));
    previous = entry;
  }
  return in.ok();
}

// The table kept by the reader, for facts whose objects copy their strings anyway.
class StringTableReader {
 public:
  bool read(FactsReader& in) {
    return readStringTable(in, table_, [this](std::string_view value) -> std::string_view {
      return kept_.emplace_back(value);
    });
  }
  // An index written by StringTableWriter::ref; an index past the table fails the reader.
  std::string_view ref(FactsReader& in) const {
    const uint32_t index = in.u32();
    if (index < table_.size()) return table_[index];
    in.fail();
    return {};
  }
  std::string string(FactsReader& in) const { return std::string(ref(in)); }
  std::vector<std::string> strings(FactsReader& in) const {
    std::vector<std::string> values(in.count());
    for (std::string& value : values)
      value = string(in);
    return values;
  }

 private:
  std::deque<std::string> kept_;  // never moved: the table's views point into it
  std::vector<std::string_view> table_;
};

// For facts that list their fields once, in one function template used both ways:
// `fields(fact, FieldWriter{out})` writes them, `fields(fact, FieldReader{in})` reads them back.
struct FieldWriter {
  FactsWriter& out;
  void operator()(uint32_t value) const { out.u32(value); }
  void operator()(bool value) const { out.boolean(value); }
  void operator()(const std::string& value) const { out.string(value); }
  void operator()(const std::vector<std::string>& values) const { out.strings(values); }
};
struct FieldReader {
  FactsReader& in;
  void operator()(uint32_t& value) const { value = in.u32(); }
  void operator()(bool& value) const { value = in.boolean(); }
  void operator()(std::string& value) const { value = in.string(); }
  void operator()(std::vector<std::string>& values) const { values = in.strings(); }
};

}  // namespace heaplint
