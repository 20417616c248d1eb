// Vectors, header corruption, truncation and the encode/parse round trip.
#include "gmsa/blob/managed_password.hpp"

#include <gtest/gtest.h>

#include "blob_test_util.hpp"

namespace gmsa::blob {
namespace {

using test::build;
using test::load_vectors;
using test::set_u16;
using test::set_u32;
using test::vector_blob;

std::string reason(const std::vector<std::uint8_t>& b) {
  auto r = parse(b);
  return r.ok() ? "accepted" : r.error().what();
}

TEST(BlobVectors, EveryVectorParsesWithItsOffsetsAndIntervals) {
  auto vectors = load_vectors();
  ASSERT_EQ(vectors.size(), 2u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.at("name").get<std::string>());
    auto bytes = *from_hex(v.at("blob").get<std::string>());
    ASSERT_EQ(bytes.size(), v.at("length").get<std::size_t>());
    auto h = read_header(bytes);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->version, 1);
    EXPECT_EQ(h->reserved, 0);
    EXPECT_EQ(h->length, v.at("length").get<std::uint32_t>());
    EXPECT_EQ(h->current_offset, v.at("current_offset").get<std::uint16_t>());
    EXPECT_EQ(h->previous_offset, v.at("previous_offset").get<std::uint16_t>());

    auto p = parse(bytes);
    ASSERT_TRUE(p.ok()) << p.error().what();
    EXPECT_EQ(p->query_interval_100ns, v.at("query_password_interval_100ns").get<std::uint64_t>());
    EXPECT_EQ(p->unchanged_interval_100ns,
              v.at("unchanged_password_interval_100ns").get<std::uint64_t>());
    ASSERT_EQ(p->current.size(), kPasswordBytes);
    EXPECT_TRUE(p->current.equals(std::span(bytes).subspan(h->current_offset, 256)));
    EXPECT_EQ(p->previous.has_value(), v.contains("previous_utf8"));
    if (p->previous) {
      EXPECT_TRUE(p->previous->equals(std::span(bytes).subspan(h->previous_offset, 256)));
    }
    // A DC blob re-encodes byte for byte.
    auto again = encode(*p);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->equals(bytes));
  }
}

TEST(BlobVectors, DcLayoutsAreTheDocumentedOnes) {
  auto one = read_header(vector_blob(0));
  EXPECT_EQ((std::vector<int>{one->current_offset, one->previous_offset, one->query_offset,
                              one->unchanged_offset, static_cast<int>(one->length)}),
            (std::vector<int>{16, 0, 274, 282, 290}));
  auto two = read_header(vector_blob(1));
  EXPECT_EQ((std::vector<int>{two->current_offset, two->previous_offset, two->query_offset,
                              two->unchanged_offset, static_cast<int>(two->length)}),
            (std::vector<int>{16, 274, 532, 540, 548}));
}

TEST(BlobHeader, EachHeaderFieldCorruptedIsRejectedByName) {
  auto b = vector_blob(0);
  auto with = [&](std::size_t at, std::uint32_t v) {
    auto c = b;
    set_u16(c, at, v);
    return reason(c);
  };
  EXPECT_EQ(with(0, 0), "Version: must be 1, got 0");
  EXPECT_EQ(with(0, 2), "Version: must be 1, got 2");
  EXPECT_EQ(with(0, 0x0100), "Version: must be 1, got 256");
  EXPECT_EQ(with(2, 1), "Reserved: must be 0, got 1");
  EXPECT_EQ(with(2, 0x8000), "Reserved: must be 0, got 32768");
  EXPECT_EQ(with(4, 291), "Length: says 291 bytes but 290 bytes were received");
  EXPECT_EQ(with(4, 289), "Length: says 289 bytes but 290 bytes were received");
  auto high = b;
  set_u32(high, 4, 0x00010122);  // high half of Length corrupted
  EXPECT_EQ(reason(high), "Length: says 65826 bytes but 290 bytes were received");
  EXPECT_EQ(with(8, 0), "CurrentPasswordOffset: must not be 0");
  EXPECT_EQ(with(8, 15), "CurrentPasswordOffset: 15 points inside the 16-byte header");
  EXPECT_EQ(with(8, 33),
            "CurrentPasswordOffset: 33 + 258 bytes runs past the end of the 290-byte blob");
  EXPECT_EQ(with(8, 0xffff),
            "CurrentPasswordOffset: 65535 + 258 bytes runs past the end of the 290-byte blob");
  EXPECT_EQ(with(10, 274),
            "PreviousPasswordOffset: 274 + 258 bytes runs past the end of the 290-byte blob");
  EXPECT_EQ(with(10, 16),
            "PreviousPasswordOffset: 16 must be greater than CurrentPasswordOffset 16");
  EXPECT_EQ(with(12, 283),
            "QueryPasswordIntervalOffset: 283 + 8 bytes runs past the end of the 290-byte blob");
  EXPECT_EQ(with(14, 283),
            "UnchangedPasswordIntervalOffset: 283 + 8 bytes runs past the end of the 290-byte "
            "blob");
}

