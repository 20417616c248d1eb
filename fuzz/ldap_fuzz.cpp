// The LDAP client's pure pieces: filter building must escape every special
// character (the value never opens or closes a filter), DN -> DNS name and
// cipher strength parsing must not crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gmsa/ldap/query.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto f = gmsa::ldap::gmsa_filter(text); f.ok()) {
    // Exactly the two parenthesised components we wrote: escaped values
    // contribute no '(' ')' '*' or NUL.
    const std::string& s = *f;
    int open = 0, close = 0;
    for (char c : s) {
      open += c == '(';
      close += c == ')';
      if (c == '*' || c == '\0') std::abort();
    }
    if (open != 3 || close != 3) std::abort();
  }
  (void)gmsa::ldap::dn_to_dns_name(text);
  if (gmsa::ldap::tls_cipher_ssf(text) > 256) std::abort();
  return 0;
}
