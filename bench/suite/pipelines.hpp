// The two reference points the daemon's lease latency is compared with:
//  - baseline: the per-gMSA pipeline the widely used peer daemon runs as
//    separate processes (kinit with the host keytab, ldapsearch -Y GSSAPI for
//    msDS-ManagedPassword, decode, kinit as the gMSA from a keytab);
//  - floor: only the KDC and LDAP round trips one cold lease needs, in-process
//    (TGS + sealed GSSAPI bind + search, then the gMSA's AS exchange).
#pragma once

#include <string>

#include "gmsa/common/result.hpp"
#include "gmsa/krb/krb.hpp"
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

// One lease the baseline way; returns its wall time in ms.
Result<double> baseline_once(const PipelineEnv& env, const std::string& account);
// The cost of `ip netns exec <ns> /bin/true` (only there so ldapsearch can
// resolve the DC name; the peer daemon does not pay it), ms.
Result<double> netns_exec_overhead(const PipelineEnv& env);

// One lease's network work, in-process, with an already obtained host TGT.
Result<double> floor_once(const PipelineEnv& env, const krb::Context& ctx,
                          const krb::Credentials& host_tgt, const std::string& account);

}  // namespace gmsa::bench
