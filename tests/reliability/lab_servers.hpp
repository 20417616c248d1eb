// Stops, pauses and restarts the private lab's servers for fault tests. A
// stopped server is restarted with exactly the argv and environment it ran
// with (read from /proc before the kill), in the lab's namespace, and its pid
// record is rewritten so `lab down` still stops it.
#pragma once

#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "prove_lab.hpp"

namespace gmsa::reliability {

class LabServer {
 public:
  LabServer(const prove::ProveLab& lab, std::string name) : lab_(lab), name_(std::move(name)) {}
  Status kill();     // SIGKILL, waits until gone
  Status restart();  // after kill(); waits until its ports listen
  Status pause();    // SIGSTOP: connections are accepted by the kernel, never answered
  Status resume();   // SIGCONT

 private:
  const prove::ProveLab& lab_;
  std::string name_;
  std::vector<std::string> argv_, env_;
};

}  // namespace gmsa::reliability
