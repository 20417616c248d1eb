// Counts from the lab servers' logs (DIR/logs), for benchmarks and `lab status`.
#pragma once

#include <cstdint>
#include <string>

namespace gmsa::lab {

struct LabCounters {
  std::uint64_t as_issued = 0;          // krb5kdc: AS_REQ ... ISSUE (TGTs handed out)
  std::uint64_t as_failed = 0;          // krb5kdc: other AS_REQ lines (preauth needed/failed, ...)
  std::uint64_t tgs_issued = 0;         // krb5kdc: TGS_REQ ... ISSUE
  std::uint64_t gssapi_binds = 0;       // slapd: successful-looking BIND ... mech=GSSAPI
  std::uint64_t searches = 0;           // slapd: SRCH base=
  std::uint64_t password_requests = 0;  // slapd: SRCH attr= lists naming msDS-ManagedPassword
  std::uint64_t password_writes = 0;    // slapd: MOD attr= msDS-ManagedPassword (the controller)
};

// Pure: counts over the text of krb5kdc.log and slapd.log.
LabCounters count_logs(const std::string& kdc_log, const std::string& slapd_log);

}  // namespace gmsa::lab
