#include "analyzer/source_text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace heaplint {
namespace {

TEST(SourceText, RowsAndByteColumns) {
  const SourceText source("a = 1\nbb = 2\r\ncc\rd");
  EXPECT_EQ(source.lineCount(), 4u);
  EXPECT_EQ(source.utf8Position(0), (Position{0, 0}));
  EXPECT_EQ(source.utf8Position(6), (Position{1, 0}));
  EXPECT_EQ(source.utf8Position(9), (Position{1, 3}));
  EXPECT_EQ(source.line(1), "bb = 2");
  EXPECT_EQ(source.line(2), "cc");
  EXPECT_EQ(source.line(3), "d");
}

TEST(SourceText, Utf16ColumnsCountSurrogatePairsTwice) {
  // "é" is 2 bytes / 1 UTF-16 unit; "😀" is 4 bytes / 2 UTF-16 units.
  const SourceText source("x = 'é😀' + sum([y])\n");
  const uint32_t sum_offset = static_cast<uint32_t>(source.text().find("sum"));
  EXPECT_EQ(source.utf8Position(sum_offset).column, sum_offset);
  EXPECT_EQ(source.utf16Position(sum_offset).column, sum_offset - 1 - 2);
  EXPECT_EQ(source.codePointPosition(sum_offset).column, sum_offset - 1 - 3);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, sum_offset - 3}), sum_offset);
}

TEST(SourceText, InvalidUtf8IsReportedAndCountedPerByte) {
  const SourceText source(std::string("a = '\xff\xfe' + b\n"));
  EXPECT_FALSE(source.isValidUtf8());
  EXPECT_EQ(source.firstInvalidUtf8Offset(), 5u);
  const uint32_t b_offset = static_cast<uint32_t>(source.text().find('b'));
  EXPECT_EQ(source.utf16Position(b_offset).column, b_offset);
}

// "é" (U+00E9) is 2 bytes, "€" (U+20AC) 3 bytes, "😀" (U+1F600) 4 bytes and a surrogate pair.
constexpr std::string_view kTwoByte = "\xC3\xA9";
constexpr std::string_view kThreeByte = "\xE2\x82\xAC";
constexpr std::string_view kFourByte = "\xF0\x9F\x98\x80";

uint32_t offsetOf(const SourceText& source, std::string_view needle) {
  const size_t found = source.text().find(needle);
  EXPECT_NE(found, std::string_view::npos) << needle;
  return static_cast<uint32_t>(found);
}

TEST(SourceText, ColumnsAfterEachSequenceLength) {
  // x = 'é€😀' + y
  const SourceText source("x = '" + std::string(kTwoByte) + std::string(kThreeByte) +
                          std::string(kFourByte) + "' + y\n");
  ASSERT_TRUE(source.isValidUtf8());
  const uint32_t quote = 4;  // the opening quote
  const uint32_t after_two = quote + 1 + 2;
  const uint32_t after_three = after_two + 3;
  const uint32_t after_four = after_three + 4;
  EXPECT_EQ(source.utf8Position(after_two), (Position{0, after_two}));
  EXPECT_EQ(source.utf16Position(after_two), (Position{0, 6}));
  EXPECT_EQ(source.codePointPosition(after_two), (Position{0, 6}));
  EXPECT_EQ(source.utf16Position(after_three), (Position{0, 7}));
  EXPECT_EQ(source.codePointPosition(after_three), (Position{0, 7}));
  // The surrogate pair counts twice in UTF-16, once in code points.
  EXPECT_EQ(source.utf16Position(after_four), (Position{0, 9}));
  EXPECT_EQ(source.codePointPosition(after_four), (Position{0, 8}));
  const uint32_t y = offsetOf(source, "y");
  EXPECT_EQ(source.utf8Position(y).column, 18u);
  EXPECT_EQ(source.utf16Position(y).column, 13u);
  EXPECT_EQ(source.codePointPosition(y).column, 12u);
}

TEST(SourceText, NonAsciiOnOneLineDoesNotShiftOtherLines) {
  const SourceText source("a = '" + std::string(kFourByte) + "'\nbb = c\n");
  const uint32_t c = offsetOf(source, "c");
  EXPECT_EQ(source.utf16Position(c), (Position{1, 5}));
  EXPECT_EQ(source.codePointPosition(c), (Position{1, 5}));
  EXPECT_EQ(source.offsetFromUtf16(Position{1, 5}), c);
}

