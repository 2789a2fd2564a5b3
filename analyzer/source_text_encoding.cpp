#include "analyzer/source_text_encoding.h"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>

namespace heaplint {
namespace {

struct CodecName {
  std::string_view python;  // normalised as Python normalises a codec name
  std::string_view iconv;
};

#include "analyzer/source_text_codecs_table.inc"

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

bool isUtf8(std::string_view iconv_name) {
  return iconv_name == "UTF-8";
}

char asciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool isAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// The first line of `text` from `start`, without its line feed.
std::string_view lineAt(std::string_view text, size_t start) {
  const size_t end = text.find('\n', start);
  return text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

// tokenize.py's cookie_re, `^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)`, on one line.
std::optional<CodingCookie> cookieInLine(std::string_view line, size_t line_offset) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f'))
    ++i;
  if (i == line.size() || line[i] != '#') return std::nullopt;
  for (size_t at = line.find("coding", i); at != std::string_view::npos;
       at = line.find("coding", at + 1)) {
    size_t k = at + 6;
    if (k >= line.size() || (line[k] != ':' && line[k] != '=')) continue;
    ++k;
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t'))
      ++k;
    size_t end = k;
    while (end < line.size() &&
           (isAsciiAlnum(line[end]) || line[end] == '-' || line[end] == '_' || line[end] == '.')) {
      ++end;
    }
    if (end == k) continue;
    return CodingCookie{line.substr(k, end - k), static_cast<uint32_t>(line_offset + k)};
  }
  return std::nullopt;
}

// tokenize.py's blank_re: a line that is blank or only a comment.
bool isBlankOrComment(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f'))
    ++i;
  return i == line.size() || line[i] == '#' || line[i] == '\r';
}

// The tokenizer's get_normal_name(): its spellings of UTF-8 and Latin-1, else the name as is.
std::string tokenizerName(std::string_view name) {
  std::string head;
  for (size_t i = 0; i < name.size() && i < 12; ++i)
    head += name[i] == '_' ? '-' : asciiLower(name[i]);
  if (head == "utf-8" || head.starts_with("utf-8-")) return "utf-8";
  for (const std::string_view latin : {"latin-1", "iso-8859-1", "iso-latin-1"}) {
    if (head == latin ||
        (head.starts_with(latin) && head.size() > latin.size() && head[latin.size()] == '-')) {
      return "iso-8859-1";
    }
  }
  return std::string(name);
}

// codecs.lookup()'s normalisation: lower case, each run of characters other than letters, digits
// and dots made one `_`, none at either end.
std::string lookupName(std::string_view name) {
  std::string out;
  bool separator = false;
  for (const char c : name) {
    if (isAsciiAlnum(c) || c == '.') {
      if (separator && !out.empty()) out += '_';
      out += asciiLower(c);
      separator = false;
    } else {
      separator = true;
    }
  }
  return out;
}

std::string_view findCodec(std::string_view python_name) {
  const auto it = std::lower_bound(
      kCodecNames.begin(), kCodecNames.end(), python_name,
      [](const CodecName& entry, std::string_view name) { return entry.python < name; });
  return it != kCodecNames.end() && it->python == python_name ? it->iconv : std::string_view();
}

struct IconvCloser {
  void operator()(void* handle) const { iconv_close(static_cast<iconv_t>(handle)); }
};
using IconvHandle = std::unique_ptr<void, IconvCloser>;

IconvHandle openIconv(std::string_view to, std::string_view from) {
  const iconv_t handle = iconv_open(std::string(to).c_str(), std::string(from).c_str());
  if (handle == reinterpret_cast<iconv_t>(-1)) return nullptr;  // NOLINT: iconv's error value
  return IconvHandle(handle);
}

// Converts `input` through `handle`. With `replace_errors`, each byte that does not convert becomes
// U+FFFD (the target must be UTF-8) and `first_error` gets the output offset of the first; without,
// the conversion stops there and returns nothing.
std::optional<std::string> convert(iconv_t handle, std::string_view input, bool replace_errors,
                                   size_t* first_error) {
  std::string output(input.size() + input.size() / 2 + 16, '\0');
  // iconv takes a non-const input pointer but does not write through it.
  char* in = const_cast<char*>(input.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  size_t in_left = input.size();
  size_t used = 0;
  bool flushing = false;
  while (true) {
    char* out = output.data() + used;
    size_t out_left = output.size() - used;
    const size_t result = flushing ? iconv(handle, nullptr, nullptr, &out, &out_left)
                                   : iconv(handle, &in, &in_left, &out, &out_left);
    const int error = errno;
    used = output.size() - out_left;
    if (result != static_cast<size_t>(-1)) {
      if (flushing) break;
      flushing = true;  // a stateful encoding may end with a shift back to its initial state
      continue;
    }
    if (error == E2BIG) {
      output.resize(output.size() * 2);
      continue;
    }
    // EILSEQ or EINVAL (a sequence cut off by the end of the input).
    if (!replace_errors || flushing) return std::nullopt;
    if (first_error != nullptr && *first_error == std::string::npos) *first_error = used;
    output.resize(std::max(output.size(), used + kReplacementCharacter.size() + 16));
    std::copy(kReplacementCharacter.begin(), kReplacementCharacter.end(), output.begin() + used);
    used += kReplacementCharacter.size();
    ++in;
    --in_left;
    iconv(handle, nullptr, nullptr, nullptr, nullptr);  // back to the initial shift state
  }
  output.resize(used);
  return output;
}

}  // namespace

std::optional<CodingCookie> findCodingCookie(std::string_view text) {
  const size_t start = text.starts_with(kByteOrderMark) ? kByteOrderMark.size() : 0;
  const std::string_view first = lineAt(text, start);
  if (std::optional<CodingCookie> cookie = cookieInLine(first, start)) return cookie;
  if (!isBlankOrComment(first) || start + first.size() >= text.size()) return std::nullopt;
  const size_t second_start = start + first.size() + 1;
  return cookieInLine(lineAt(text, second_start), second_start);
}

std::string_view iconvNameForCookie(std::string_view name) {
  const std::string normal = lookupName(tokenizerName(name));
  if (const std::string_view found = findCodec(normal); !found.empty()) return found;
  std::string underscored = normal;
  std::replace(underscored.begin(), underscored.end(), '.', '_');
  return findCodec(underscored);
}

std::string_view declaredEncoding(std::string_view text) {
  const std::optional<CodingCookie> cookie = findCodingCookie(text);
  if (!cookie) return {};
  const std::string_view name = iconvNameForCookie(cookie->name);
  return isUtf8(name) ? std::string_view() : name;
}

DecodedSource decodePythonSource(std::string bytes) {
  DecodedSource out;
  const std::optional<CodingCookie> cookie = findCodingCookie(bytes);
  if (!cookie) {
    out.text = std::move(bytes);
    return out;
  }
  out.codec = std::string(cookie->name);
  const std::string_view encoding = iconvNameForCookie(cookie->name);
  const auto asUtf8 = [&](std::string warning) {
    out.warning = std::move(warning);
    out.warning_offset = cookie->offset;
    out.text = std::move(bytes);
    return std::move(out);
  };
  if (encoding.empty()) {
    return asUtf8("unknown encoding `" + out.codec +
                  "` in the coding cookie (or one heaplint cannot decode as Python does); "
                  "read as UTF-8");
  }
  if (isUtf8(encoding)) return asUtf8({});
  if (std::string_view(bytes).starts_with(kByteOrderMark)) {
    return asUtf8("the UTF-8 byte-order mark contradicts the coding cookie `" + out.codec +
                  "`; read as UTF-8");
  }
  const IconvHandle decoder = openIconv("UTF-8", encoding);
  if (!decoder) {
    return asUtf8("this system's iconv cannot decode `" + out.codec + "`; read as UTF-8");
  }
  size_t first_error = std::string::npos;
  std::optional<std::string> text = convert(static_cast<iconv_t>(decoder.get()), bytes,
                                            /*replace_errors=*/true, &first_error);
  if (!text) return asUtf8("cannot decode the file as `" + out.codec + "`; read as UTF-8");
  out.text = std::move(*text);
  out.encoding = std::string(encoding);
  if (first_error != std::string::npos) {
    out.writable = false;
    out.warning = "not valid `" + out.codec +
                  "` (the coding cookie's encoding); checked as far as it decodes, without fixes";
    out.warning_offset = static_cast<uint32_t>(first_error);
    return out;
  }
  // Stateful or many-to-one encodings may not give back the same bytes: never rewrite those.
  const std::optional<std::string> again = encodePythonSource(out.text, out.encoding);
  out.writable = again && *again == bytes;
  if (!out.writable) {
    out.warning = "writing this file back as `" + out.codec +
                  "` would change bytes that no fix touches; checked without fixes";
    out.warning_offset = cookie->offset;
  }
  return out;
}

std::optional<std::string> encodePythonSource(std::string_view text, std::string_view encoding) {
  if (encoding.empty() || isUtf8(encoding)) return std::string(text);
  const IconvHandle encoder = openIconv(encoding, "UTF-8");
  if (!encoder) return std::nullopt;
  return convert(static_cast<iconv_t>(encoder.get()), text, /*replace_errors=*/false, nullptr);
}

bool canEncode(std::string_view text, std::string_view encoding) {
  if (encoding.empty() || isUtf8(encoding)) return true;
  // Most fix text is ASCII, which every encoding of the table holds (checked when it was made).
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return true;
  }
  return encodePythonSource(text, encoding).has_value();
}

}  // namespace heaplint
