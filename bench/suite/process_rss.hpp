// RSS of a real gmsa-brokerd process that restored every lease of a state dir.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "brokerd_process.hpp"
#include "stats.hpp"

namespace gmsa::bench {

inline Result<nlohmann::json> brokerd_rss(const prove::ProveLab& lab, const std::string& state,
                                          const std::string& dir_hint, const std::string& bin) {
  const std::string dir = dir_hint.substr(0, dir_hint.rfind('/'));
  Result<prove::Brokerd> b = Error{"", ""};
  double start_ms =
      time_ms([&] { b = prove::start_brokerd(lab, dir, state, bin, std::chrono::seconds(300)); });
  if (!b) return b.error();
  nlohmann::json r{{"restore_and_listen_s", start_ms / 1000},
                   {"vm_rss_kb", prove::proc_status_kb(b->pid, "VmRSS")},
                   {"vm_hwm_kb", prove::proc_status_kb(b->pid, "VmHWM")}};
  (void)prove::stop_brokerd(*b);
  return r;
}

}  // namespace gmsa::bench
