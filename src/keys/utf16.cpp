// UTF-16LE -> UTF-8 with U+FFFD for every unpaired surrogate (gmsa-formats.md section 2).
// Two passes over the input (count, then write) so the secret output is
// allocated once at its exact size and never reallocated or copied.
#include <string>

#include "gmsa/keys/keys.hpp"

namespace gmsa::keys {
namespace {

bool is_high(std::uint32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool is_low(std::uint32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

// Calls emit(code point) for each code point of the input (even length).
template <class Emit>
void for_each_code_point(std::span<const std::uint8_t> in, Emit emit) {
  const std::size_t units = in.size() / 2;
  auto unit = [&](std::size_t i) -> std::uint32_t {
    return static_cast<std::uint32_t>(in[2 * i]) | (static_cast<std::uint32_t>(in[2 * i + 1]) << 8);
  };
  for (std::size_t i = 0; i < units; ++i) {
    const std::uint32_t u = unit(i);
    if (is_high(u) && i + 1 < units && is_low(unit(i + 1))) {
      emit(0x10000 + ((u - 0xD800) << 10) + (unit(i + 1) - 0xDC00));
      ++i;
    } else if (is_high(u) || is_low(u)) {
      emit(0xFFFD);
    } else {
      emit(u);
    }
  }
}

std::size_t utf8_length(std::uint32_t cp) {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

}  // namespace

Result<SecretBytes> utf16le_to_utf8(std::span<const std::uint8_t> in) {
  if (in.size() % 2 != 0) {
    return Error{"password",
                 "UTF-16LE input has an odd number of bytes (" + std::to_string(in.size()) + ")"};
  }
  std::size_t total = 0;
  for_each_code_point(in, [&](std::uint32_t cp) { total += utf8_length(cp); });
  SecretBytes out(total);
  std::size_t at = 0;
  auto put = [&](std::uint32_t byte) { out[at++] = static_cast<std::uint8_t>(byte); };
  for_each_code_point(in, [&](std::uint32_t cp) {
    switch (utf8_length(cp)) {
      case 1:
        put(cp);
        break;
      case 2:
        put(0xC0 | (cp >> 6));
        put(0x80 | (cp & 0x3F));
        break;
      case 3:
        put(0xE0 | (cp >> 12));
        put(0x80 | ((cp >> 6) & 0x3F));
        put(0x80 | (cp & 0x3F));
        break;
      default:
        put(0xF0 | (cp >> 18));
        put(0x80 | ((cp >> 12) & 0x3F));
        put(0x80 | ((cp >> 6) & 0x3F));
        put(0x80 | (cp & 0x3F));
        break;
    }
  });
  return out;
}

}  // namespace gmsa::keys
