// Internal: the lab's network namespace.
#pragma once

#include <dirent.h>
#include <sys/types.h>

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/lab/config.hpp"

namespace gmsa::lab {

bool netns_exists(const std::string& name);
bool link_exists(const std::string& name);
Status check_subnet_free(const LabConfig& c);
// After this lab's own `down`: an error naming the owner if the namespace or
// the host-side veth still exists (another lab directory runs there).
Status check_netns_free(const LabConfig& c);
Status create_netns(const LabConfig& c, const std::string& log);
Status delete_netns(const LabConfig& c, const std::string& log);
// Which lab directory made the namespace (/run/gmsa-lab/<netns>.owner).
std::optional<std::string> netns_owner(const LabConfig& c);
Result<std::vector<pid_t>> netns_pids(const std::string& name);
// SIGKILLs every process left in the namespace and waits (2 s at most) until
// each is gone, reaping those that are this process's children.
void kill_netns_processes(const std::string& name);
// `down`'s last step: unless another lab directory owns the namespace (then
// it is left alone and the result is false), kills what is left inside it,
// deletes it and the veth pair, and says so on `log`.
Result<bool> release_netns(const LabConfig& c, const std::string& setup_log, std::ostream& log);

}  // namespace gmsa::lab