TEST(BlobHeader, TruncationAtEveryLengthIsRejected) {
  for (std::size_t index : {0u, 1u}) {
    auto b = vector_blob(index);
    for (std::size_t n = 0; n < b.size(); ++n) {
      std::vector<std::uint8_t> cut(b.begin(), b.begin() + static_cast<long>(n));
      std::string expected =
          n < 16 ? "blob: shorter than the 16-byte header (" + std::to_string(n) + " bytes)"
                 : "Length: says " + std::to_string(b.size()) + " bytes but " + std::to_string(n) +
                       " bytes were received";
      ASSERT_EQ(reason(cut), expected) << "length " << n;
    }
  }
}

TEST(BlobHeader, TruncationWithLengthPatchedIsStillRejected) {
  // An attacker who also fixes Length up: the offsets then point past the end.
  auto b = vector_blob(1);
  b.resize(540);
  set_u32(b, 4, 540);
  EXPECT_EQ(reason(b),
            "UnchangedPasswordIntervalOffset: 540 + 8 bytes runs past the end of the 540-byte "
            "blob");
  b.resize(300);
  set_u32(b, 4, 300);
  EXPECT_EQ(reason(b),
            "PreviousPasswordOffset: 274 + 258 bytes runs past the end of the 300-byte blob");
}

TEST(BlobHeader, ReadHeaderNeedsSixteenBytes) {
  std::vector<std::uint8_t> b(15, 0);
  EXPECT_EQ(read_header(b).error().what(), "blob: shorter than the 16-byte header (15 bytes)");
}

ManagedPassword sample(bool with_previous) {
  ManagedPassword p;
  p.current = SecretBytes(256);
  for (std::size_t i = 0; i < 256; ++i) p.current[i] = static_cast<std::uint8_t>(i);
  if (with_previous) {
    p.previous = SecretBytes(256);
    for (std::size_t i = 0; i < 256; ++i) (*p.previous)[i] = static_cast<std::uint8_t>(255 - i);
  }
  p.query_interval_100ns = 0xfedcba9876543210;
  p.unchanged_interval_100ns = 1;
  return p;
}

TEST(BlobEncode, WithoutPreviousWritesTheDcLayout) {
  auto e = encode(sample(false));
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 290u);
  std::vector<std::uint8_t> header(e->data(), e->data() + 16);
  EXPECT_EQ(to_hex(header), "01000000220100001000000012011a01");
  EXPECT_EQ((*e)[272], 0);
  EXPECT_EQ((*e)[273], 0);
  EXPECT_EQ(to_hex(std::span(e->data() + 274, 16)), "1032547698badcfe0100000000000000");
  auto p = parse(e->span());
  ASSERT_TRUE(p.ok()) << p.error().what();
  EXPECT_TRUE(p->current.equals(sample(false).current.span()));
  EXPECT_FALSE(p->previous.has_value());
  EXPECT_EQ(p->query_interval_100ns, 0xfedcba9876543210u);
  EXPECT_EQ(p->unchanged_interval_100ns, 1u);
}

TEST(BlobEncode, WithPreviousWritesTheDcLayout) {
  auto e = encode(sample(true));
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 548u);
  EXPECT_EQ(to_hex(std::span(e->data(), 16)), "01000000240200001000120114021c02");
  auto p = parse(e->span());
  ASSERT_TRUE(p.ok()) << p.error().what();
  EXPECT_TRUE(p->current.equals(sample(true).current.span()));
  ASSERT_TRUE(p->previous.has_value());
  EXPECT_TRUE(p->previous->equals(sample(true).previous->span()));
  EXPECT_EQ(p->query_interval_100ns, 0xfedcba9876543210u);
}

TEST(BlobEncode, RejectsPasswordsOfTheWrongSize) {
  auto p = sample(true);
  p.current = SecretBytes(255);
  EXPECT_EQ(encode(p).error().what(), "current: must be 256 bytes, got 255");
  p = sample(true);
  p.previous = SecretBytes(258);
  EXPECT_EQ(encode(p).error().what(), "previous: must be 256 bytes, got 258");
  p = sample(false);
  p.current = SecretBytes();
  EXPECT_EQ(encode(p).error().what(), "current: must be 256 bytes, got 0");
}

}  // namespace
}  // namespace gmsa::blob
