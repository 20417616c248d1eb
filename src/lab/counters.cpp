#include "gmsa/lab/counters.hpp"

#include <sstream>

namespace gmsa::lab {

LabCounters count_logs(const std::string& kdc_log, const std::string& slapd_log) {
  LabCounters c;
  auto has = [](const std::string& line, const char* s) {
    return line.find(s) != std::string::npos;
  };
  std::istringstream kdc(kdc_log);
  for (std::string line; std::getline(kdc, line);) {
    if (has(line, "): AS_REQ ")) {
      (has(line, ": ISSUE: ") ? c.as_issued : c.as_failed)++;
    } else if (has(line, "): TGS_REQ ") && has(line, ": ISSUE: ")) {
      c.tgs_issued++;
    }
  }
  std::istringstream slapd(slapd_log);
  for (std::string line; std::getline(slapd, line);) {
    if (has(line, " BIND dn=") && has(line, " mech=GSSAPI ")) c.gssapi_binds++;
    if (has(line, " SRCH base=")) c.searches++;
    if (has(line, " SRCH attr=") && has(line, "msDS-ManagedPassword")) c.password_requests++;
    if (has(line, " MOD attr=") && has(line, "msDS-ManagedPassword")) c.password_writes++;
  }
  return c;
}

}  // namespace gmsa::lab
