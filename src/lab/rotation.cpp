#include "gmsa/lab/rotation.hpp"

namespace gmsa::lab {
namespace {
__extension__ typedef unsigned __int128 u128;
constexpr std::uint64_t kCycle = 360'000'000'000ULL;
}  // namespace

TimeMap TimeMap::make(SystemTime anchor, std::uint32_t interval_days,
                      std::chrono::seconds rotation) {
  TimeMap m;
  m.anchor_real = anchor;
  m.anchor_nt = to_nt_time(anchor);
  if (rotation.count() > 0) {
    std::uint64_t period_cycles = std::uint64_t{interval_days} * 24 / 10;
    if (period_cycles == 0) period_cycles = 1;
    m.virtual_period = period_cycles * kCycle;
    m.real_period = static_cast<std::uint64_t>(rotation.count()) * 10'000'000ULL;
  }
  return m;
}

std::uint64_t TimeMap::to_virtual(SystemTime real) const {
  std::uint64_t now = to_nt_time(real);
  if (!scaled()) return now;
  if (now <= anchor_nt) return now;
  u128 elapsed = now - anchor_nt;
  return anchor_nt + static_cast<std::uint64_t>(elapsed * virtual_period / real_period);
}

SystemTime TimeMap::to_real(std::uint64_t virtual_nt) const {
  if (!scaled() || virtual_nt <= anchor_nt) return from_nt_time(virtual_nt);
  u128 elapsed = virtual_nt - anchor_nt;
  // Round up so that at the returned time the virtual clock has reached virtual_nt.
  u128 real = (elapsed * real_period + virtual_period - 1) / virtual_period;
  return from_nt_time(anchor_nt + static_cast<std::uint64_t>(real));
}

std::uint64_t TimeMap::real_interval(std::uint64_t virtual_100ns) const {
  if (!scaled()) return virtual_100ns;
  return static_cast<std::uint64_t>(u128{virtual_100ns} * real_period / virtual_period);
}

int kvno_for(std::int64_t first_cycle, std::int64_t gkid_cycle, std::int64_t period_cycles) {
  if (period_cycles <= 0 || gkid_cycle <= first_cycle) return 1;
  return static_cast<int>(1 + (gkid_cycle - first_cycle) / period_cycles);
}

}  // namespace gmsa::lab
