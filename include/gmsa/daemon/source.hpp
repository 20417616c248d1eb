// Where gMSA credentials come from, behind an interface so that lease,
// sharing and renewal logic is unit-tested with a fake. The real
// implementation (DirectorySource, directory_source.hpp) talks to the KDC and
// the DCs in-process.
#pragma once

#include <string>
#include <vector>

#include "gmsa/blob/managed_password.hpp"
#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"
#include "gmsa/krb/krb.hpp"

namespace gmsa::daemon {

struct GmsaRef {
  std::string account;  // without '$', as in the credential spec
  std::string domain;   // DNS domain, e.g. "contoso.test"
  bool operator==(const GmsaRef&) const = default;
};

// Who reads the managed password: the host (its keytab), or a standard
// domain user (domainless mode).
struct Authority {
  enum class Kind { kHost, kUser };
  Kind kind = Kind::kHost;
  std::string username;  // kUser
  std::string domain;    // kUser
  SecretBytes password;  // kUser, UTF-8
};

// Error.field values a source uses, so health can tell failures apart.
namespace source_field {
inline constexpr const char* kHost = "host_credential";  // keytab / user login failed
inline constexpr const char* kDc = "dc";                 // no DC reachable or LDAP failure
inline constexpr const char* kDirectory = "directory";   // gMSA not found / not allowed
inline constexpr const char* kKdc = "kdc";               // TGT for the gMSA refused
}  // namespace source_field

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // Reads msDS-ManagedPassword of ref, authenticated as `who`.
  virtual Result<blob::ManagedPassword> read_password(const GmsaRef& ref, const Authority& who) = 0;
  // TGT for <ACCOUNT>$@<REALM> with one UTF-16LE password (256 bytes).
  virtual Result<krb::Credentials> get_tgt(const GmsaRef& ref,
                                           const SecretBytes& utf16_password) = 0;
  // AES256/AES128 keys of current and previous password, with kvno.
  virtual Result<std::vector<krb::KeytabKey>> keytab_keys(const GmsaRef& ref,
                                                          const blob::ManagedPassword& password,
                                                          const krb::Credentials& tgt) = 0;
  // Checks that the host credential still works (keytab -> TGT). Called by
  // the renewal loop, never from an RPC.
  virtual Status check_host() = 0;
  // Principal name the TGT will carry, e.g. "WEBAPP01$@CONTOSO.TEST".
  virtual std::string principal_for(const GmsaRef& ref) const = 0;
  // Host name of the DC that answered last ("" if none / not applicable).
  virtual std::string last_dc() const { return ""; }
};

}  // namespace gmsa::daemon
