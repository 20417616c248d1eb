// Time behind an interface so that schedules are tested by advancing a
// simulated clock instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace gmsa {

using SystemTime = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SystemTime now() const = 0;
};

class RealClock final : public Clock {
 public:
  SystemTime now() const override { return std::chrono::system_clock::now(); }
};

// Moves only when the test says so.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(SystemTime start) : now_(start) {}
  SystemTime now() const override { return now_; }
  void advance(std::chrono::nanoseconds d) {
    now_ += std::chrono::duration_cast<SystemTime::duration>(d);
  }
  void set(SystemTime t) { now_ = t; }

 private:
  SystemTime now_;
};

// Windows FILETIME / NT time: 100 ns units since 1601-01-01 UTC.
constexpr std::uint64_t kNtEpochToUnixEpoch100ns = 116444736000000000ULL;
std::uint64_t to_nt_time(SystemTime t);
SystemTime from_nt_time(std::uint64_t nt);

}  // namespace gmsa
