// A private lab domain for the reliability tests and the benchmark suite:
// `gmsa lab up` in-process in a temp dir, with its own network namespace,
// veth pair and subnet so it never collides with a lab another process runs
// (the default lab owns netns gmsa-lab and 10.213.0.0/24).
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "gmsa/common/result.hpp"
#include "gmsa/daemon/config.hpp"
#include "gmsa/daemon/lease_id.hpp"
#include "gmsa/daemon/server.hpp"
#include "gmsa/lab/config.hpp"
#include "gmsa/lab/counters.hpp"

namespace gmsa::prove {

struct ProveLab {
  lab::LabConfig config;
  nlohmann::json facts;  // lab.json
};

// Brings a lab up in a fresh temp dir (rotation 0 = real time).
Result<ProveLab> lab_up(std::chrono::seconds rotation = std::chrono::seconds(0));
// Stops it and removes its directory (keeps it when GMSA_KEEP_LAB_DIR is set).
Status lab_down(const ProveLab& lab);

// A daemon configuration for the lab (domain-joined as the lab's host).
daemon::DaemonConfig daemon_config(const ProveLab& lab, const std::string& state_dir,
                                   const std::string& socket_path);

// A gmsa-brokerd in-process against the lab with the real DirectorySource,
// started: state in daemon_state(dir), socket daemon_socket(dir).
Result<std::unique_ptr<daemon::Daemon>> start_daemon(const ProveLab& lab, const std::string& dir,
                                                     const Clock& clock, daemon::Random& random);
inline std::string daemon_state(const std::string& dir) { return dir + "/state"; }
inline std::string daemon_socket(const std::string& dir) { return dir + "/s.sock"; }

// Counts from the lab servers' logs so far (AS exchanges, password reads, ...).
lab::LabCounters counters(const ProveLab& lab);

// Pid of a lab server ("krb5kdc", "slapd", ...) from its pid file; 0 if none.
int server_pid(const ProveLab& lab, const std::string& name);

}  // namespace gmsa::prove
