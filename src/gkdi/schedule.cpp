// gMSA password rotation schedule (docs/formats/gkdi.md "Rotation").
#include <algorithm>
#include <limits>

#include "gmsa/gkdi/gkdi.hpp"

namespace gmsa::gkdi {
namespace {

constexpr std::uint64_t kMaxNt = std::numeric_limits<std::uint64_t>::max();

// Interval 0 (or < 10 hours) would mean "no period"; treat it as one key
// cycle so the arithmetic stays defined. The CLI rejects 0 up front.
std::int64_t period_of(const RotationSchedule& s) {
  return std::max<std::int64_t>(1, s.period_cycles());
}

std::int64_t created_cycle(const RotationSchedule& s) {
  return static_cast<std::int64_t>(s.created_nt / kKeyCycle100ns);
}

// Start cycle of the key in force at nt_now (never before the first key).
std::int64_t current_start_cycle(const RotationSchedule& s, std::uint64_t nt_now) {
  const std::int64_t c0 = created_cycle(s);
  const auto now_c = static_cast<std::int64_t>(nt_now / kKeyCycle100ns);
  if (now_c <= c0) return c0;
  const std::int64_t p = period_of(s);
  return c0 + (now_c - c0) / p * p;
}

std::uint64_t cycle_to_nt(std::int64_t c) {
  const auto uc = static_cast<std::uint64_t>(c);
  return uc > kMaxNt / kKeyCycle100ns ? kMaxNt : uc * kKeyCycle100ns;
}

}  // namespace

Gkid RotationSchedule::current_gkid(std::uint64_t nt_now) const {
  return Gkid::from_cycle(current_start_cycle(*this, nt_now));
}

std::uint64_t RotationSchedule::next_change_nt(std::uint64_t nt_now) const {
  return cycle_to_nt(current_start_cycle(*this, nt_now) + period_of(*this));
}

PasswordState password_state(const RotationSchedule& s, std::uint64_t nt_now) {
  const std::int64_t start = current_start_cycle(s, nt_now);
  const std::int64_t next = start + period_of(s);
  const std::uint64_t change = cycle_to_nt(next);
  const std::uint64_t period_100ns = cycle_to_nt(period_of(s));
  PasswordState st;
  // Before the first key exists (clock behind whenCreated) the query
  // interval also counts from nt_now, so it can exceed one period.
  st.query_interval_100ns = change - std::min(change, nt_now);
  if (st.query_interval_100ns <= kRotationLead100ns) {
    // Lead window: the next key is already current, the one in force is
    // previous. Like a DC, ask again at the change; the answer then stays
    // the same until the next lead window.
    st.current = Gkid::from_cycle(next);
    st.previous = Gkid::from_cycle(start);
    const std::uint64_t until_next_lead =
        st.query_interval_100ns + std::min(period_100ns, kMaxNt - st.query_interval_100ns);
    st.unchanged_interval_100ns = until_next_lead - std::min(until_next_lead, kRotationLead100ns);
    return st;
  }
  st.current = Gkid::from_cycle(start);
  if (start > created_cycle(s)) st.previous = Gkid::from_cycle(start - period_of(s));
  st.unchanged_interval_100ns =
      st.query_interval_100ns - std::min(st.query_interval_100ns, kRotationLead100ns);
  return st;
}

}  // namespace gmsa::gkdi
