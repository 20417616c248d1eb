// Pure pieces of the LDAP client, unit-tested without a server.
#pragma once

#include <string>
#include <vector>

#include "gmsa/common/result.hpp"

namespace gmsa::ldap {

// The attributes find_gmsa asks for. msDS-ManagedPassword is requested only
// when the connection's SSF reaches min_ssf.
std::vector<std::string> gmsa_attributes(unsigned ssf, unsigned min_ssf);

// "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=NAME$))",
// with NAME escaped (RFC 4515). `account` may carry the trailing '$'. Error
// (field "account") when empty, longer than 255 bytes, or containing NUL.
Result<std::string> gmsa_filter(const std::string& account);

// RFC 4515 escaping of an assertion value (through libldap).
std::string escape_filter_value(const std::string& value);

// Key bits of a TLS cipher named by GnuTLS or OpenSSL ("AES-256-GCM",
// "TLS_AES_128_GCM_SHA256", "CHACHA20-POLY1305"); 0 when unknown.
unsigned tls_cipher_ssf(const std::string& cipher);

// "DC=contoso,DC=test" -> "contoso.test" (DC components only, in order).
std::string dn_to_dns_name(const std::string& dn);

}  // namespace gmsa::ldap
