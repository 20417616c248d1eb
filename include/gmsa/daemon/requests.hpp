// Request-field validation shared by the two gRPC services: credential specs
// -> gMSA references for the served domain, domainless users, owner options.
// Errors name the request field ("credspec_contents[1]: ...").
#pragma once

#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/daemon/config.hpp"
#include "gmsa/daemon/source.hpp"

namespace gmsa::daemon {

// Each credential spec names one gMSA: the first GroupManagedServiceAccounts
// entry, in DomainJoinConfig.DnsName, which must be the served domain. The
// same gMSA twice in one request is refused.
Result<std::vector<GmsaRef>> refs_from_credspecs(const std::vector<std::string>& specs,
                                                 const DaemonConfig& cfg);

// A domainless user from request fields; all three empty = the configured
// secret file. username must be a bare name (no '@', '/', '\\').
Result<Authority> domainless_authority(const std::string& username, const std::string& password,
                                       const std::string& domain, const DaemonConfig& cfg);

// {"username": ..., "password": ..., "domainName": ...}
Result<Authority> load_domainless_secret(const std::string& path);

}  // namespace gmsa::daemon
