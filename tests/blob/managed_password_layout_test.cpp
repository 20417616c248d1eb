// Offsets out of order or overlapping, missing terminators, padding and
// trailing bytes (the rules of docs/formats/managed-password-blob.md).
#include <gtest/gtest.h>

#include "blob_test_util.hpp"
#include "gmsa/blob/managed_password.hpp"

namespace gmsa::blob {
namespace {

using test::build;
using test::Layout;
using test::set_u16;
using test::set_u32;
using test::vector_blob;

std::string reason(const std::vector<std::uint8_t>& b) {
  auto r = parse(b);
  return r.ok() ? "accepted" : r.error().what();
}

// Header offsets: current 8, previous 10, query 12, unchanged 14.
std::vector<std::uint8_t> with_offsets(std::vector<std::uint8_t> b, std::uint16_t current,
                                       std::uint16_t previous, std::uint16_t query,
                                       std::uint16_t unchanged) {
  set_u16(b, 8, current);
  set_u16(b, 10, previous);
  set_u16(b, 12, query);
  set_u16(b, 14, unchanged);
  return b;
}

TEST(BlobOrder, OffsetsOutOfOrderAreRejected) {
  auto two = vector_blob(1);  // 16 / 274 / 532 / 540, 548 bytes
  EXPECT_EQ(reason(with_offsets(two, 274, 16, 532, 540)),
            "PreviousPasswordOffset: 16 must be greater than CurrentPasswordOffset 274");
  EXPECT_EQ(reason(with_offsets(two, 16, 274, 274, 540)),
            "QueryPasswordIntervalOffset: 274 must be greater than PreviousPasswordOffset 274");
  EXPECT_EQ(reason(with_offsets(two, 16, 274, 100, 540)),
            "QueryPasswordIntervalOffset: 100 must be greater than PreviousPasswordOffset 274");
  EXPECT_EQ(reason(with_offsets(two, 16, 274, 540, 532)),
            "UnchangedPasswordIntervalOffset: 532 must be greater than QueryPasswordIntervalOffset "
            "540");
  auto one = vector_blob(0);  // 16 / 0 / 274 / 282, 290 bytes
  EXPECT_EQ(reason(with_offsets(one, 16, 0, 16, 282)),
            "QueryPasswordIntervalOffset: 16 must be greater than CurrentPasswordOffset 16");
  EXPECT_EQ(reason(with_offsets(one, 16, 0, 282, 274)),
            "UnchangedPasswordIntervalOffset: 274 must be greater than QueryPasswordIntervalOffset "
            "282");
  EXPECT_EQ(reason(with_offsets(one, 16, 0, 274, 274)),
            "UnchangedPasswordIntervalOffset: 274 must be greater than QueryPasswordIntervalOffset "
            "274");
}

TEST(BlobOrder, OverlappingFieldsAreRejected) {
  auto two = vector_blob(1);
  // Previous starts inside current.
  EXPECT_EQ(reason(with_offsets(two, 16, 100, 532, 540)),
            "CurrentPassword: slice of 84 bytes is shorter than 256 bytes + 2-byte NUL terminator");
  EXPECT_EQ(reason(with_offsets(two, 16, 273, 532, 540)),
            "CurrentPassword: slice of 257 bytes is shorter than 256 bytes + 2-byte NUL "
            "terminator");
  // Query starts inside previous.
  EXPECT_EQ(reason(with_offsets(two, 16, 274, 531, 540)),
            "PreviousPassword: slice of 257 bytes is shorter than 256 bytes + 2-byte NUL "
            "terminator");
  auto one = vector_blob(0);
  // Query starts inside current (the terminator would be the interval).
  EXPECT_EQ(
      reason(with_offsets(one, 16, 0, 272, 282)),
      "CurrentPassword: slice of 256 bytes is shorter than 256 bytes + 2-byte NUL terminator");
  EXPECT_EQ(
      reason(with_offsets(one, 17, 0, 274, 282)),
      "CurrentPassword: slice of 257 bytes is shorter than 256 bytes + 2-byte NUL terminator");
  // Unchanged overlaps query.
  EXPECT_EQ(
      reason(with_offsets(one, 16, 0, 274, 278)),
      "UnchangedPasswordIntervalOffset: 278 must directly follow QueryPasswordInterval (282)");
  EXPECT_EQ(
      reason(with_offsets(one, 16, 0, 274, 281)),
      "UnchangedPasswordIntervalOffset: 281 must directly follow QueryPasswordInterval (282)");
}

TEST(BlobOrder, ZeroingPreviousPasswordOffsetIsDetected) {
  // The previous password would otherwise pass as unexplained bytes after current.
  EXPECT_EQ(reason(with_offsets(vector_blob(1), 16, 0, 532, 540)),
            "QueryPasswordIntervalOffset: 532 must directly follow the last password (274) or its "
            "alignment padding to 8 bytes (280)");
}

TEST(BlobTerminator, MissingTerminatorsAreRejected) {
  auto one = vector_blob(0);
  for (std::size_t at : {272u, 273u}) {
    auto b = one;
    b[at] = 0x41;
    EXPECT_EQ(reason(b), "CurrentPassword: no NUL terminator at offset 272");
  }
  auto two = vector_blob(1);
  for (std::size_t at : {272u, 273u}) {
    auto b = two;
    b[at] = 0x01;
    EXPECT_EQ(reason(b), "CurrentPassword: no NUL terminator at offset 272");
  }
  for (std::size_t at : {530u, 531u}) {
    auto b = two;
    b[at] = 0xff;
    EXPECT_EQ(reason(b), "PreviousPassword: no NUL terminator at offset 530");
  }
}

TEST(BlobGaps, GapAfterTheHeaderIsRejected) {
  // Found by fuzz/blob_fuzz.cpp: a well-formed tail shifted by 6 bytes.
  EXPECT_EQ(reason(build({296, 22, 0, 280, 288})),
            "CurrentPasswordOffset: 22 leaves 6 unexplained bytes after the 16-byte header");
  EXPECT_EQ(reason(build({556, 24, 282, 540, 548})),
            "CurrentPasswordOffset: 24 leaves 8 unexplained bytes after the 16-byte header");
}

TEST(BlobGaps, GapBetweenPasswordsIsRejected) {
  auto b = build({556, 16, 282, 540, 548});  // 8 stray bytes after current
  EXPECT_EQ(reason(b),
            "PreviousPasswordOffset: 282 leaves 8 unexplained bytes after CurrentPassword "
            "(expected 274)");
}

TEST(BlobGaps, AlignmentPaddingToEightBytesIsAccepted) {
  // Without previous: passwords end at 274, next 8-byte boundary is 280.
  auto one = build({296, 16, 0, 280, 288}, 42, 7);
  auto p = parse(one);
  ASSERT_TRUE(p.ok()) << p.error().what();
  EXPECT_EQ(p->query_interval_100ns, 42u);
  EXPECT_EQ(p->unchanged_interval_100ns, 7u);
  EXPECT_EQ(p->current[0], test::pattern(7, 0));
  EXPECT_FALSE(p->previous.has_value());
  // Re-encoding drops the padding, as a DC would write it.
  auto e = encode(*p);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->size(), 290u);
  EXPECT_TRUE(e->equals(build({290, 16, 0, 274, 282}, 42, 7)));

