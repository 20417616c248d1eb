// A real gmsa-brokerd process against a ProveLab (fork/exec with an argument
// vector, stderr to a log file), for RSS figures, /proc checks and SIGKILL.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "prove_lab.hpp"

namespace gmsa::prove {

struct Brokerd {
  pid_t pid = 0;
  std::string socket;
  std::string log_file;
  std::string config_file;
};

// Writes DIR/brokerd.json (the lab's settings plus state_dir and socket) and
// starts the daemon; returns once the socket exists (leases restored).
Result<Brokerd> start_brokerd(const ProveLab& lab, const std::string& dir,
                              const std::string& state_dir, const std::string& bin,
                              std::chrono::seconds timeout = std::chrono::seconds(60));
// SIGTERM (or `signal`) and reap; returns the exit status.
Result<int> stop_brokerd(const Brokerd& b, int signal = 15);

// The value of a field of /proc/<pid>/status, blanks trimmed ("" if absent).
std::string proc_status_field(pid_t pid, const std::string& field);
// A "VmRSS"-style field of /proc/<pid>/status in kB (0 if absent).
long proc_status_kb(pid_t pid, const std::string& field);
// The raw bytes of /proc/<pid>/<name> (cmdline, environ, ...).
std::string proc_file(pid_t pid, const std::string& name);

}  // namespace gmsa::prove
