// msDS-ManagedPasswordId: round trip and every malformed case.
#include <gtest/gtest.h>

#include "gmsa/gkdi/gkdi.hpp"
#include "test_util.hpp"

namespace gmsa::gkdi {
namespace {

ManagedPasswordId sample() {
  return ManagedPasswordId{Gkid{361, 27, 7},
                           Guid::parse("0670b5ed-f2aa-9a86-dd0e-49cfc2130533").value(),
                           "contoso.test", "contoso.test"};
}

// Hand-assembled from the layout in gmsa-formats.md section 3.
const char* kSampleHex =
    "01000000"
    "4b44534b"
    "02000000"
    "69010000"
    "1b000000"
    "07000000"
    "edb57006aaf2869add0e49cfc2130533"
    "00000000"
    "1a000000"
    "1a000000"
    "63006f006e0074006f0073006f002e007400650073007400"
    "0000"
    "63006f006e0074006f0073006f002e007400650073007400"
    "0000";

TEST(PasswordId, EncodesTheDocumentedLayout) {
  EXPECT_EQ(to_hex(encode_password_id(sample())), kSampleHex);
}

TEST(PasswordId, RoundTrips) {
  auto bytes = encode_password_id(sample());
  auto back = decode_password_id(bytes);
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(*back, sample());
  ManagedPasswordId other{Gkid{0, 0, 0}, Guid{}, "", "b\xC3\xBC\xF0\x9F\x98\x80.test"};
  auto b2 = encode_password_id(other);
  auto back2 = decode_password_id(b2);
  ASSERT_TRUE(back2.ok()) << back2.error().what();
  EXPECT_EQ(*back2, other);
  EXPECT_EQ(encode_password_id(*back2), b2);
}

std::string decode_error(std::vector<std::uint8_t> b) {
  auto r = decode_password_id(b);
  return r.ok() ? "ok" : r.error().what();
}

std::vector<std::uint8_t> with_u32(std::size_t off, std::uint32_t v) {
  auto b = encode_password_id(sample());
  for (int i = 0; i < 4; ++i)
    b[off + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
  return b;
}

TEST(PasswordId, RejectsEachMalformedField) {
  auto good = encode_password_id(sample());
  EXPECT_EQ(decode_error({}),
            "ManagedPasswordId.length: 0 bytes is shorter than the 52-byte header");
  EXPECT_EQ(decode_error(std::vector<std::uint8_t>(good.begin(), good.begin() + 51)),
            "ManagedPasswordId.length: 51 bytes is shorter than the 52-byte header");
  EXPECT_EQ(decode_error(with_u32(0, 2)), "ManagedPasswordId.version: must be 1, got 2");
  EXPECT_EQ(decode_error(with_u32(4, 0x4B53444C)),
            "ManagedPasswordId.magic: must be \"KDSK\" (0x4B53444B)");
  EXPECT_EQ(decode_error(with_u32(8, 3)), "ManagedPasswordId.flags: must be 2, got 3");
  EXPECT_EQ(decode_error(with_u32(12, 0x80000000)),
            "ManagedPasswordId.l0: must be 0..2147483647, got 2147483648");
  EXPECT_EQ(decode_error(with_u32(16, 32)), "ManagedPasswordId.l1: must be 0..31, got 32");
  EXPECT_EQ(decode_error(with_u32(20, 0xFFFFFFFF)),
            "ManagedPasswordId.l2: must be 0..31, got 4294967295");
  EXPECT_EQ(decode_error(with_u32(40, 4)),
            "ManagedPasswordId.additional_info_length: must be 0, got 4");
  EXPECT_EQ(
      decode_error(with_u32(44, 0xFFFFFFFF)),
      "ManagedPasswordId.domain_name_length: 4294967295 runs past the end of the 104-byte buffer");
  EXPECT_EQ(decode_error(with_u32(48, 28)),
            "ManagedPasswordId.forest_name_length: 28 runs past the end of the 104-byte buffer");
  EXPECT_EQ(decode_error(with_u32(48, 24)),
            "ManagedPasswordId.length: 2 trailing bytes after the names");
  auto trailing = good;
  trailing.push_back(0);
  EXPECT_EQ(decode_error(trailing), "ManagedPasswordId.length: 1 trailing bytes after the names");
  // Domain 25 bytes, forest 27: odd lengths.
  auto odd = with_u32(44, 25);
  odd[48] = 27;
  EXPECT_EQ(decode_error(odd),
            "ManagedPasswordId.domain_name: length 25 is not an even number of bytes >= 2 "
            "(UTF-16LE with NUL)");
  auto no_nul = good;
  no_nul[52 + 24] = 'x';
  EXPECT_EQ(decode_error(no_nul), "ManagedPasswordId.domain_name: missing NUL terminator");
  auto inner_nul = good;
  inner_nul[52 + 26 + 2] = 0;  // 'o' of the forest name
  EXPECT_EQ(decode_error(inner_nul),
            "ManagedPasswordId.forest_name: NUL before the end of the name");
  auto surrogate = good;
  surrogate[52] = 0x00;
  surrogate[53] = 0xD8;  // high surrogate followed by 'o'
  EXPECT_EQ(decode_error(surrogate), "ManagedPasswordId.domain_name: unpaired UTF-16 surrogate");
  auto low = good;
  low[52] = 0x00;
  low[53] = 0xDC;
  EXPECT_EQ(decode_error(low), "ManagedPasswordId.domain_name: unpaired UTF-16 surrogate");
  auto empty_domain = with_u32(44, 0);
  empty_domain[48] = 52;
  EXPECT_EQ(decode_error(empty_domain),
            "ManagedPasswordId.domain_name: length 0 is not an even number of bytes >= 2 "
            "(UTF-16LE with NUL)");
}

}  // namespace
}  // namespace gmsa::gkdi