TEST(SourceText, Utf16RoundTripsAtEveryCharacterBoundary) {
  const std::string text = "s = '" + std::string(kTwoByte) + "a" + std::string(kFourByte) +
                           std::string(kThreeByte) + std::string(kFourByte) + "'\r\n# " +
                           std::string(kThreeByte) + "\n";
  const SourceText source(text);
  uint32_t offset = 0;
  while (true) {
    const bool in_terminator =
        offset < source.size() && (text[offset] == '\r' || text[offset] == '\n');
    // Positions inside a line terminator clamp to the line's end on the way back.
    if (!in_terminator) {
      EXPECT_EQ(source.offsetFromUtf16(source.utf16Position(offset)), offset) << offset;
      EXPECT_EQ(source.offsetFromUtf8(source.utf8Position(offset)), offset) << offset;
    }
    if (offset == source.size()) break;
    offset += std::max<uint32_t>(1, utf8SequenceLength(text, offset));
  }
}

TEST(SourceText, Utf16ColumnInsideSurrogatePairStaysBeforeTheCharacter) {
  const SourceText source("a" + std::string(kFourByte) + "b");
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 1}), 1u);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 2}), 1u);  // between the two halves
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 3}), 5u);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 4}), 6u);
}

TEST(SourceText, InverseConversionsClampPastLineEnd) {
  const SourceText source("ab\ncd" + std::string(kTwoByte) + "\r\nlast");
  EXPECT_EQ(source.offsetFromUtf8(Position{0, 2}), 2u);
  EXPECT_EQ(source.offsetFromUtf8(Position{0, 99}), 2u);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 99}), 2u);
  // Line 1 ends before "\r\n", not inside it.
  EXPECT_EQ(source.offsetFromUtf8(Position{1, 99}), 7u);
  EXPECT_EQ(source.offsetFromUtf16(Position{1, 99}), 7u);
  EXPECT_EQ(source.offsetFromUtf16(Position{1, 3}), 7u);
  EXPECT_EQ(source.offsetFromUtf16(Position{1, 2}), 5u);
  EXPECT_EQ(source.offsetFromUtf16(Position{2, 4}), source.size());
  EXPECT_EQ(source.offsetFromUtf16(Position{2, 5}), source.size());
}

TEST(SourceText, InverseConversionsClampPastLastRow) {
  const SourceText source("ab\ncd\n");
  ASSERT_EQ(source.lineCount(), 3u);
  EXPECT_EQ(source.offsetFromUtf8(Position{2, 0}), 6u);
  EXPECT_EQ(source.offsetFromUtf8(Position{3, 0}), source.size());
  EXPECT_EQ(source.offsetFromUtf16(Position{3, 7}), source.size());
  EXPECT_EQ(source.offsetFromUtf16(Position{UINT32_MAX, UINT32_MAX}), source.size());
  EXPECT_EQ(source.lineStart(99), source.size());
  EXPECT_EQ(source.lineEnd(99), source.size());
}

TEST(SourceText, OffsetsPastTheEndClampToTheEnd) {
  const SourceText source("ab\ncd");
  EXPECT_EQ(source.utf8Position(5), (Position{1, 2}));
  EXPECT_EQ(source.utf8Position(500), (Position{1, 2}));
  EXPECT_EQ(source.utf16Position(500), (Position{1, 2}));
  EXPECT_EQ(source.codePointPosition(500), (Position{1, 2}));
}

TEST(SourceText, CrLfLines) {
  const SourceText source("a = 1\r\nb = 2\r\n");
  EXPECT_EQ(source.lineCount(), 3u);
  EXPECT_EQ(source.lineStart(1), 7u);
  EXPECT_EQ(source.lineEnd(0), 5u);
  EXPECT_EQ(source.lineEnd(1), 12u);
  EXPECT_EQ(source.line(0), "a = 1");
  EXPECT_EQ(source.line(1), "b = 2");
  EXPECT_EQ(source.line(2), "");
  // The '\r' and '\n' both belong to the line they end.
  EXPECT_EQ(source.rowOf(5), 0u);
  EXPECT_EQ(source.rowOf(6), 0u);
  EXPECT_EQ(source.rowOf(7), 1u);
  EXPECT_EQ(source.utf8Position(6), (Position{0, 6}));
  EXPECT_EQ(source.utf8Position(source.size()), (Position{2, 0}));
  EXPECT_EQ(source.lineEnding(), "\r\n");
}

