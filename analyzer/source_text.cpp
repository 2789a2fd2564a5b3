#include "analyzer/source_text.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace heaplint {

uint32_t utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  uint32_t length = 0;
  uint32_t code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07u;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (uint32_t k = 1; k < length; ++k) {
    const unsigned char continuation = byte(i + k);
    if ((continuation & 0xC0u) != 0x80u) return 0;
    code_point = (code_point << 6) | (continuation & 0x3Fu);
  }
  // Reject overlong forms, surrogates and values past U+10FFFF.
  if ((length == 3 && code_point < 0x800) || (length == 4 && code_point < 0x10000) ||
      (code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) {
    return 0;
  }
  return length;
}

SourceText::SourceText(std::string bytes) : bytes_(std::move(bytes)) {
  line_starts_.reserve(bytes_.size() / 32 + 1);
  // Editors do not show a byte-order mark: the first line starts after it.
  const size_t first = hasByteOrderMark() ? 3 : 0;
  line_starts_.push_back(static_cast<uint32_t>(first));
  const size_t n = bytes_.size();
  for (size_t i = first; i < n;) {
    const unsigned char c = static_cast<unsigned char>(bytes_[i]);
    if (c == '\n') {
      line_starts_.push_back(static_cast<uint32_t>(i + 1));
      ++i;
    } else if (c == '\r') {
      if (i + 1 < n && bytes_[i + 1] == '\n') {
        ++i;
      } else {
        has_lone_cr_ = true;
      }
      line_starts_.push_back(static_cast<uint32_t>(i + 1));
      ++i;
    } else if (c < 0x80) {
      ++i;
      // Most of a text is plain ASCII between line breaks: step over it eight bytes at a time.
      while (i + 8 <= n) {
        uint64_t word = 0;
        std::memcpy(&word, bytes_.data() + i, sizeof word);
        constexpr uint64_t kOnes = 0x0101010101010101ULL;
        constexpr uint64_t kHighBits = 0x8080808080808080ULL;
        const auto hasByte = [&](uint64_t byte) {
          const uint64_t x = word ^ (byte * kOnes);
          return ((x - kOnes) & ~x & kHighBits) != 0;
        };
        if ((word & kHighBits) != 0 || hasByte('\n') || hasByte('\r')) break;
        i += 8;
      }
    } else {
      ascii_only_ = false;
      const uint32_t length = utf8SequenceLength(bytes_, i);
      if (length == 0) {
        if (first_invalid_utf8_ == kNoOffset) first_invalid_utf8_ = static_cast<uint32_t>(i);
        ++i;
      } else {
        i += length;
      }
    }
  }
}

SourceText SourceText::edited(uint32_t start, uint32_t end, std::string_view replacement) const {
  std::string bytes;
  bytes.reserve(bytes_.size() - (end - start) + replacement.size());
  bytes.append(std::string_view(bytes_).substr(0, start));
  bytes.append(replacement);
  bytes.append(std::string_view(bytes_).substr(end));
  const auto plain = [](std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80 && c != '\r'; });
  };
  // Only line feeds to account for: no carriage return that the edit could join to or split from
  // a line feed, no multi-byte character, no invalid byte. Otherwise scan it all.
  const bool simple = ascii_only_ && !has_lone_cr_ && first_invalid_utf8_ == kNoOffset &&
                      !hasByteOrderMark() && plain(replacement) &&
                      plain(slice(start > 0 ? start - 1 : 0, end));
  if (!simple) return SourceText(std::move(bytes));

  SourceText result{Unscanned{}};
  result.bytes_ = std::move(bytes);
  // Lines starting at or before the edit stay; those whose line feed it removed go; the rest move.
  const auto first_after = std::upper_bound(line_starts_.begin(), line_starts_.end(), start);
  const auto first_kept = std::upper_bound(first_after, line_starts_.end(), end);
  result.line_starts_.reserve(line_starts_.size() + 8);
  result.line_starts_.assign(line_starts_.begin(), first_after);
  for (size_t i = 0; i < replacement.size(); ++i) {
    if (replacement[i] == '\n') result.line_starts_.push_back(start + static_cast<uint32_t>(i) + 1);
  }
  const int64_t delta = static_cast<int64_t>(replacement.size()) - (end - start);
  for (auto it = first_kept; it != line_starts_.end(); ++it) {
    result.line_starts_.push_back(static_cast<uint32_t>(*it + delta));
  }
  return result;
}

