// Rotation schedule and what a DC returns, as pure functions of NT time.
#include <gtest/gtest.h>

#include "gmsa/gkdi/gkdi.hpp"

namespace gmsa::gkdi {
namespace {

constexpr std::uint64_t kCycle = kKeyCycle100ns;
constexpr std::uint64_t kMinute = 60ULL * 10'000'000;
// whenCreated of the published vector: cycle 370031 (+0.097 cycle).
constexpr std::uint64_t kCreated = 133211195280000000ULL;
constexpr std::int64_t kC0 = 370031;
constexpr std::uint64_t at_cycle(std::int64_t c) { return static_cast<std::uint64_t>(c) * kCycle; }

TEST(Schedule, PeriodRoundsDown) {
  EXPECT_EQ((RotationSchedule{0, 30}.period_cycles()), 72);
  EXPECT_EQ((RotationSchedule{0, 1}.period_cycles()), 2);
  EXPECT_EQ((RotationSchedule{0, 3}.period_cycles()), 7);  // 7.2
  EXPECT_EQ((RotationSchedule{0, 4}.period_cycles()), 9);  // 9.6
}

TEST(Schedule, CurrentKeyAndNextChangeAtPeriodBoundaries) {
  RotationSchedule s{kCreated, 30};
  EXPECT_EQ(s.current_gkid(kCreated), Gkid::from_cycle(kC0));
  EXPECT_EQ(s.next_change_nt(kCreated), at_cycle(kC0 + 72));
  EXPECT_EQ(s.current_gkid(at_cycle(kC0 + 72) - 1), Gkid::from_cycle(kC0));
  EXPECT_EQ(s.next_change_nt(at_cycle(kC0 + 72) - 1), at_cycle(kC0 + 72));
  EXPECT_EQ(s.current_gkid(at_cycle(kC0 + 72)), Gkid::from_cycle(kC0 + 72));
  EXPECT_EQ(s.next_change_nt(at_cycle(kC0 + 72)), at_cycle(kC0 + 144));
  // Before whenCreated (DC clock behind): still the first key.
  EXPECT_EQ(s.current_gkid(kCreated - 5 * kCycle), Gkid::from_cycle(kC0));
  EXPECT_EQ(s.next_change_nt(0), at_cycle(kC0 + 72));
  // The vector's effective time: 7 full periods after creation.
  EXPECT_EQ(s.current_gkid(133404554396754922ULL), (Gkid{361, 27, 7}));
  EXPECT_EQ(s.next_change_nt(133404554396754922ULL), at_cycle(kC0 + 8 * 72));
}

TEST(Schedule, ZeroIntervalIsOneCycle) {
  RotationSchedule s{kCreated, 0};
  EXPECT_EQ(s.current_gkid(at_cycle(kC0 + 3) + 1), Gkid::from_cycle(kC0 + 3));
  EXPECT_EQ(s.next_change_nt(at_cycle(kC0 + 3) + 1), at_cycle(kC0 + 4));
}

TEST(PasswordState, FirstPeriodHasNoPrevious) {
  RotationSchedule s{kCreated, 30};
  auto st = password_state(s, kCreated);
  EXPECT_EQ(st.current, Gkid::from_cycle(kC0));
  EXPECT_FALSE(st.previous.has_value());
  EXPECT_EQ(st.query_interval_100ns, at_cycle(kC0 + 72) - kCreated);
  EXPECT_EQ(st.unchanged_interval_100ns, at_cycle(kC0 + 72) - kCreated - 5 * kMinute);
}

TEST(PasswordState, LeadWindowServesNextKeyAsCurrent) {
  RotationSchedule s{kCreated, 30};
  const std::uint64_t change = at_cycle(kC0 + 72);
  // One tick before the window: still the first key, no previous.
  auto before = password_state(s, change - 5 * kMinute - 1);
  EXPECT_EQ(before.current, Gkid::from_cycle(kC0));
  EXPECT_FALSE(before.previous.has_value());
  EXPECT_EQ(before.query_interval_100ns, 5 * kMinute + 1);
  EXPECT_EQ(before.unchanged_interval_100ns, 1u);
  // Window opens at exactly 5 minutes before the change.
  for (std::uint64_t left : {5 * kMinute, 2 * kMinute, std::uint64_t{1}}) {
    SCOPED_TRACE(left);
    auto st = password_state(s, change - left);
    EXPECT_EQ(st.current, Gkid::from_cycle(kC0 + 72));
    ASSERT_TRUE(st.previous.has_value());
    EXPECT_EQ(*st.previous, Gkid::from_cycle(kC0));
    EXPECT_EQ(st.query_interval_100ns, left);
    EXPECT_EQ(st.unchanged_interval_100ns, left + 72 * kCycle - 5 * kMinute);
    // The key in force has not changed yet.
    EXPECT_EQ(s.current_gkid(change - left), Gkid::from_cycle(kC0));
  }
}

TEST(PasswordState, AfterTheChangePreviousStays) {
  RotationSchedule s{kCreated, 30};
  const std::uint64_t change = at_cycle(kC0 + 72);
  auto st = password_state(s, change);
  EXPECT_EQ(st.current, Gkid::from_cycle(kC0 + 72));
  ASSERT_TRUE(st.previous.has_value());
  EXPECT_EQ(*st.previous, Gkid::from_cycle(kC0));
  EXPECT_EQ(st.query_interval_100ns, 72 * kCycle);
  EXPECT_EQ(st.unchanged_interval_100ns, 72 * kCycle - 5 * kMinute);
  // Same answer as inside the lead window just before: nothing flips at the change.
  auto lead = password_state(s, change - 1);
  EXPECT_EQ(lead.current, st.current);
  EXPECT_EQ(lead.previous, st.previous);
  EXPECT_EQ(lead.unchanged_interval_100ns, st.unchanged_interval_100ns + 1);
}

TEST(PasswordState, VectorEffectiveTime) {
  RotationSchedule s{kCreated, 30};
  const std::uint64_t now = 133404554396754922ULL;
  auto st = password_state(s, now);
  EXPECT_EQ(st.current, (Gkid{361, 27, 7}));
  ASSERT_TRUE(st.previous.has_value());
  EXPECT_EQ(*st.previous, Gkid::from_cycle(kC0 + 6 * 72));
  EXPECT_EQ(st.query_interval_100ns, at_cycle(kC0 + 8 * 72) - now);
  // The worked example in docs/formats/gkdi.md.
  EXPECT_EQ(*st.previous, (Gkid{361, 24, 31}));
  EXPECT_EQ(st.query_interval_100ns, 13965603245078u);
  EXPECT_EQ(st.unchanged_interval_100ns, 13962603245078u);
}

TEST(PasswordState, ClockBeforeCreation) {
  RotationSchedule s{kCreated, 30};
  auto st = password_state(s, kCreated - 10 * kCycle);
  EXPECT_EQ(st.current, Gkid::from_cycle(kC0));
  EXPECT_FALSE(st.previous.has_value());
  EXPECT_EQ(st.query_interval_100ns, at_cycle(kC0 + 72) - (kCreated - 10 * kCycle));
}

}  // namespace
}  // namespace gmsa::gkdi
