// PEP 263: a Python file may declare its encoding in a coding cookie on its first or second line
// (`# -*- coding: latin-1 -*-`, `# vim: set fileencoding=cp1252 :`). The analyzer works on UTF-8,
// so such a file is decoded on the way in (with glibc's iconv) and encoded back on the way out;
// columns count characters either way. The language server receives text the editor has already
// decoded: it only needs the declared encoding, to drop fixes that encoding cannot hold.
//
// Each function takes bytes or text and returns values: easy to call from a fuzzer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace heaplint {

struct CodingCookie {
  std::string_view name;  // as written: "latin-1"
  uint32_t offset = 0;    // of the name in the text
};

// The cookie as Python's tokenizer finds it: a comment line matching `coding[:=]\s*([-\w.]+)` on
// line 1, or on line 2 when line 1 is blank or only a comment. The text may start with a BOM.
std::optional<CodingCookie> findCodingCookie(std::string_view text);

// What Python makes of a cookie's name, as iconv names the codec: "ISO-8859-1" for `latin-1`,
// "UTF-8" for `utf8` or `utf-8-unix`. Empty when Python knows no such codec or glibc does not
// decode it as Python does (the list: source_text_codecs_table.inc).
std::string_view iconvNameForCookie(std::string_view name);

// The encoding `text` declares, as iconv names it; empty for UTF-8, and for a name it cannot use
// (those are read as UTF-8).
std::string_view declaredEncoding(std::string_view text);

struct DecodedSource {
  std::string text;      // UTF-8: what the analyzer reads
  std::string encoding;  // iconv's name for what the file is written in; empty: UTF-8 as it was
  std::string codec;     // the cookie's name as written, for messages; empty without a cookie
  bool writable = true;  // encoding `text` gives back the bytes read: fixed text can be written
  std::string warning;   // empty, or what went wrong, one line (the file is still analysed)
  uint32_t warning_offset = 0;  // where, in `text`
};

// Decodes a file's bytes as Python would read them. Without a cookie (or with a UTF-8 one) the
// bytes are the text, moved, not copied. Bytes the encoding cannot decode become U+FFFD, with a
// warning, and the file is then not `writable`; so is one whose text would not encode back to
// the same bytes. An unknown codec, or a cookie that contradicts a UTF-8 byte-order mark, is a
// warning and the file is read as UTF-8.
DecodedSource decodePythonSource(std::string bytes);

// UTF-8 text in the encoding named (as iconv names it; empty or "UTF-8": unchanged); nothing when
// a character has no encoding in it.
std::optional<std::string> encodePythonSource(std::string_view text, std::string_view encoding);

// Whether every character of `text` has an encoding in `encoding` (empty: UTF-8, always).
bool canEncode(std::string_view text, std::string_view encoding);

}  // namespace heaplint