TEST(SourceText, LoneCarriageReturnEndsALine) {
  const SourceText source("a\rb\r\rc");
  ASSERT_EQ(source.lineCount(), 4u);
  EXPECT_EQ(source.line(0), "a");
  EXPECT_EQ(source.line(1), "b");
  EXPECT_EQ(source.line(2), "");
  EXPECT_EQ(source.line(3), "c");
  EXPECT_EQ(source.utf8Position(5), (Position{3, 0}));
  EXPECT_EQ(source.offsetFromUtf16(Position{1, 9}), 3u);
  EXPECT_TRUE(source.hasLoneCarriageReturn());
  EXPECT_FALSE(SourceText("a\r\nb\n").hasLoneCarriageReturn());
  EXPECT_FALSE(SourceText("a\r\n").hasLoneCarriageReturn());
  EXPECT_TRUE(SourceText("a\r").hasLoneCarriageReturn());
}

TEST(SourceText, CarriageReturnBeforeCrLf) {
  // "\r" then "\r\n": two line breaks, not three.
  const SourceText source("a\r\r\nb");
  ASSERT_EQ(source.lineCount(), 3u);
  EXPECT_EQ(source.line(1), "");
  EXPECT_EQ(source.line(2), "b");
  EXPECT_EQ(source.lineStart(2), 4u);
  EXPECT_TRUE(source.hasLoneCarriageReturn());
}

TEST(SourceText, LineEndingFollowsTheFirstLine) {
  EXPECT_EQ(SourceText("a\nb\r\n").lineEnding(), "\n");
  EXPECT_EQ(SourceText("a\r\nb\n").lineEnding(), "\r\n");
  EXPECT_EQ(SourceText("\r\n").lineEnding(), "\r\n");
  EXPECT_EQ(SourceText("\n").lineEnding(), "\n");
  EXPECT_EQ(SourceText("no newline").lineEnding(), "\n");
  EXPECT_EQ(SourceText("").lineEnding(), "\n");
}

TEST(SourceText, EmptyText) {
  const SourceText source("");
  EXPECT_EQ(source.size(), 0u);
  EXPECT_EQ(source.lineCount(), 1u);
  EXPECT_EQ(source.lineStart(0), 0u);
  EXPECT_EQ(source.lineEnd(0), 0u);
  EXPECT_EQ(source.line(0), "");
  EXPECT_EQ(source.rowOf(0), 0u);
  EXPECT_EQ(source.utf8Position(0), (Position{0, 0}));
  EXPECT_EQ(source.utf16Position(0), (Position{0, 0}));
  EXPECT_EQ(source.codePointPosition(0), (Position{0, 0}));
  EXPECT_EQ(source.offsetFromUtf8(Position{0, 3}), 0u);
  EXPECT_EQ(source.offsetFromUtf16(Position{2, 3}), 0u);
  EXPECT_TRUE(source.isValidUtf8());
  EXPECT_EQ(source.firstInvalidUtf8Offset(), SourceText::kNoOffset);
  EXPECT_FALSE(source.hasByteOrderMark());
}

TEST(SourceText, TextWithoutTrailingNewline) {
  const SourceText source("x = 1\ny = '" + std::string(kTwoByte) + "'");
  EXPECT_EQ(source.lineCount(), 2u);
  EXPECT_EQ(source.line(1), "y = '" + std::string(kTwoByte) + "'");
  EXPECT_EQ(source.lineEnd(1), source.size());
  EXPECT_EQ(source.utf8Position(source.size()), (Position{1, 8}));
  EXPECT_EQ(source.codePointPosition(source.size()), (Position{1, 7}));
  EXPECT_EQ(source.offsetFromUtf16(Position{1, 7}), source.size());
  EXPECT_EQ(source.offsetFromUtf16(Position{1, 70}), source.size());
}

TEST(SourceText, TrailingNewlineStartsAnEmptyLastLine) {
  const SourceText source("x\n");
  EXPECT_EQ(source.lineCount(), 2u);
  EXPECT_EQ(source.utf8Position(2), (Position{1, 0}));
  EXPECT_EQ(source.offsetFromUtf16(Position{1, 0}), 2u);
}

