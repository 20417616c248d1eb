// Test support: the credential spec of a gMSA of the lab domain, as
// `gmsa credspec new` makes it against the lab (the lab's default SID, GUID
// and names, include/gmsa/lab/config.hpp).
#pragma once

#include <string>

namespace gmsa::testing {

// Compact JSON credential spec for lab gMSA `account` (e.g. "WEBAPP01").
std::string lab_credspec(const std::string& account);

}  // namespace gmsa::testing
