#include "gmsa/common/encoding.hpp"

#include <gtest/gtest.h>

namespace gmsa {
namespace {

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Hex, RoundTrip) {
  std::vector<std::uint8_t> b = {0x00, 0x7f, 0x80, 0xff};
  EXPECT_EQ(to_hex(b), "007f80ff");
  EXPECT_EQ(from_hex("007F80ff"), b);
}

TEST(Hex, RejectsOddLengthAndNonHex) {
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
}

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(to_base64(bytes("")), "");
  EXPECT_EQ(to_base64(bytes("f")), "Zg==");
  EXPECT_EQ(to_base64(bytes("fo")), "Zm8=");
  EXPECT_EQ(to_base64(bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(from_base64("Zg=="), bytes("f"));
  EXPECT_EQ(from_base64("Zm8="), bytes("fo"));
  EXPECT_EQ(from_base64("Zm9v\nYmFy\n"), bytes("foobar"));
}

TEST(Base64, RejectsMalformed) {
  EXPECT_FALSE(from_base64("Zg=").has_value());
  EXPECT_FALSE(from_base64("Z=g=").has_value());
  EXPECT_FALSE(from_base64("Zm9v!mFy").has_value());
  EXPECT_FALSE(from_base64("=Zm9").has_value());
}

}  // namespace
}  // namespace gmsa
