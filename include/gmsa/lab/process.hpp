// Starting and stopping the lab's servers: fork/exec with an argument vector
// (optionally inside a network namespace and as another user), pid records
// that carry the process start time so a reused PID is never signalled, and
// readiness by TCP connect.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"

namespace gmsa::lab {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is the absolute program path
  std::vector<std::string> env;   // the child's whole environment, "NAME=value"
  std::string netns;              // "" = stay in this namespace
  std::string log_file;           // stdout and stderr are appended here ("" = /dev/null)
  std::string stdin_data;         // written to the child's stdin by run()
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  bool new_session = true;  // setsid: the server outlives `gmsa lab up`
};

Result<pid_t> spawn(const SpawnOptions& options);

// Runs to completion; kills the child (SIGKILL) after `timeout`. Returns the
// exit status, or an error naming argv[0] on timeout or a signal.
Result<int> run(const SpawnOptions& options, std::chrono::milliseconds timeout);
// Waits for a child started with spawn(); kills it after `timeout`.
Result<int> wait_child(pid_t pid, const std::string& what, std::chrono::milliseconds timeout);
// run() that also requires exit status 0.
Status run_ok(const SpawnOptions& options, std::chrono::milliseconds timeout);

// A server's identity: its PID plus the start time from /proc/<pid>/stat
// (field 22, clock ticks since boot).
struct PidRecord {
  pid_t pid = 0;
  unsigned long long start_time = 0;
  bool operator==(const PidRecord&) const = default;
};

std::string format_pid_record(const PidRecord& r);            // "<pid> <start>\n"
Result<PidRecord> parse_pid_record(const std::string& text);  // strict
// Parses the contents of /proc/<pid>/stat: the start time and whether the
// process is a zombie.
struct ProcStat {
  unsigned long long start_time = 0;
  char state = '?';
};
Result<ProcStat> parse_proc_stat(const std::string& stat);

std::optional<PidRecord> record_of(pid_t pid);  // reads /proc
bool alive(const PidRecord& r);                 // same PID, same start time, not a zombie

Status write_pid_file(const std::string& path, const PidRecord& r);
std::optional<PidRecord> read_pid_file(const std::string& path);
// SIGTERM, wait up to `grace`, then SIGKILL; reaps it if it is our child.
// Removes the pid file. A dead or reused PID is left alone.
Status stop_recorded(const std::string& pid_file, std::chrono::milliseconds grace, int signal = 15);

// Waits until a TCP connect to address:port succeeds, or the deadline passes,
// or `watched` dies. Error names the server.
Status wait_for_port(const std::string& what, const std::string& address, int port,
                     std::chrono::milliseconds timeout, const std::optional<PidRecord>& watched);

}  // namespace gmsa::lab
