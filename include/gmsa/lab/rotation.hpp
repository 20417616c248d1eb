// How the lab maps real time to the NT time its password schedule runs on.
// Without --rotation the lab runs on real time. With --rotation R, virtual
// time runs P*10h/R times faster than real time (P = the period in key cycles,
// 72 for 30 days), so one password period takes R of real time; every
// interval the DC publishes (query, unchanged, the 5-minute lead window)
// shrinks by the same factor. docs/lab.md has the numbers.
#pragma once

#include <chrono>
#include <cstdint>

#include "gmsa/common/clock.hpp"

namespace gmsa::lab {

struct TimeMap {
  SystemTime anchor_real{};          // when the lab came up
  std::uint64_t anchor_nt = 0;       // virtual NT time at anchor_real (= real NT time then)
  std::uint64_t virtual_period = 0;  // P * key cycle (100 ns units); 0 = real time
  std::uint64_t real_period = 0;     // R (100 ns units)

  static TimeMap make(SystemTime anchor, std::uint32_t interval_days,
                      std::chrono::seconds rotation);
  bool scaled() const { return real_period != 0 && virtual_period != 0; }
  std::uint64_t to_virtual(SystemTime real) const;
  SystemTime to_real(std::uint64_t virtual_nt) const;
  // A virtual duration (100 ns) as real 100 ns units.
  std::uint64_t real_interval(std::uint64_t virtual_100ns) const;
};

// Key version number of the key that starts at `gkid_cycle` for an account
// whose first key is at `first_cycle` (1, 2, ... one per change).
int kvno_for(std::int64_t first_cycle, std::int64_t gkid_cycle, std::int64_t period_cycles);

}  // namespace gmsa::lab
