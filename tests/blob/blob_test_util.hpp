// Test helpers: the shared blob vectors and a builder for hand-made layouts.
#pragma once

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gmsa/common/encoding.hpp"

namespace gmsa::blob::test {

inline nlohmann::json load_vectors() {
  std::ifstream f(std::string(GMSA_TEST_DATA) + "/managed-password-blobs.json");
  return nlohmann::json::parse(f).at("vectors");
}

inline std::vector<std::uint8_t> vector_blob(std::size_t index) {
  return *from_hex(load_vectors().at(index).at("blob").get<std::string>());
}

inline void set_u16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v & 0xff);
  b[at + 1] = static_cast<std::uint8_t>((v >> 8) & 0xff);
}

inline void set_u32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  set_u16(b, at, v & 0xffff);
  set_u16(b, at + 2, v >> 16);
}

inline void set_u64(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>((v >> (8 * i)) & 0xff);
}

// A well-formed blob with the given offsets: passwords filled with a
// recognisable non-zero pattern (seed + index), terminators and gaps zero.
struct Layout {
  std::uint32_t length;
  std::uint16_t current, previous, query, unchanged;
};

inline std::uint8_t pattern(std::uint8_t seed, std::size_t i) {
  return static_cast<std::uint8_t>(1 + ((seed + i) % 250));
}

inline std::vector<std::uint8_t> build(const Layout& l,
                                       std::uint64_t query_value = 0x0102030405060708,
                                       std::uint64_t unchanged_value = 0x1112131415161718) {
  std::vector<std::uint8_t> b(l.length, 0);
  set_u16(b, 0, 1);
  set_u32(b, 4, l.length);
  set_u16(b, 8, l.current);
  set_u16(b, 10, l.previous);
  set_u16(b, 12, l.query);
  set_u16(b, 14, l.unchanged);
  for (std::size_t i = 0; i < 256; ++i) b[l.current + i] = pattern(7, i);
  if (l.previous != 0)
    for (std::size_t i = 0; i < 256; ++i) b[l.previous + i] = pattern(99, i);
  set_u64(b, l.query, query_value);
  set_u64(b, l.unchanged, unchanged_value);
  return b;
}

}  // namespace gmsa::blob::test
