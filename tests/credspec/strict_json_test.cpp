// The strict JSON reader shared by credential specs and task definitions.
#include "gmsa/credspec/strict_json.hpp"

#include <gtest/gtest.h>

namespace gmsa::json {
namespace {

TEST(Utf8, ValidSequences) {
  EXPECT_EQ(first_invalid_utf8("plain"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF"),
            std::string_view::npos);  // é € 😀 U+10FFFF
}

TEST(Utf8, InvalidSequences) {
  EXPECT_EQ(first_invalid_utf8("ab\x80"), 2u);             // lone continuation
  EXPECT_EQ(first_invalid_utf8("a\xC1\xBF"), 1u);          // overlong 2-byte
  EXPECT_EQ(first_invalid_utf8("a\xE0\x80\xAF"), 1u);      // overlong 3-byte
  EXPECT_EQ(first_invalid_utf8("a\xF0\x8F\xBF\xBF"), 1u);  // overlong 4-byte
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);   // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(first_invalid_utf8("xy\xF0\x9F\x98"), 2u);  // truncated
}

TEST(Read, KeepsKeyOrderAndBasePath) {
  auto v = read(R"({"z":1,"a":{"y":2,"b":3}})", {});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->dump(), R"({"z":1,"a":{"y":2,"b":3}})");
  auto e = read(R"({"a":[{"k":1,"k":1}]})", {}, "Outer.Field");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().what(), "Outer.Field.a[0]: duplicate key 'k'");
}

TEST(Read, ManyKeysStayFast) {
  std::string text = "{";
  for (int i = 0; i < 20000; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  text += "}";
  auto v = read(text, {1 << 20, 4});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->size(), 20000u);
}

TEST(Read, Scalars) {
  auto v = read(" [null, true, -1, 2, 2.5, \"s\"] ", {});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->dump(), R"([null,true,-1,2,2.5,"s"])");
  EXPECT_EQ(read("1e999", {}).error().what(), "malformed JSON at byte offset 4 (line 1, column 5)");
}

}  // namespace
}  // namespace gmsa::json
