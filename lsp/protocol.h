// LSP protocol pieces shared by the server and its features: error codes, position encodings,
// conversions between byte offsets and LSP positions, and file URIs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "analyzer/source_text.h"

namespace heaplint::lsp {

using json = nlohmann::json;

enum class ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  RequestCancelled = -32800,
};

// Thrown by handlers; the dispatcher turns it into an error response.
class LspError : public std::runtime_error {
 public:
  LspError(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

// What the columns of LSP positions count. Negotiated at initialize: UTF-8 when the client offers
// it (no conversion needed), else UTF-16, which every client must support.
enum class PositionEncoding : uint8_t { Utf8, Utf16 };

std::string_view encodingName(PositionEncoding encoding);
PositionEncoding negotiateEncoding(const json& client_capabilities);

json toLspPosition(const SourceText& source, uint32_t offset, PositionEncoding encoding);
json toLspRange(const SourceText& source, uint32_t start, uint32_t end, PositionEncoding encoding);
// Throws LspError(InvalidParams) when `position` is not {line, character} with non-negative ints.
uint32_t offsetFromLsp(const SourceText& source, const json& position, PositionEncoding encoding);

// file:///a%20b/c.py <-> /a b/c.py. Returns nullopt for URIs that are not local files.
std::optional<std::filesystem::path> pathFromUri(std::string_view uri);
std::string uriFromPath(const std::filesystem::path& path);

// Reads a required member, throwing InvalidParams with its name when missing or of the wrong type.
const json& member(const json& object, std::string_view name);
std::string stringMember(const json& object, std::string_view name);

}  // namespace heaplint::lsp