TEST(SourceText, ByteOrderMarkIsKeptInTheTextButNotInTheFirstLine) {
  const SourceText source("\xEF\xBB\xBFx = 1\ny = 2\n");
  EXPECT_TRUE(source.hasByteOrderMark());
  EXPECT_TRUE(source.isValidUtf8());
  EXPECT_EQ(source.size(), 15u);
  EXPECT_TRUE(source.text().starts_with("\xEF\xBB\xBF"));
  EXPECT_EQ(source.lineCount(), 3u);
  EXPECT_EQ(source.lineStart(0), 3u);
  EXPECT_EQ(source.line(0), "x = 1");
  EXPECT_EQ(source.lineStart(1), 9u);
  EXPECT_EQ(source.rowOf(0), 0u);
  EXPECT_EQ(source.utf8Position(3), (Position{0, 0}));
  EXPECT_EQ(source.utf8Position(7), (Position{0, 4}));
  EXPECT_EQ(source.utf8Position(0), (Position{0, 0}));  // inside the mark: clamped
  EXPECT_EQ(source.offsetFromUtf8(Position{0, 0}), 3u);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 0}), 3u);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 4}), 7u);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 99}), 8u);
  // Lines after the first are not affected by the mark.
  EXPECT_EQ(source.codePointPosition(13), (Position{1, 4}));
  EXPECT_EQ(source.utf16Position(13), (Position{1, 4}));
  EXPECT_FALSE(SourceText("x\xEF\xBB\xBF").hasByteOrderMark());
}

TEST(SourceText, ByteOrderMarkIsNotAColumn) {
  // Columns count from after a leading byte-order mark, as editors show them and as Ruff's
  // line_column() does: `x` right after the mark is column 0, not 1.
  const SourceText source("\xEF\xBB\xBFx = '" + std::string(kTwoByte) + "' + y\n");
  EXPECT_EQ(source.codePointPosition(3), (Position{0, 0}));
  EXPECT_EQ(source.utf16Position(3), (Position{0, 0}));
  EXPECT_EQ(source.codePointPosition(7), (Position{0, 4}));
  const uint32_t y = offsetOf(source, "y");
  EXPECT_EQ(source.utf8Position(y), (Position{0, y - 3}));
  EXPECT_EQ(source.codePointPosition(y), (Position{0, y - 4}));
  EXPECT_EQ(source.utf16Position(y), (Position{0, y - 4}));
  EXPECT_EQ(source.offsetFromUtf16(source.utf16Position(y)), y);
}

TEST(SourceText, ByteOrderMarkAlone) {
  const SourceText source("\xEF\xBB\xBF");
  EXPECT_TRUE(source.hasByteOrderMark());
  EXPECT_EQ(source.lineCount(), 1u);
  EXPECT_EQ(source.line(0), "");
  EXPECT_EQ(source.utf8Position(3), (Position{0, 0}));
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 5}), 3u);
}

TEST(SourceText, InvalidUtf8BytesAreOneUnitEach) {
  // A lone continuation byte, a truncated 3-byte sequence, an overlong '/', an encoded surrogate
  // and a value past U+10FFFF: every byte of them is one column.
  struct Case {
    std::string bad;
    uint32_t bytes;
  };
  const Case cases[] = {
      {"\x80", 1},         {"\xE2\x82", 2},         {"\xC0\xAF", 2},
      {"\xED\xA0\x80", 3}, {"\xF4\x90\x80\x80", 4}, {"\xF8\x88\x80\x80\x80", 5},
  };
  for (const Case& c : cases) {
    const SourceText source("a = '" + c.bad + "' + b\n");
    SCOPED_TRACE(testing::Message() << "bytes " << c.bytes);
    EXPECT_FALSE(source.isValidUtf8());
    EXPECT_EQ(source.firstInvalidUtf8Offset(), 5u);
    const uint32_t b = offsetOf(source, "b");
    EXPECT_EQ(source.utf16Position(b).column, b);
    EXPECT_EQ(source.codePointPosition(b).column, b);
    EXPECT_EQ(source.offsetFromUtf16(Position{0, b}), b);
    EXPECT_EQ(source.offsetFromUtf16(Position{0, 6}), 6u);
  }
}

TEST(SourceText, InvalidByteAfterValidNonAscii) {
  const SourceText source("'" + std::string(kFourByte) + "\xFF" + "' + b");
  EXPECT_FALSE(source.isValidUtf8());
  EXPECT_EQ(source.firstInvalidUtf8Offset(), 5u);
  const uint32_t b = offsetOf(source, "b");  // byte 10
  EXPECT_EQ(source.utf16Position(b).column, 8u);
  EXPECT_EQ(source.codePointPosition(b).column, 7u);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 8}), b);
}

