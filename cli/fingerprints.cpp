#include "cli/fingerprints.h"

#include <array>
#include <map>
#include <tuple>

namespace heaplint::cli {
namespace {

// Decodes UTF-8 into UTF-16 code units, as Node.js's "utf8" decoding feeds `charCodeAt`
// (invalid bytes become U+FFFD).
std::u16string utf16CodeUnits(std::string_view text) {
  std::u16string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    uint32_t code_point = 0xFFFD;
    size_t length = 1;
    if (byte < 0x80) {
      code_point = byte;
    } else {
      size_t extra = 0;
      uint32_t minimum = 0;
      if ((byte & 0xE0u) == 0xC0u) {
        extra = 1, code_point = byte & 0x1Fu, minimum = 0x80;
      } else if ((byte & 0xF0u) == 0xE0u) {
        extra = 2, code_point = byte & 0x0Fu, minimum = 0x800;
      } else if ((byte & 0xF8u) == 0xF0u) {
        extra = 3, code_point = byte & 0x07u, minimum = 0x10000;
      }
      bool valid = extra > 0;
      for (size_t k = 1; valid && k <= extra; ++k) {
        if (i + k >= text.size()) {
          valid = false;
          break;
        }
        const auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xC0u) != 0x80u) {
          valid = false;
          break;
        }
        code_point = (code_point << 6) | (next & 0x3Fu);
      }
      if (valid && (code_point < minimum || code_point > 0x10FFFF ||
                    (code_point >= 0xD800 && code_point <= 0xDFFF))) {
        valid = false;
      }
      if (valid) {
        length = extra + 1;
      } else {
        code_point = 0xFFFD;
      }
    }
    if (code_point >= 0x10000) {
      code_point -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (code_point >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (code_point & 0x3FFu)));
    } else {
      out.push_back(static_cast<char16_t>(code_point));
    }
    i += length;
  }
  return out;
}

std::string hex(uint64_t value) {
  static constexpr std::array<char, 16> kDigits = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                   '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  if (value == 0) return "0";
  std::string out;
  while (value != 0) {
    out.insert(out.begin(), kDigits[value & 0xFu]);
    value >>= 4;
  }
  return out;
}

}  // namespace

std::unordered_map<uint32_t, std::string> lineHashes(std::string_view text,
                                                     std::span<const uint32_t> wanted_rows) {
  // Long arithmetic in the action wraps modulo 2^64, exactly as unsigned 64-bit arithmetic does.
  constexpr size_t kBlockSize = 100;
  constexpr uint64_t kMod = 37;
  constexpr int32_t kEndOfFile = 65535;
  constexpr int32_t kTab = '\t', kSpace = ' ', kLineFeed = '\n', kCarriageReturn = '\r';
  uint64_t first_mod = 1;
  for (size_t i = 0; i < kBlockSize; ++i)
    first_mod *= kMod;

  std::unordered_map<uint32_t, bool> wanted;
  for (uint32_t row : wanted_rows)
    wanted[row] = true;
  std::unordered_map<uint32_t, std::string> hashes;

  std::array<int32_t, kBlockSize> window{};
  std::array<int64_t, kBlockSize> line_numbers{};
  line_numbers.fill(-1);
  uint64_t hash_raw = 0;
  size_t index = 0;
  int64_t line_number = 0;
  bool line_start = true;
  bool previous_cr = false;
  std::unordered_map<std::string, uint32_t> hash_counts;

  const auto output_hash = [&] {
    const std::string value = hex(hash_raw);
    const uint32_t count = ++hash_counts[value];
    const auto row = static_cast<uint32_t>(line_numbers[index]);
    if (wanted.contains(row)) hashes[row] = value + ":" + std::to_string(count);
    line_numbers[index] = -1;
  };
  const auto update_hash = [&](int32_t current) {
    const int32_t begin = window[index];
    window[index] = current;
    hash_raw = kMod * hash_raw + static_cast<uint64_t>(static_cast<int64_t>(current)) -
               first_mod * static_cast<uint64_t>(static_cast<int64_t>(begin));
    index = (index + 1) % kBlockSize;
  };
  const auto process = [&](int32_t current) {
    if (current == kSpace || current == kTab || (previous_cr && current == kLineFeed)) {
      previous_cr = false;
      return;
    }
    if (current == kCarriageReturn) {
      current = kLineFeed;
      previous_cr = true;
    } else {
      previous_cr = false;
    }
    if (line_numbers[index] != -1) output_hash();
    if (line_start) {
      line_start = false;
      line_numbers[index] = ++line_number;
    }
    if (current == kLineFeed) line_start = true;
    update_hash(current);
  };

  for (const char16_t unit : utf16CodeUnits(text))
    process(static_cast<int32_t>(unit));
  process(kEndOfFile);
  for (size_t i = 0; i < kBlockSize; ++i) {
    if (line_numbers[index] != -1) output_hash();
    update_hash(0);
  }
  return hashes;
}

std::string stableHash(std::string_view data) {
  // 64-bit FNV-1a.
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : data) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  std::string digits = hex(hash);
  return std::string(16 - digits.size(), '0') + digits;
}

std::vector<std::vector<std::string>> findingFingerprints(std::span<const FileReport> files) {
  std::vector<std::vector<std::string>> out(files.size());
  std::map<std::tuple<std::string_view, std::string_view, std::string>, uint32_t> seen;
  for (size_t f = 0; f < files.size(); ++f) {
    const FileReport& file = files[f];
    for (const ReportedDiagnostic& d : file.diagnostics) {
      std::string line;
      for (const char c : d.source_line) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v') {
          line.push_back(c);
        }
      }
      const uint32_t occurrence = seen[{file.path, d.rule->code, line}]++;
      std::string key = file.path;
      key += '\0';
      key += d.rule->code;
      key += '\0';
      key += line;
      key += '\0';
      key += std::to_string(occurrence);
      out[f].push_back(stableHash(key));
    }
  }
  return out;
}

}  // namespace heaplint::cli
