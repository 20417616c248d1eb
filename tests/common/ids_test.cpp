#include "gmsa/common/ids.hpp"

#include <gtest/gtest.h>

#include "gmsa/common/encoding.hpp"

namespace gmsa {
namespace {

TEST(Sid, ParsesAndPrints) {
  auto sid = Sid::parse("S-1-5-21-1040335485-253814736-2627409954-1145");
  ASSERT_TRUE(sid.ok()) << sid.error().what();
  EXPECT_EQ(sid->authority, 5u);
  ASSERT_EQ(sid->sub_authorities.size(), 5u);
  EXPECT_EQ(sid->sub_authorities[4], 1145u);
  EXPECT_EQ(sid->to_string(), "S-1-5-21-1040335485-253814736-2627409954-1145");
}

TEST(Sid, BinaryFormIsMsDtyp) {
  auto sid = Sid::parse("S-1-5-32-544");
  ASSERT_TRUE(sid.ok());
  EXPECT_EQ(to_hex(sid->to_binary()), "01020000000000052000000020020000");
  auto back = Sid::from_binary(sid->to_binary());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *sid);
}

TEST(Sid, RejectsMalformed) {
  for (const char* bad : {"", "S-1", "S-2-5-21", "S-1-5-", "S-1--5", "X-1-5-21", "S-1-5-21-abc",
                          "S-1-5-4294967296", "S-1-281474976710656-1", "S-1-5-01"}) {
    EXPECT_FALSE(Sid::parse(bad).ok()) << bad;
  }
  EXPECT_FALSE(Sid::parse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16").ok());
}

TEST(Guid, TextAndWireOrder) {
  auto g = Guid::parse("{0670B5ED-F2AA-9A86-DD0E-49CFC2130533}");
  ASSERT_TRUE(g.ok()) << g.error().what();
  EXPECT_EQ(to_hex(g->bytes), "edb57006aaf2869add0e49cfc2130533");
  EXPECT_EQ(g->to_string(), "0670b5ed-f2aa-9a86-dd0e-49cfc2130533");
}

TEST(Guid, RejectsMalformed) {
  for (const char* bad :
       {"", "0670b5ed-f2aa-9a86-dd0e-49cfc213053", "0670b5ed-f2aa-9a86-dd0e_49cfc2130533",
        "0670b5ed-f2aa-9a86-dd0e-49cfc213053g", "{0670b5ed-f2aa-9a86-dd0e-49cfc2130533"}) {
    EXPECT_FALSE(Guid::parse(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace gmsa
