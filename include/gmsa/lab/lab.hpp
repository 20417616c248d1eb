// `gmsa lab up/down/status/serve`: the lab domain's life cycle.
#pragma once

#include <iosfwd>
#include <string>

#include "gmsa/common/result.hpp"
#include "gmsa/lab/config.hpp"

namespace gmsa::lab {

// Brings the lab up (idempotent: a running lab is reported, a half-up one is
// torn down and rebuilt). Progress lines go to `log`.
Status up(const LabConfig& config, std::ostream& log);
// Stops every lab process and removes the namespace and veth pair; safe to
// run on a lab that is down or half up.
Status down(const LabConfig& config, std::ostream& log);
// One line per component; Ok only when everything runs.
Status status(const LabConfig& config, std::ostream& out);
// The password controller (started by up as `gmsa lab serve`); runs until
// SIGTERM.
Status serve(const LabConfig& config, std::ostream& log);

// Reads DIR/lab-config.json written by up (rotation etc.).
Result<LabConfig> load_config(const std::string& dir);

// Process names and their pid files, in start order.
inline constexpr const char* kServers[] = {"krb5kdc", "slapd", "dnsmasq", "postgres", "controller"};

}  // namespace gmsa::lab
