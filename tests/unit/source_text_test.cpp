#include "analyzer/source_text.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace heaplint
