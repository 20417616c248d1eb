// Fuzzes keys::utf16le_to_utf8: the output must be well-formed UTF-8 (checked
// by an independent strict decoder) that decodes to exactly the input code
// points, with U+FFFD standing for each unpaired surrogate.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "gmsa/keys/keys.hpp"

namespace {

// Strict UTF-8 decoder (no overlongs, no surrogates, nothing above U+10FFFF).
bool decode_utf8(std::span<const std::uint8_t> s, std::vector<std::uint32_t>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t b = s[i];
    std::size_t n = 0;
    std::uint32_t cp = 0, min = 0;
    if (b < 0x80) {
      out.push_back(b);
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 1, cp = b & 0x1Fu, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      n = 2, cp = b & 0x0Fu, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      n = 3, cp = b & 0x07u, min = 0x10000;
    } else {
      return false;
    }
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    out.push_back(cp);
    i += n + 1;
  }
  return true;
}

// The expected code points, computed straight from the definition.
std::vector<std::uint32_t> expected(std::span<const std::uint8_t> in) {
  std::vector<std::uint32_t> units;
  for (std::size_t i = 0; i + 1 < in.size(); i += 2) units.push_back(in[i] | (in[i + 1] << 8u));
  std::vector<std::uint32_t> cps;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::uint32_t u = units[i];
    if (u >= 0xD800 && u < 0xDC00 && i + 1 < units.size() && units[i + 1] >= 0xDC00 &&
        units[i + 1] < 0xE000) {
      cps.push_back(0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00));
      ++i;
    } else if (u >= 0xD800 && u < 0xE000) {
      cps.push_back(0xFFFD);
    } else {
      cps.push_back(u);
    }
  }
  return cps;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  auto utf8 = gmsa::keys::utf16le_to_utf8(in);
  if (size % 2 != 0) {
    if (utf8.ok()) std::abort();
    return 0;
  }
  if (!utf8.ok()) std::abort();
  std::vector<std::uint32_t> cps;
  if (!decode_utf8(utf8->span(), cps)) std::abort();
  if (cps != expected(in)) std::abort();
  if (utf8->size() > size / 2 * 3) std::abort();
  return 0;
}
