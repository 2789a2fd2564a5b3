#include "lsp/protocol.h"

namespace heaplint::lsp {

std::string_view encodingName(PositionEncoding encoding) {
  return encoding == PositionEncoding::Utf8 ? "utf-8" : "utf-16";
}

PositionEncoding negotiateEncoding(const json& client_capabilities) {
  const json* general = nullptr;
  if (client_capabilities.is_object()) {
    const auto it = client_capabilities.find("general");
    if (it != client_capabilities.end() && it->is_object()) general = &*it;
  }
  if (general == nullptr) return PositionEncoding::Utf16;
  const auto encodings = general->find("positionEncodings");
  if (encodings == general->end() || !encodings->is_array()) return PositionEncoding::Utf16;
  for (const json& offered : *encodings) {
    if (offered.is_string() && offered.get_ref<const std::string&>() == "utf-8") {
      return PositionEncoding::Utf8;
    }
  }
  return PositionEncoding::Utf16;
}

json toLspPosition(const SourceText& source, uint32_t offset, PositionEncoding encoding) {
  const Position position = encoding == PositionEncoding::Utf8 ? source.utf8Position(offset)
                                                               : source.utf16Position(offset);
  return json{{"line", position.row}, {"character", position.column}};
}

json toLspRange(const SourceText& source, uint32_t start, uint32_t end, PositionEncoding encoding) {
  return json{{"start", toLspPosition(source, start, encoding)},
              {"end", toLspPosition(source, end, encoding)}};
}

uint32_t offsetFromLsp(const SourceText& source, const json& position, PositionEncoding encoding) {
  const json& line = member(position, "line");
  const json& character = member(position, "character");
  if (!line.is_number_integer() || !character.is_number_integer() || line.get<int64_t>() < 0 ||
      character.get<int64_t>() < 0) {
    throw LspError(ErrorCode::InvalidParams, "a position needs non-negative integers");
  }
  // Positions past the end clamp to the end (LSP: "the position is adjusted back").
  const auto clamp = [](int64_t value) {
    return static_cast<uint32_t>(std::min<int64_t>(value, UINT32_MAX - 1));
  };
  const Position at{clamp(line.get<int64_t>()), clamp(character.get<int64_t>())};
  return encoding == PositionEncoding::Utf8 ? source.offsetFromUtf8(at)
                                            : source.offsetFromUtf16(at);
}

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '/';
}

}  // namespace

std::optional<std::filesystem::path> pathFromUri(std::string_view uri) {
  constexpr std::string_view kScheme = "file://";
  if (!uri.starts_with(kScheme)) return std::nullopt;
  std::string_view rest = uri.substr(kScheme.size());
  // file://localhost/x and file:///x name the same file; other hosts are not local.
  if (rest.starts_with("localhost/")) rest.remove_prefix(9);
  if (!rest.starts_with('/')) return std::nullopt;
  std::string decoded;
  decoded.reserve(rest.size());
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() + 0 && hexValue(rest[i + 1]) >= 0 &&
        hexValue(rest[i + 2]) >= 0) {
      decoded += static_cast<char>(hexValue(rest[i + 1]) * 16 + hexValue(rest[i + 2]));
      i += 2;
    } else if (rest[i] == '?' || rest[i] == '#') {
      break;
    } else {
      decoded += rest[i];
    }
  }
  return std::filesystem::path(decoded).lexically_normal();
}

std::string uriFromPath(const std::filesystem::path& path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = "file://";
  for (const char c : path.generic_string()) {
    const auto byte = static_cast<unsigned char>(c);
    if (isUnreserved(byte)) {
      uri += c;
    } else {
      uri += '%';
      uri += kHex[byte >> 4];
      uri += kHex[byte & 15];
    }
  }
  return uri;
}

const json& member(const json& object, std::string_view name) {
  if (!object.is_object()) {
    throw LspError(ErrorCode::InvalidParams,
                   "expected an object holding `" + std::string(name) + "`");
  }
  const auto it = object.find(name);
  if (it == object.end()) {
    throw LspError(ErrorCode::InvalidParams, "missing `" + std::string(name) + "`");
  }
  return *it;
}

std::string stringMember(const json& object, std::string_view name) {
  const json& value = member(object, name);
  if (!value.is_string()) {
    throw LspError(ErrorCode::InvalidParams, "`" + std::string(name) + "` must be a string");
  }
  return value.get<std::string>();
}

}  // namespace heaplint::lsp
