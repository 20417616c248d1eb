#include "gmsa/common/clock.hpp"

#include <gtest/gtest.h>

namespace gmsa {
namespace {

TEST(NtTime, UnixEpoch) {
  EXPECT_EQ(to_nt_time(SystemTime{}), kNtEpochToUnixEpoch100ns);
  EXPECT_EQ(from_nt_time(kNtEpochToUnixEpoch100ns), SystemTime{});
}

TEST(NtTime, RoundTrip) {
  std::uint64_t nt = 133404554396754922ULL;
  EXPECT_EQ(to_nt_time(from_nt_time(nt)), nt);
}

TEST(ManualClock, MovesOnlyWhenAdvanced) {
  ManualClock clock(SystemTime{} + std::chrono::hours(1));
  auto t0 = clock.now();
  EXPECT_EQ(clock.now(), t0);
  clock.advance(std::chrono::minutes(5));
  EXPECT_EQ(clock.now() - t0, std::chrono::minutes(5));
}

}  // namespace
}  // namespace gmsa
