// The two reference points the daemon's lease latency is compared with:
//  - baseline: the per-gMSA pipeline the widely used peer daemon runs as
//    separate processes (kinit with the host keytab, ldapsearch -Y GSSAPI for
//    msDS-ManagedPassword, decode, kinit as the gMSA with the password on its
//    standard input), without the shell each of its steps runs in;
//  - floor: only the KDC and LDAP round trips one cold lease needs, in-process:
//    the search on a sealed connection bound beforehand (the daemon keeps one
//    per DC), the blob decode, the gMSA's AES keys (one PBKDF2, as the daemon
//    derives them) and its AS exchange.
#pragma once

#include <memory>
#include <string>

#include "gmsa/common/result.hpp"
#include "gmsa/krb/krb.hpp"
#include "gmsa/ldap/directory.hpp"
#include "prove_lab.hpp"

namespace gmsa::bench {

struct PipelineEnv {
  const prove::ProveLab* lab = nullptr;
  std::string work_dir;  // 0700, for the baseline's files
  std::string gmsa_bin;  // path of the `gmsa` CLI
};

// Prepares /etc/netns/<netns>/hosts so ldapsearch (run with `ip netns exec`)
// finds the DC names without DNS; undone by cleanup_baseline.
Status prepare_baseline(const PipelineEnv& env);
void cleanup_baseline(const PipelineEnv& env);

// How the baseline's last step, kinit as the gMSA, gets the gMSA's key:
//  - kPassword: as the peer daemon does, the decoded password on kinit's
//    standard input; libkrb5 learns the salt from the KDC (one more round
//    trip) and derives the key with its own PBKDF2;
//  - kKeytab: a keytab written in-process with our keys module, then
//    `kinit -k` (a variant more generous to the baseline).
enum class BaselineKinit { kPassword, kKeytab };

struct BaselineSample {
  double ms = 0;
  // kPassword only: the password's UTF-8 form holds a newline or a NUL, which
  // the peer's pipe to kinit cannot carry (its login would fail), so this
  // sample used the keytab.
  bool keytab_fallback = false;
};

// One lease the baseline way, with its wall time.
Result<BaselineSample> baseline_once(const PipelineEnv& env, const std::string& account,
                                     BaselineKinit how);
// The cost of `ip netns exec <ns> /bin/true` (only there so ldapsearch can
// resolve the DC name; the peer daemon does not pay it), ms.
Result<double> netns_exec_overhead(const PipelineEnv& env);

// A sealed GSSAPI connection to the lab's first DC, bound with host_tgt (not
// timed: the daemon keeps such connections across fetches).
Result<std::unique_ptr<ldap::Connection>> floor_connection(const PipelineEnv& env,
                                                           const krb::Context& ctx,
                                                           const krb::Credentials& host_tgt);
// One lease's network work, in-process, on that connection: the search, the
// blob decode and the gMSA's AS exchange.
Result<double> floor_once(const PipelineEnv& env, const krb::Context& ctx, ldap::Connection& conn,
                          const std::string& account);

}  // namespace gmsa::bench
