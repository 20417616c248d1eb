// The lab KDC's database, edited in-process through the kadm5 server library
// (libkadm5srv): principals, AD-salted keys with kvno history, keytabs.
// Keys and passwords never pass through argv or a pipe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"

namespace gmsa::lab {

struct KeySpec {
  int kvno = 1;
  int enctype = 18;  // 17 aes128, 18 aes256
  SecretBytes key;   // raw key bytes
  std::string salt;  // AD salt; stored as a "special" salt so the KDC
                     // advertises it in PA-ETYPE-INFO2
};

// String-to-key through libkrb5 for aes128 and aes256 with the given salt.
Result<std::vector<KeySpec>> aes_keys(const SecretBytes& utf8_password, const std::string& salt,
                                      int kvno);

class KdcAdmin {
 public:
  // Uses the process's KRB5_CONFIG and KRB5_KDC_PROFILE (set by the lab
  // before any Kerberos call).
  static Result<std::unique_ptr<KdcAdmin>> open(const std::string& realm);
  ~KdcAdmin();
  KdcAdmin(const KdcAdmin&) = delete;
  KdcAdmin& operator=(const KdcAdmin&) = delete;

  bool exists(const std::string& principal);
  // Creates the principal without keys if it is missing, then replaces its
  // keys with `keys` (which may span two kvnos: previous and current).
  Status set_keys(const std::string& principal, const std::vector<KeySpec>& keys);
  // Creates a principal with a random key (service principals for slapd and
  // PostgreSQL) and appends its keys to a keytab.
  Status create_random(const std::string& principal, const std::string& keytab);
  // Creates a user with a password (normal MIT salt = AD's user salt).
  Status create_with_password(const std::string& principal, const SecretBytes& password);

 private:
  struct Impl;
  explicit KdcAdmin(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Appends keys for `principal` to a keytab file.
Status write_keytab(const std::string& keytab, const std::string& principal,
                    const std::vector<KeySpec>& keys);

}  // namespace gmsa::lab
