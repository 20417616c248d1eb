#include "gmsa/common/clock.hpp"

namespace gmsa {

std::uint64_t to_nt_time(SystemTime t) {
  auto since_unix =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count() / 100;
  return kNtEpochToUnixEpoch100ns + static_cast<std::uint64_t>(since_unix);
}

SystemTime from_nt_time(std::uint64_t nt) {
  auto since_unix_100ns = static_cast<std::int64_t>(nt - kNtEpochToUnixEpoch100ns);
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::nanoseconds(since_unix_100ns * 100)));
}

}  // namespace gmsa
