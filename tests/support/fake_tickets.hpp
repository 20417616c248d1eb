// Test support: synthetic Kerberos credentials (built and marshalled with
// libkrb5, never sent to a KDC) and a throwaway krb5.conf.
#pragma once

#include <string>

#include "gmsa/common/clock.hpp"
#include "gmsa/krb/krb.hpp"

namespace gmsa::testing {

// Writes a minimal krb5.conf for realm into dir and returns its path.
std::string write_krb5_conf(const std::string& dir, const std::string& realm);

// A TGT-shaped credential for client@realm valid [start, end).
krb::Credentials fake_tgt(const krb::Context& ctx, const std::string& client, SystemTime start,
                          SystemTime end);

// mkdtemp under TMPDIR (or /tmp); removed by remove_tree.
std::string make_temp_dir(const std::string& prefix);
void remove_tree(const std::string& dir);

}  // namespace gmsa::testing
