// gmsa-brokerd: gMSA leases over the ECS-compatible gRPC API (docs/daemon.md).
#include <string>
#include <vector>

#include "gmsa/daemon/server.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return gmsa::daemon::run_main(args);
}
