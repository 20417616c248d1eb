// Strict JSON reading for untrusted documents (credential specs, task
// definitions): size bounded before parsing, nesting bounded while parsing,
// UTF-8 checked, duplicate object keys rejected, key order kept.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gmsa/common/result.hpp"

namespace gmsa::json {

using Value = nlohmann::ordered_json;

struct ReadLimits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_depth = 16;  // the top-level value is depth 1
};

// Errors (Error.field is a JSON path, empty for the document as a whole):
//   {"", "input is N bytes; the limit is M"}
//   {"", "invalid UTF-8 at byte offset N"}
//   {"", "malformed JSON at byte offset N (line L, column C)"}
//   {path, "nested deeper than D levels"}
//   {path, "duplicate key 'K'"}
// `base` is prefixed to every path (used when parsing an embedded document).
Result<Value> read(std::string_view text, const ReadLimits& limits, const std::string& base = "");

// Offset of the first byte that is not valid UTF-8 (overlong forms,
// surrogates and code points above U+10FFFF are invalid), or npos.
std::size_t first_invalid_utf8(std::string_view text);

// "a" + "b" -> "a.b"; "" + "b" -> "b".
std::string join_path(const std::string& base, std::string_view key);
// "a" + 2 -> "a[2]".
std::string index_path(const std::string& base, std::size_t index);

}  // namespace gmsa::json
