// UTF-16LE -> UTF-8 as gmsa-formats.md section 2 specifies.
#include <gtest/gtest.h>

#include <initializer_list>

#include "gmsa/common/encoding.hpp"
#include "gmsa/keys/keys.hpp"

namespace gmsa::keys {
namespace {

std::vector<std::uint8_t> units(std::initializer_list<std::uint16_t> us) {
  std::vector<std::uint8_t> b;
  for (auto u : us) {
    b.push_back(static_cast<std::uint8_t>(u & 0xff));
    b.push_back(static_cast<std::uint8_t>(u >> 8));
  }
  return b;
}

std::string utf8_hex(std::initializer_list<std::uint16_t> us) {
  auto r = utf16le_to_utf8(units(us));
  return r.ok() ? to_hex(r->span()) : "error: " + r.error().what();
}

TEST(Utf16, ExamplesFromTheFormatsDocument) {
  EXPECT_EQ(utf8_hex({0xD800, 0x0041}), "efbfbd41");
  EXPECT_EQ(utf8_hex({0xD800, 0xD800, 0xDC00}), "efbfbdf0908080");
  EXPECT_EQ(utf8_hex({0xDC00, 0xD800}), "efbfbdefbfbd");
  EXPECT_EQ(utf8_hex({0x0041, 0xD800}), "41efbfbd");
  EXPECT_EQ(utf8_hex({0xD800}), "efbfbd");
}

TEST(Utf16, EncodingLengthBoundaries) {
  EXPECT_EQ(utf8_hex({}), "");
  EXPECT_EQ(utf8_hex({0x0000}), "00");
  EXPECT_EQ(utf8_hex({0x000A}), "0a");
  EXPECT_EQ(utf8_hex({0x007F}), "7f");
  EXPECT_EQ(utf8_hex({0x0080}), "c280");
  EXPECT_EQ(utf8_hex({0x07FF}), "dfbf");
  EXPECT_EQ(utf8_hex({0x0800}), "e0a080");
  EXPECT_EQ(utf8_hex({0xD7FF}), "ed9fbf");
  EXPECT_EQ(utf8_hex({0xE000}), "ee8080");
  EXPECT_EQ(utf8_hex({0xFFFD}), "efbfbd");
  EXPECT_EQ(utf8_hex({0xFFFF}), "efbfbf");
  EXPECT_EQ(utf8_hex({0xFEFF}), "efbbbf");  // a BOM is a character here, not stripped
}

TEST(Utf16, SurrogatePairsAndLoneSurrogates) {
  EXPECT_EQ(utf8_hex({0xD800, 0xDC00}), "f0908080");  // U+10000
  EXPECT_EQ(utf8_hex({0xDBFF, 0xDFFF}), "f48fbfbf");  // U+10FFFF
  EXPECT_EQ(utf8_hex({0xD83D, 0xDE00}), "f09f9880");  // U+1F600
  EXPECT_EQ(utf8_hex({0xDC00}), "efbfbd");
  EXPECT_EQ(utf8_hex({0xDFFF, 0xDBFF}), "efbfbdefbfbd");
  EXPECT_EQ(utf8_hex({0xDBFF, 0x0041, 0xDFFF}), "efbfbd41efbfbd");
  EXPECT_EQ(utf8_hex({0xDC00, 0xDC00, 0xD800, 0xDC00}), "efbfbdefbfbdf0908080");
  EXPECT_EQ(utf8_hex({0xD800, 0xD800, 0xD800}), "efbfbdefbfbdefbfbd");
  // 128 lone high surrogates: worst-case growth (3 bytes per unit).
  std::vector<std::uint8_t> all_high;
  for (int i = 0; i < 128; ++i) all_high.insert(all_high.end(), {0x00, 0xD8});
  auto r = utf16le_to_utf8(all_high);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 384u);
}

TEST(Utf16, OddLengthIsAnError) {
  std::vector<std::uint8_t> odd{0x41, 0x00, 0x42};
  EXPECT_EQ(utf16le_to_utf8(odd).error().what(),
            "password: UTF-16LE input has an odd number of bytes (3)");
  std::vector<std::uint8_t> one{0x41};
  EXPECT_EQ(utf16le_to_utf8(one).error().what(),
            "password: UTF-16LE input has an odd number of bytes (1)");
}

}  // namespace
}  // namespace gmsa::keys
