// Internal: the one-time provisioning steps of `lab up`.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/lab/config.hpp"

namespace gmsa::lab {

// Environment for lab processes that use Kerberos on the server side.
std::vector<std::string> server_env(const LabConfig& c);

Status provision_kdc(const LabConfig& c);        // database, hosts, services, user
Status provision_tls(const LabConfig& c);        // CA and DC certificate
Status provision_directory(const LabConfig& c);  // slapadd config and data
Result<pid_t> start_initdb(const LabConfig& c);  // runs in the background
Status finish_postgres(const LabConfig& c, pid_t initdb);

struct PostgresUser {
  uid_t uid;
  gid_t gid;
};
Result<PostgresUser> postgres_user();

}  // namespace gmsa::lab
