// The lab's network namespace and veth pair, made with iproute2 (argv only).
#include "src/lab/netns.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <ostream>
#include <sstream>
#include <thread>

#include "gmsa/lab/process.hpp"
#include "src/lab/files.hpp"

namespace gmsa::lab {
namespace {

constexpr auto kIpTimeout = std::chrono::milliseconds(5000);

Status ip(const std::vector<std::string>& args, const std::string& log) {
  SpawnOptions o;
  o.argv = {"/usr/sbin/ip"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"};
  o.log_file = log;
  o.new_session = false;
  return run_ok(o, kIpTimeout);
}

}  // namespace

bool netns_exists(const std::string& name) {
  struct stat st {};
  return ::stat(("/run/netns/" + name).c_str(), &st) == 0;
}

namespace {
std::string owner_file(const LabConfig& c) { return "/run/gmsa-lab/" + c.netns + ".owner"; }
}  // namespace

std::optional<std::string> netns_owner(const LabConfig& c) {
  auto text = read_file(owner_file(c));
  if (!text.ok() || text->empty()) return std::nullopt;
  std::string dir = *text;
  if (dir.back() == '\n') dir.pop_back();
  return dir;
}

bool link_exists(const std::string& name) { return if_nametoindex(name.c_str()) != 0; }

Status check_subnet_free(const LabConfig& c) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return Error{"subnet", "cannot list interfaces"};
  in_addr net{};
  inet_pton(AF_INET, (c.subnet + ".0").c_str(), &net);
  std::string clash;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
    auto* sin = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
    if ((ntohl(sin->sin_addr.s_addr) & 0xFFFFFF00u) == ntohl(net.s_addr) &&
        c.veth_host != a->ifa_name) {
      clash = a->ifa_name;
    }
  }
  freeifaddrs(list);
  if (!clash.empty()) return Error{"subnet", c.subnet + ".0/24 is already used by " + clash};
  return ok_status();
}

Status check_netns_free(const LabConfig& c) {
  if (!netns_exists(c.netns) && !link_exists(c.veth_host)) return ok_status();
  const auto owner = netns_owner(c);
  return Error{"lab up", "namespace " + c.netns + " belongs to the lab in " +
                             (owner ? *owner : std::string("another directory")) +
                             "; run `gmsa lab down --dir` there first"};
}

Status create_netns(const LabConfig& c, const std::string& log) {
  if (auto s = check_subnet_free(c); !s.ok()) return s;
  const std::string& ns = c.netns;
  std::vector<std::vector<std::string>> steps = {
      {"netns", "add", ns},
      {"link", "add", c.veth_host, "type", "veth", "peer", "name", c.veth_ns},
      {"link", "set", c.veth_ns, "netns", ns},
      {"addr", "add", c.host_address() + "/24", "dev", c.veth_host},
      {"link", "set", c.veth_host, "up"},
      {"-n", ns, "addr", "add", c.dc1_address() + "/24", "dev", c.veth_ns},
      {"-n", ns, "addr", "add", c.dc2_address() + "/24", "dev", c.veth_ns},
      {"-n", ns, "addr", "add", c.db_address() + "/24", "dev", c.veth_ns},
      {"-n", ns, "link", "set", c.veth_ns, "up"},
      {"-n", ns, "link", "set", "lo", "up"},
  };
  if (auto s = make_dirs("/run/gmsa-lab", 0755); !s.ok()) return s;
  if (auto s = write_file(owner_file(c), c.dir + "\n"); !s.ok()) return s;
  for (const auto& s : steps) {
    if (auto r = ip(s, log); !r.ok()) return r;
  }
  return ok_status();
}

Result<std::vector<pid_t>> netns_pids(const std::string& name) {
  // Every process whose network namespace is the lab's.
  struct stat ns {};
  if (::stat(("/run/netns/" + name).c_str(), &ns) != 0) return std::vector<pid_t>{};
  std::vector<pid_t> out;
  DIR* d = ::opendir("/proc");
  if (!d) return Error{"/proc", "cannot list processes"};
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 1) continue;
    struct stat st {};
    std::string p = std::string("/proc/") + e->d_name + "/ns/net";
    if (::stat(p.c_str(), &st) == 0 && st.st_ino == ns.st_ino && st.st_dev == ns.st_dev) {
      out.push_back(static_cast<pid_t>(pid));
    }
  }
  ::closedir(d);
  return out;
}

void kill_netns_processes(const std::string& name) {
  auto pids = netns_pids(name);
  if (!pids.ok()) return;
  for (pid_t p : *pids) {
    if (record_of(p)) ::kill(p, SIGKILL);
  }
  for (pid_t p : *pids) {
    auto rec = record_of(p);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (rec && alive(*rec) && std::chrono::steady_clock::now() < deadline) {
      ::waitpid(p, nullptr, WNOHANG);  // reaps it when up ran in this process
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::waitpid(p, nullptr, WNOHANG);
  }
}

Result<bool> release_netns(const LabConfig& c, const std::string& setup_log, std::ostream& log) {
  // The namespace is shared by name: leave it alone if another lab dir made it.
  const auto owner = netns_owner(c);
  if (netns_exists(c.netns) && owner && *owner != c.dir) {
    log << "lab down: namespace " << c.netns << " belongs to the lab in " << *owner
        << "; left running\n";
    return false;
  }
  // Anything else still inside the namespace (a server whose pid was never
  // recorded because `up` crashed, or a server's children) is the lab's too.
  kill_netns_processes(c.netns);
  if (auto s = delete_netns(c, setup_log); !s.ok()) return s.error();
  log << "lab down: no process, namespace " << c.netns << " or veth " << c.veth_host << " left\n";
  return true;
}

Status delete_netns(const LabConfig& c, const std::string& log) {
  if (link_exists(c.veth_host)) {
    if (auto r = ip({"link", "del", c.veth_host}, log); !r.ok()) return r;
  }
  if (netns_exists(c.netns)) {
    if (auto r = ip({"netns", "del", c.netns}, log); !r.ok()) return r;
  }
  std::remove(owner_file(c).c_str());
  return ok_status();
}

}  // namespace gmsa::lab
