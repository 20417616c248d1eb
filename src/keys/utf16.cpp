// UTF-16LE -> UTF-8 with U+FFFD for every unpaired surrogate (gmsa-formats.md section 2).
#include <string>

#include "gmsa/keys/keys.hpp"

namespace gmsa::keys {
namespace {

void put(SecretBytes& out, std::uint32_t cp) {
  std::uint8_t buf[4];
  std::size_t n = 0;
  if (cp < 0x80) {
    buf[n++] = static_cast<std::uint8_t>(cp);
  } else if (cp < 0x800) {
    buf[n++] = static_cast<std::uint8_t>(0xC0 | (cp >> 6));
    buf[n++] = static_cast<std::uint8_t>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    buf[n++] = static_cast<std::uint8_t>(0xE0 | (cp >> 12));
    buf[n++] = static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    buf[n++] = static_cast<std::uint8_t>(0x80 | (cp & 0x3F));
  } else {
    buf[n++] = static_cast<std::uint8_t>(0xF0 | (cp >> 18));
    buf[n++] = static_cast<std::uint8_t>(0x80 | ((cp >> 12) & 0x3F));
    buf[n++] = static_cast<std::uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    buf[n++] = static_cast<std::uint8_t>(0x80 | (cp & 0x3F));
  }
  out.append(buf, n);
  secure_wipe(buf, sizeof buf);
}

bool is_high(std::uint32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool is_low(std::uint32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

}  // namespace

Result<SecretBytes> utf16le_to_utf8(std::span<const std::uint8_t> in) {
  if (in.size() % 2 != 0) {
    return Error{"password",
                 "UTF-16LE input has an odd number of bytes (" + std::to_string(in.size()) + ")"};
  }
  const std::size_t units = in.size() / 2;
  auto unit = [&](std::size_t i) -> std::uint32_t {
    return static_cast<std::uint32_t>(in[2 * i]) | (static_cast<std::uint32_t>(in[2 * i + 1]) << 8);
  };
  // Worst case is 3 bytes per code unit: allocate once (clear() keeps the
  // capacity) so appending never reallocates.
  SecretBytes out(units * 3);
  out.clear();
  for (std::size_t i = 0; i < units; ++i) {
    std::uint32_t u = unit(i);
    if (is_high(u) && i + 1 < units && is_low(unit(i + 1))) {
      put(out, 0x10000 + ((u - 0xD800) << 10) + (unit(i + 1) - 0xDC00));
      ++i;
    } else if (is_high(u) || is_low(u)) {
      put(out, 0xFFFD);
    } else {
      put(out, u);
    }
  }
  return out;
}

}  // namespace gmsa::keys
