// Hex and base64 codecs (non-secret data; for secrets, wipe the result).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gmsa {

std::string to_hex(std::span<const std::uint8_t> bytes);
// Accepts upper or lower case; nullopt on odd length or a non-hex character.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view hex);

std::string to_base64(std::span<const std::uint8_t> bytes);
// Standard alphabet with padding; ignores ASCII whitespace; nullopt when malformed.
std::optional<std::vector<std::uint8_t>> from_base64(std::string_view text);

}  // namespace gmsa
