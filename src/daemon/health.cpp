#include "gmsa/daemon/health.hpp"

namespace gmsa::daemon {

std::string HealthReport::status() const {
  if (healthy) return "OK";
  std::string s = "DEGRADED:";
  for (std::size_t i = 0; i < problems.size(); ++i) s += (i == 0 ? " " : "; ") + problems[i];
  return s;
}

void Health::set_host_check(const Status& st, SystemTime when) {
  std::lock_guard<std::mutex> lock(mu_);
  last_check_ = when;
  if (st) {
    host_error_.reset();
  } else {
    host_error_ = st.error();
  }
}

HealthReport Health::evaluate(const std::vector<IdentitySnapshot>& identities) const {
  HealthReport r;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!last_check_) {
      r.problems.push_back("host credential not checked yet");
    } else if (host_error_) {
      if (host_error_->field == source_field::kDc) {
        r.problems.push_back("no DC reachable: " + host_error_->message);
      } else {
        r.problems.push_back("host credential unusable: " + host_error_->what());
      }
    }
  }
  for (const auto& id : identities) {
    if (id.state == IdentityState::kDegraded || id.state == IdentityState::kExpired) {
      r.problems.push_back("refresh failing for " + id.ref.account + "@" + id.ref.domain + " (" +
                           to_string(id.state) + ", " + std::to_string(id.failures) +
                           " failures): " + id.last_error);
    }
  }
  r.healthy = r.problems.empty();
  return r;
}

}  // namespace gmsa::daemon
