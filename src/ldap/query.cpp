#include "gmsa/ldap/query.hpp"

#include <lber.h>
#include <ldap.h>

#include <cctype>

namespace gmsa::ldap {

std::vector<std::string> gmsa_attributes(unsigned ssf, unsigned min_ssf) {
  std::vector<std::string> attrs = {"sAMAccountName",         "dNSHostName",
                                    "servicePrincipalName",   "objectSid",
                                    "msDS-ManagedPasswordId", "msDS-ManagedPasswordInterval"};
  if (ssf >= min_ssf && ssf > 0) attrs.push_back("msDS-ManagedPassword");
  return attrs;
}

std::string escape_filter_value(const std::string& value) {
  berval in{static_cast<ber_len_t>(value.size()), const_cast<char*>(value.data())};
  berval out{};
  if (ldap_bv2escaped_filter_value(&in, &out) != 0) std::abort();  // only fails on ENOMEM
  std::string s(out.bv_val, out.bv_len);
  ber_memfree(out.bv_val);
  return s;
}

Result<std::string> gmsa_filter(const std::string& account) {
  std::string name = account;
  if (!name.empty() && name.back() == '$') name.pop_back();
  if (name.empty()) return Error{"account", "is empty"};
  if (name.size() > 255) return Error{"account", "is longer than 255 bytes"};
  if (name.find('\0') != std::string::npos) return Error{"account", "contains a NUL byte"};
  return "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=" +
         escape_filter_value(name + "$") + "))";
}

unsigned tls_cipher_ssf(const std::string& cipher) {
  std::string c;
  for (char ch : cipher) c += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (c.find("CHACHA20") != std::string::npos) return 256;
  // The key size follows the block cipher's name: AES-256-GCM, TLS_AES_128_GCM_SHA256,
  // ECDHE-RSA-AES256-GCM-SHA384, CAMELLIA-128-CBC.
  for (const char* name : {"AES", "CAMELLIA"}) {
    auto at = c.find(name);
    if (at == std::string::npos) continue;
    at += std::string(name).size();
    while (at < c.size() && (c[at] == '-' || c[at] == '_')) ++at;
    if (c.compare(at, 3, "256") == 0) return 256;
    if (c.compare(at, 3, "128") == 0) return 128;
  }
  return 0;
}

std::string dn_to_dns_name(const std::string& dn) {
  std::string out;
  std::size_t i = 0;
  while (i < dn.size()) {
    std::size_t end = dn.find(',', i);
    if (end == std::string::npos) end = dn.size();
    std::string rdn = dn.substr(i, end - i);
    while (!rdn.empty() && rdn.front() == ' ') rdn.erase(rdn.begin());
    if (rdn.size() > 3 && std::tolower(static_cast<unsigned char>(rdn[0])) == 'd' &&
        std::tolower(static_cast<unsigned char>(rdn[1])) == 'c' && rdn[2] == '=') {
      if (!out.empty()) out += '.';
      out += rdn.substr(3);
    }
    i = end + 1;
  }
  return out;
}

}  // namespace gmsa::ldap
