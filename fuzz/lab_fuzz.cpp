// The lab's text parsers: pid records, /proc/<pid>/stat, --rotation
// durations, and the log counters. None may crash; accepted pid records
// must round-trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gmsa/lab/config.hpp"
#include "gmsa/lab/counters.hpp"
#include "gmsa/lab/process.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto r = gmsa::lab::parse_pid_record(text); r.ok()) {
    auto again = gmsa::lab::parse_pid_record(gmsa::lab::format_pid_record(*r));
    if (!again.ok() || !(*again == *r)) std::abort();
  }
  (void)gmsa::lab::parse_proc_stat(text);
  if (auto d = gmsa::lab::parse_duration(text); d.ok() && d->count() <= 0) std::abort();
  const auto split = text.find('\0');
  (void)gmsa::lab::count_logs(text.substr(0, split),
                              split == std::string::npos ? "" : text.substr(split));
  return 0;
}
