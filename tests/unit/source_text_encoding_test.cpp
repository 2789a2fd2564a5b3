// PEP 263 coding cookies: found as Python's tokenizer finds them, decoded and encoded back with
// iconv, and fixes kept only where the file's encoding can hold them.
#include "analyzer/source_text_encoding.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "analyzer/analyze.h"
#include "analyzer/source_text.h"
#include "rules/registry.h"

namespace heaplint {
namespace {

std::string cookieName(std::string_view text) {
  const std::optional<CodingCookie> cookie = findCodingCookie(text);
  return cookie ? std::string(cookie->name) : std::string("(none)");
}

TEST(CodingCookie, FoundOnTheFirstOrSecondLineAsPythonFindsIt) {
  EXPECT_EQ(cookieName("# -*- coding: latin-1 -*-\nx = 1\n"), "latin-1");
  EXPECT_EQ(cookieName("#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n"), "cp1252");
  EXPECT_EQ(cookieName("\n# coding=koi8-r\n"), "koi8-r");
  EXPECT_EQ(cookieName("\xEF\xBB\xBF# coding: utf-8\n"), "utf-8");
  EXPECT_EQ(cookieName("# coding: latin-1\r\nx = 1\r\n"), "latin-1");
  EXPECT_EQ(cookieName("#coding:euc_jp"), "euc_jp");
  // Line 2 counts only after a blank or comment line; a cookie must be in a comment line.
  EXPECT_EQ(cookieName("x = 1\n# coding: latin-1\n"), "(none)");
  EXPECT_EQ(cookieName("x = 1  # coding: latin-1\n"), "(none)");
  EXPECT_EQ(cookieName("\n\n# coding: latin-1\n"), "(none)");
  EXPECT_EQ(cookieName("# coding: \n"), "(none)");
  EXPECT_EQ(cookieName("# no cookie here\n"), "(none)");
  EXPECT_EQ(cookieName(""), "(none)");
  const std::optional<CodingCookie> cookie = findCodingCookie("#!/bin/python\n# coding: ascii\n");
  ASSERT_TRUE(cookie);
  EXPECT_EQ(cookie->offset, 24U);
}

TEST(CodingCookie, NamesAreNormalisedAsPythonNormalisesThem) {
  EXPECT_EQ(iconvNameForCookie("latin-1"), "ISO-8859-1");
  EXPECT_EQ(iconvNameForCookie("Latin_1"), "ISO-8859-1");
  EXPECT_EQ(iconvNameForCookie("iso-8859-1-unix"), "ISO-8859-1");
  EXPECT_EQ(iconvNameForCookie("latin1"), "ISO-8859-1");
  EXPECT_EQ(iconvNameForCookie("utf-8-unix"), "UTF-8");
  EXPECT_EQ(iconvNameForCookie("utf8"), "UTF-8");
  EXPECT_EQ(iconvNameForCookie("CP1252"), "CP1252");
  EXPECT_EQ(iconvNameForCookie("windows-1252"), "CP1252");
  EXPECT_EQ(iconvNameForCookie("euc-jp"), "EUC-JP");
  EXPECT_EQ(iconvNameForCookie("shift_jis"), "CP932");  // glibc's SHIFT_JIS turns `\` into a yen
  EXPECT_EQ(iconvNameForCookie("bogus"), "");
  EXPECT_EQ(iconvNameForCookie("utf-16"), "");     // not ASCII-compatible: Python cannot use it
  EXPECT_EQ(iconvNameForCookie("mac-roman"), "");  // glibc reads two of its bytes otherwise
  EXPECT_EQ(declaredEncoding("# coding: latin-1\n"), "ISO-8859-1");
  EXPECT_EQ(declaredEncoding("# coding: utf-8\n"), "");
  EXPECT_EQ(declaredEncoding("x = 1\n"), "");
}

TEST(DecodePythonSource, Latin1IsDecodedAndWritesBackTheSameBytes) {
  const std::string bytes = "# -*- coding: latin-1 -*-\nname = 'caf\xE9'; n = len(name)\n";
  const DecodedSource decoded = decodePythonSource(bytes);
  EXPECT_EQ(decoded.text, "# -*- coding: latin-1 -*-\nname = 'caf\xC3\xA9'; n = len(name)\n");
  EXPECT_EQ(decoded.encoding, "ISO-8859-1");
  EXPECT_EQ(decoded.codec, "latin-1");
  EXPECT_TRUE(decoded.writable);
  EXPECT_TRUE(decoded.warning.empty());
  // Columns count characters, as in the file: `n` after `name = 'café'; ` is at index 15.
  const SourceText source(decoded.text);
  const auto n = static_cast<uint32_t>(decoded.text.find("n ="));
  EXPECT_EQ(source.codePointPosition(n), (Position{1, 15}));
  EXPECT_EQ(encodePythonSource(decoded.text, decoded.encoding), bytes);
}

TEST(DecodePythonSource, Utf8AndUncookedTextsAreLeftAsTheyAre) {
  for (const std::string& bytes :
       {std::string("x = 'caf\xC3\xA9'\n"), std::string("# coding: utf-8\nx = 1\n"),
        std::string("\xEF\xBB\xBF# coding: utf8\nx = 1\n"), std::string("x = '\xFF'\n")}) {
    const DecodedSource decoded = decodePythonSource(bytes);
    EXPECT_EQ(decoded.text, bytes);
    EXPECT_TRUE(decoded.encoding.empty());
    EXPECT_TRUE(decoded.writable);
    EXPECT_TRUE(decoded.warning.empty()) << decoded.warning;
  }
}

TEST(DecodePythonSource, UndecodableBytesAreReplacedAndTheFileIsNotWrittenBack) {
  const DecodedSource decoded = decodePythonSource("# coding: ascii\nx = '\xE9\xE9'\ny = 1\n");
  EXPECT_EQ(decoded.text,
            "# coding: ascii\nx = '\xEF\xBF\xBD\xEF\xBF\xBD'\ny = 1\n");  // two U+FFFD
  EXPECT_FALSE(decoded.writable);
  EXPECT_NE(decoded.warning.find("not valid `ascii`"), std::string::npos) << decoded.warning;
  EXPECT_EQ(decoded.warning_offset, 21U);  // the first bad byte, in the decoded text
}

TEST(DecodePythonSource, UnknownCodecsAndAByteOrderMarkConflictAreWarnings) {
  const DecodedSource unknown = decodePythonSource("# coding: bogus\nx = '\xC3\xA9'\n");
  EXPECT_EQ(unknown.text, "# coding: bogus\nx = '\xC3\xA9'\n");
  EXPECT_NE(unknown.warning.find("unknown encoding `bogus`"), std::string::npos);
  EXPECT_EQ(unknown.warning_offset, 10U);
  EXPECT_TRUE(unknown.encoding.empty());

  const DecodedSource bom = decodePythonSource("\xEF\xBB\xBF# coding: latin-1\nx = 1\n");
  EXPECT_EQ(bom.text, "\xEF\xBB\xBF# coding: latin-1\nx = 1\n");
  EXPECT_NE(bom.warning.find("byte-order mark contradicts"), std::string::npos);
  EXPECT_TRUE(bom.encoding.empty());
}

TEST(EncodePythonSource, FailsOnACharacterTheEncodingLacks) {
  EXPECT_EQ(encodePythonSource("\xC3\xA9", "ISO-8859-1"), std::string("\xE9"));
  EXPECT_EQ(encodePythonSource("\xE2\x82\xAC", "ISO-8859-1"), std::nullopt);  // the euro sign
  EXPECT_EQ(encodePythonSource("\xE2\x82\xAC", "CP1252"), std::string("\x80"));
  EXPECT_EQ(encodePythonSource("\xE2\x82\xAC", ""), std::string("\xE2\x82\xAC"));
  EXPECT_TRUE(canEncode("plain ascii", "ASCII"));
  EXPECT_FALSE(canEncode("caf\xC3\xA9", "ASCII"));
}

Diagnostic withFix(uint32_t at, std::string replacement) {
  Diagnostic diagnostic;
  diagnostic.rule = allRules()[0];
  diagnostic.start = at;
  diagnostic.end = at;
  diagnostic.fix = Fix{Applicability::Safe, {Edit{at, at, std::move(replacement)}}};
  return diagnostic;
}

TEST(FixesAndEncodings, AFixTheFileCannotHoldIsDropped) {
  const SourceText source("# coding: latin-1\nx = 1\n");
  AnalysisOptions options;
  options.rules = allRules();
  options.encoding = "ISO-8859-1";
  std::vector<Diagnostic> diagnostics{withFix(18, "caf\xC3\xA9"), withFix(19, "\xE2\x82\xAC")};
  FileAnalysis result;
  settleDiagnostics(source, options, diagnostics, result);
  ASSERT_EQ(result.diagnostics.size(), 2U);
  EXPECT_TRUE(result.diagnostics[0].fix.has_value());   // é is Latin-1
  EXPECT_FALSE(result.diagnostics[1].fix.has_value());  // € is not

  options.writable = false;  // bytes of it did not decode: nothing is written back
  FileAnalysis unwritable;
  settleDiagnostics(source, options, diagnostics, unwritable);
  for (const Diagnostic& diagnostic : unwritable.diagnostics)
    EXPECT_FALSE(diagnostic.fix.has_value());
}

// Random bytes under random cookies: decoding never fails, always gives UTF-8, and a writable
// result encodes back to the very bytes read. Run with HEAPLINT_ENCODING_SEED=N for other inputs.
TEST(DecodePythonSource, RandomInputsDecodeToUtf8AndRoundTrip) {
  const char* seed_text = std::getenv("HEAPLINT_ENCODING_SEED");
  std::mt19937 random(seed_text != nullptr ? static_cast<unsigned>(std::stoul(seed_text)) : 263U);
  const std::vector<std::string> cookies = {"latin-1", "cp1252",     "ascii", "koi8-r",
                                            "euc-jp",  "shift_jis",  "gbk",   "big5",
                                            "utf-8",   "iso2022_jp", "bogus", "cp932"};
  for (int round = 0; round < 3000; ++round) {
    std::string bytes = "# coding: " + cookies[random() % cookies.size()] + "\n";
    const size_t length = random() % 64;
    for (size_t i = 0; i < length; ++i) {
      // Mostly ASCII, with high bytes and escape sequences mixed in.
      const unsigned roll = random() % 10;
      bytes += static_cast<char>(roll < 6   ? 0x20 + random() % 0x5F
                                 : roll < 9 ? random() % 256
                                            : 0x1B);
    }
    const DecodedSource decoded = decodePythonSource(bytes);
    const SourceText source(decoded.text);
    EXPECT_TRUE(source.isValidUtf8() || decoded.encoding.empty()) << bytes;
    if (decoded.writable && !decoded.encoding.empty()) {
      EXPECT_EQ(encodePythonSource(decoded.text, decoded.encoding), bytes);
    }
    if (!decoded.warning.empty()) EXPECT_LE(decoded.warning_offset, decoded.text.size());
  }
}

}  // namespace
}  // namespace heaplint