uint32_t SourceText::lineStart(uint32_t row) const {
  return row < line_starts_.size() ? line_starts_[row] : size();
}

uint32_t SourceText::lineEnd(uint32_t row) const {
  if (row >= line_starts_.size()) return size();
  uint32_t end = row + 1 < line_starts_.size() ? line_starts_[row + 1] : size();
  const uint32_t start = line_starts_[row];
  if (end > start && bytes_[end - 1] == '\n') --end;
  if (end > start && bytes_[end - 1] == '\r') --end;
  return end;
}

uint32_t SourceText::rowOf(uint32_t offset) const {
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return it == line_starts_.begin() ? 0 : static_cast<uint32_t>(it - line_starts_.begin()) - 1;
}

std::string_view SourceText::lineEnding() const {
  const size_t newline = bytes_.find('\n');
  return newline != std::string::npos && newline > 0 && bytes_[newline - 1] == '\r' ? "\r\n" : "\n";
}

Position SourceText::utf8Position(uint32_t offset) const {
  offset = std::clamp(offset, line_starts_[0], size());
  const uint32_t row = rowOf(offset);
  return {row, offset - line_starts_[row]};
}

namespace {
// Counts units between two byte offsets; an invalid byte counts as one unit (U+FFFD).
template <bool kUtf16>
uint32_t countUnits(std::string_view text, size_t from, size_t to) {
  uint32_t units = 0;
  for (size_t i = from; i < to;) {
    const uint32_t length = utf8SequenceLength(text, i);
    if (length == 0) {
      ++units;
      ++i;
    } else {
      units += (kUtf16 && length == 4) ? 2 : 1;
      i += length;
    }
  }
  return units;
}

template <bool kUtf16>
size_t advanceUnits(std::string_view text, size_t from, size_t to, uint32_t units) {
  size_t i = from;
  while (i < to && units > 0) {
    const uint32_t length = utf8SequenceLength(text, i);
    const uint32_t width = (kUtf16 && length == 4) ? 2 : 1;
    if (units < width) break;  // inside a surrogate pair: stay before the character
    units -= width;
    i += length == 0 ? 1 : length;
  }
  return std::min(i, to);
}
}  // namespace

Position SourceText::utf16Position(uint32_t offset) const {
  const Position bytes = utf8Position(offset);
  if (ascii_only_) return bytes;
  const uint32_t start = line_starts_[bytes.row];
  return {bytes.row, countUnits<true>(bytes_, start, start + bytes.column)};
}

Position SourceText::codePointPosition(uint32_t offset) const {
  const Position bytes = utf8Position(offset);
  if (ascii_only_) return bytes;
  const uint32_t start = line_starts_[bytes.row];
  return {bytes.row, countUnits<false>(bytes_, start, start + bytes.column)};
}

uint32_t SourceText::offsetFromUtf8(Position position) const {
  if (position.row >= line_starts_.size()) return size();
  const uint32_t start = line_starts_[position.row];
  return std::min(start + position.column, lineEnd(position.row));
}

uint32_t SourceText::offsetFromUtf16(Position position) const {
  if (position.row >= line_starts_.size()) return size();
  const uint32_t start = line_starts_[position.row];
  const uint32_t end = lineEnd(position.row);
  if (ascii_only_) return std::min(start + position.column, end);
  return static_cast<uint32_t>(advanceUnits<true>(bytes_, start, end, position.column));
}

}  // namespace heaplint
