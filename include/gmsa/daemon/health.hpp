// Health is computed from state the renewal loop keeps up to date, never by a
// network call in the RPC: HealthCheck answers in microseconds even while a
// DC hangs.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/clock.hpp"
#include "gmsa/common/result.hpp"
#include "gmsa/daemon/identity.hpp"

namespace gmsa::daemon {

struct HealthReport {
  bool healthy = true;
  std::vector<std::string> problems;  // human-readable, no secrets
  std::string status() const;         // "OK" or "DEGRADED: p1; p2"
};

class Health {
 public:
  // Result of the last host-credential / DC check (renewal loop).
  void set_host_check(const Status& st, SystemTime when);
  HealthReport evaluate(const std::vector<IdentitySnapshot>& identities) const;

 private:
  mutable std::mutex mu_;
  std::optional<Error> host_error_;
  std::optional<SystemTime> last_check_;
};

}  // namespace gmsa::daemon