  // With previous: passwords end at 532, next boundary 536.
  auto two = build({552, 16, 274, 536, 544}, 42, 7);
  auto q = parse(two);
  ASSERT_TRUE(q.ok()) << q.error().what();
  ASSERT_TRUE(q->previous.has_value());
  EXPECT_EQ((*q->previous)[255], test::pattern(99, 255));
  EXPECT_EQ(q->unchanged_interval_100ns, 7u);
}

TEST(BlobGaps, OtherPaddingIsRejected) {
  EXPECT_EQ(reason(build({292, 16, 0, 276, 284})),
            "QueryPasswordIntervalOffset: 276 must directly follow the last password (274) or its "
            "alignment padding to 8 bytes (280)");
  EXPECT_EQ(reason(build({304, 16, 0, 288, 296})),
            "QueryPasswordIntervalOffset: 288 must directly follow the last password (274) or its "
            "alignment padding to 8 bytes (280)");
  EXPECT_EQ(reason(build({549, 16, 274, 533, 541})),
            "QueryPasswordIntervalOffset: 533 must directly follow the last password (532) or its "
            "alignment padding to 8 bytes (536)");
  for (std::size_t at = 274; at < 280; ++at) {
    auto b = build({296, 16, 0, 280, 288});
    b[at] = 0x20;
    EXPECT_EQ(reason(b), "AlignmentPadding: byte at offset " + std::to_string(at) + " is not 0");
  }
  // Gap between the two intervals.
  EXPECT_EQ(
      reason(build({298, 16, 0, 274, 290})),
      "UnchangedPasswordIntervalOffset: 290 must directly follow QueryPasswordInterval (282)");
}

TEST(BlobGaps, TrailingBytesAreRejected) {
  for (std::size_t index : {0u, 1u}) {
    auto b = vector_blob(index);
    std::size_t end = b.size();
    for (std::size_t extra : {1u, 2u, 6u, 8u, 100u}) {
      auto c = b;
      c.resize(end + extra, 0);
      set_u32(c, 4, static_cast<std::uint32_t>(c.size()));
      EXPECT_EQ(reason(c), "Length: " + std::to_string(extra) +
                               " trailing bytes after UnchangedPasswordInterval (ends at " +
                               std::to_string(end) + ")");
    }
  }
  // Padded layout with a trailing byte as well.
  EXPECT_EQ(reason(build({297, 16, 0, 280, 288})),
            "Length: 1 trailing bytes after UnchangedPasswordInterval (ends at 296)");
}

TEST(BlobGaps, EmbeddedNulCodeUnitsInsideThePasswordAreKept) {
  // Positions come from offsets only: a 0x0000 code unit inside the 256 bytes
  // does not shorten the password (DCs never produce one, see gmsa-formats.md 3).
  auto b = vector_blob(0);
  b[16] = 0;
  b[17] = 0;
  auto p = parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->current.size(), 256u);
  EXPECT_EQ(p->current[0], 0);
  EXPECT_EQ(p->current[2], b[18]);
}

}  // namespace
}  // namespace gmsa::blob
