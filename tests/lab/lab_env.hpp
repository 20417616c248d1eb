// Shared state of the lab integration test: one lab per test binary,
// brought up by `gmsa lab up` in a temp dir and down at the end.
#pragma once

#include <krb5/krb5.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"
#include "gmsa/ldap/directory.hpp"

namespace gmsa::labtest {

struct Lab {
  std::string dir;
  nlohmann::json facts;  // lab.json
  bool up = false;
};
Lab& lab();

// Runs the gmsa binary with argv; returns exit status and output.
struct RunResult {
  int status = -1;
  std::string output;
};
RunResult gmsa_cli(const std::vector<std::string>& args);

// libkrb5 in-process helpers (Kerberos errors become Error messages).
Status tgt_from_keytab(const std::string& principal, const std::string& keytab,
                       const std::string& ccache);
Status tgt_from_password(const std::string& principal, const SecretBytes& utf8_password,
                         const std::string& ccache);
// Service ticket for `service` using the TGT in `ccache`; returns the ticket's
// kvno and keeps the encoded ticket.
struct ServiceTicket {
  int kvno = 0;
  int enctype = 0;
  std::vector<std::uint8_t> ticket;  // DER
};
Result<ServiceTicket> service_ticket(const std::string& ccache, const std::string& service);
// Whether a ticket's encrypted part decrypts with the key.
bool ticket_decrypts(const ServiceTicket& t, int enctype, const SecretBytes& key);

ldap::DcEndpoint dc(int index, bool ldaps = false);
ldap::ConnectOptions options(const std::string& ccache);
std::string base_dn();

}  // namespace gmsa::labtest