TEST(SourceText, TruncatedSequenceAtEndOfText) {
  const SourceText source("ab\xF0\x9F");
  EXPECT_FALSE(source.isValidUtf8());
  EXPECT_EQ(source.firstInvalidUtf8Offset(), 2u);
  EXPECT_EQ(source.utf16Position(4).column, 4u);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 3}), 3u);
  EXPECT_EQ(source.offsetFromUtf16(Position{0, 9}), 4u);
}

TEST(SourceText, NulBytesAreOrdinaryCharacters) {
  const SourceText source(std::string("a\0b\n\0", 5));
  EXPECT_TRUE(source.isValidUtf8());
  EXPECT_EQ(source.lineCount(), 2u);
  EXPECT_EQ(source.utf8Position(2), (Position{0, 2}));
  EXPECT_EQ(source.line(1), std::string_view("\0", 1));
}

TEST(SourceText, SequenceLengths) {
  EXPECT_EQ(utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(utf8SequenceLength(kTwoByte, 0), 2u);
  EXPECT_EQ(utf8SequenceLength(kThreeByte, 0), 3u);
  EXPECT_EQ(utf8SequenceLength(kFourByte, 0), 4u);
  EXPECT_EQ(utf8SequenceLength("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF
  EXPECT_EQ(utf8SequenceLength("\xEF\xBB\xBF", 0), 3u);      // U+FEFF
  EXPECT_EQ(utf8SequenceLength(kTwoByte, 1), 0u);            // continuation byte
  EXPECT_EQ(utf8SequenceLength("\xC1\xBF", 0), 0u);          // overlong
  EXPECT_EQ(utf8SequenceLength("\xE0\x80\xAF", 0), 0u);      // overlong
  EXPECT_EQ(utf8SequenceLength("\xF0\x80\x80\xAF", 0), 0u);  // overlong
  EXPECT_EQ(utf8SequenceLength("\xED\xBF\xBF", 0), 0u);      // surrogate
  EXPECT_EQ(utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // > U+10FFFF
  EXPECT_EQ(utf8SequenceLength("\xE2\x82", 0), 0u);          // truncated
  EXPECT_EQ(utf8SequenceLength("\xE2\x28\xAC", 0), 0u);      // bad continuation
}

}  // namespace
}  // namespace heaplint

namespace heaplint {
namespace {

// edited() must build exactly what a scan of the edited text builds, on its fast path (plain
// ASCII) and off it (line endings, multi-byte characters, invalid bytes, a byte-order mark).
TEST(SourceText, AnEditedTextIsTheTextScannedAfresh) {
  const std::vector<std::string> texts = {
      "def f(x):\n    return x\n\n\nclass C:\n    pass\n",
      "a = 1\r\nb = 2\r\n\r\nc = 3\r\n",
      "s = 'é'\nt = '𝄞'\nu = 1\n",
      "x = 1\ry = 2\n",
      "\xEF\xBB\xBFx = 1\ny = 2\n",
      "bad = '\xFF'\nok = 1\n",
  };
  const std::vector<std::string> pieces = {"", "q", "\n", "\n\n", "\r", "\r\n", "é", "  x = (\n"};
  std::mt19937 random(7);
  for (const std::string& original : texts) {
    SourceText text(original);
    for (int round = 0; round < 300; ++round) {
      const uint32_t start = random() % (text.size() + 1);
      const uint32_t end = std::min<uint32_t>(text.size(), start + random() % 4);
      const std::string& piece = pieces[random() % pieces.size()];
      const SourceText edited = text.edited(start, end, piece);
      std::string expected_bytes(text.text());
      expected_bytes.replace(start, end - start, piece);
      const SourceText expected(expected_bytes);
      ASSERT_EQ(edited.text(), expected.text());
      ASSERT_EQ(edited.lineCount(), expected.lineCount()) << "round " << round;
      for (uint32_t row = 0; row < expected.lineCount(); ++row)
        ASSERT_EQ(edited.lineStart(row), expected.lineStart(row)) << "round " << round;
      ASSERT_EQ(edited.firstInvalidUtf8Offset(), expected.firstInvalidUtf8Offset());
      ASSERT_EQ(edited.hasLoneCarriageReturn(), expected.hasLoneCarriageReturn());
      for (uint32_t offset = 0; offset <= expected.size(); ++offset)
        ASSERT_EQ(edited.utf16Position(offset), expected.utf16Position(offset));
      // Keep texts small and varied: start over now and then.
      text = expected.size() > 400 ? SourceText(original) : edited;
    }
  }
}

}  // namespace
}  // namespace heaplint
