// Source text with a line index: converts byte offsets to rows and columns in UTF-8 bytes, UTF-16
// code units (the LSP default) and code points (what terminals show), and back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace heaplint {

struct Position {
  uint32_t row = 0;     // 0-based
  uint32_t column = 0;  // 0-based, unit depends on the accessor
  friend bool operator==(const Position&, const Position&) = default;
};

// A leading UTF-8 byte-order mark is not part of any line: columns on the first line count from
// after it, as editors show them.
class SourceText {
 public:
  explicit SourceText(std::string bytes);
  // The text with bytes [start, end) replaced, as SourceText(text with the edit) would build it.
  // For plain ASCII text it rescans only the edited lines: the language server makes one per
  // keystroke.
  SourceText edited(uint32_t start, uint32_t end, std::string_view replacement) const;

  std::string_view text() const { return bytes_; }
  uint32_t size() const { return static_cast<uint32_t>(bytes_.size()); }
  std::string_view slice(uint32_t start, uint32_t end) const {
    return std::string_view(bytes_).substr(start, end - start);
  }

  uint32_t lineCount() const { return static_cast<uint32_t>(line_starts_.size()); }
  uint32_t lineStart(uint32_t row) const;
  // End of the line's content, before its terminator.
  uint32_t lineEnd(uint32_t row) const;
  std::string_view line(uint32_t row) const { return slice(lineStart(row), lineEnd(row)); }
  uint32_t rowOf(uint32_t offset) const;

  Position utf8Position(uint32_t offset) const;
  Position utf16Position(uint32_t offset) const;
  Position codePointPosition(uint32_t offset) const;
  // Inverse conversions clamp columns past the end of a line to the line's end, and rows past the
  // end of the text to the end of the text (as LSP clients expect).
  uint32_t offsetFromUtf8(Position position) const;
  uint32_t offsetFromUtf16(Position position) const;

  bool isValidUtf8() const { return first_invalid_utf8_ == kNoOffset; }
  uint32_t firstInvalidUtf8Offset() const { return first_invalid_utf8_; }
  // A carriage return not followed by a line feed: Python ends a line there, tree-sitter does not.
  bool hasLoneCarriageReturn() const { return has_lone_cr_; }
  bool hasByteOrderMark() const { return bytes_.starts_with("\xEF\xBB\xBF"); }
  // "\r\n" when the first line ends that way, else "\n": what fixes that add lines should use.
  std::string_view lineEnding() const;

  static constexpr uint32_t kNoOffset = UINT32_MAX;

 private:
  struct Unscanned {};
  explicit SourceText(Unscanned /*unused*/) {}

  std::string bytes_;
  std::vector<uint32_t> line_starts_;
  uint32_t first_invalid_utf8_ = kNoOffset;
  bool ascii_only_ = true;
  bool has_lone_cr_ = false;
};

// Length in bytes of the UTF-8 sequence starting at text[i], or 0 when it is not a valid sequence.
uint32_t utf8SequenceLength(std::string_view text, size_t i);

}  // namespace heaplint
