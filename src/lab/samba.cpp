// `gmsa lab up --samba`: a Samba AD DC in its own namespace. Set-up tools
// (samba-tool, ldbmodify, ldbsearch, adcli) run as subprocesses with an
// argument vector and a timeout; secrets reach them on standard input only.
#include "gmsa/lab/samba.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "gmsa/common/encoding.hpp"
#include "gmsa/common/secret.hpp"
#include "gmsa/lab/config.hpp"
#include "gmsa/lab/process.hpp"
#include "src/lab/files.hpp"
#include "src/lab/netns.hpp"

namespace gmsa::lab {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kProvisionTimeout = std::chrono::milliseconds(240000);
constexpr auto kToolTimeout = std::chrono::milliseconds(60000);
constexpr auto kStartTimeout = std::chrono::milliseconds(90000);
constexpr const char* kSambaTool = "/usr/bin/samba-tool";
constexpr const char* kSamba = "/usr/sbin/samba";
constexpr const char* kLdbModify = "/usr/bin/ldbmodify";
constexpr const char* kLdbSearch = "/usr/bin/ldbsearch";
constexpr const char* kAdcli = "/usr/sbin/adcli";

std::string lowercase(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The namespace helpers take a LabConfig; only its network fields matter.
LabConfig net_of(const SambaConfig& c) {
  LabConfig n;
  n.dir = c.dir;
  n.netns = c.netns;
  n.veth_host = c.veth_host;
  n.veth_ns = c.veth_ns;
  n.subnet = c.subnet;
  return n;
}

// Kerberos clients (adcli) get the lab's krb5.conf; Samba itself brings its
// own Kerberos configuration.
std::vector<std::string> tool_env(const SambaConfig& c) {
  // TDB_NO_FSYNC: a throw-away lab database needs no fsync (as Samba's own
  // test suite runs it); provisioning is several times faster without.
  return {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", "TDB_NO_FSYNC=1",
          "KRB5_CONFIG=" + c.path("krb5.conf")};
}

std::vector<std::string> samba_env() {
  return {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C", "TDB_NO_FSYNC=1"};
}

SpawnOptions tool(const SambaConfig& c, std::vector<std::string> argv, const std::string& log) {
  SpawnOptions o;
  o.argv = std::move(argv);
  o.env = tool_env(c);
  o.netns = c.netns;  // any lookup a tool makes stays inside the namespace
  o.log_file = c.path("logs/" + log);
  o.new_session = false;
  return o;
}

std::string pid_file(const SambaConfig& c) { return c.path("run/samba.pidrec"); }

bool running(const SambaConfig& c) {
  auto rec = read_pid_file(pid_file(c));
  return netns_exists(c.netns) && rec && alive(*rec) &&
         ::access(c.path("lab.json").c_str(), F_OK) == 0;
}

// provision prints the random Administrator password it set; the lab replaces
// that password at once, and the line is dropped from the log anyway.
Status scrub_provision_log(const SambaConfig& c) {
  auto text = read_file(c.path("logs/provision.log"));
  if (!text.ok()) return ok_status();
  std::istringstream in(*text);
  std::string out, line;
  while (std::getline(in, line)) {
    if (line.find("Admin password") == std::string::npos) out += line + "\n";
  }
  return write_file(c.path("logs/provision.log"), out, 0600);
}

Status provision(const SambaConfig& c) {
  auto o = tool(
      c,
      {kSambaTool, "domain", "provision", "--targetdir=" + c.path("samba"), "--realm=" + c.realm,
       "--domain=" + c.netbios, "--server-role=dc", "--dns-backend=SAMBA_INTERNAL",
       "--host-name=" + c.dc_short, "--host-ip=" + c.dc_address(),
       "--option=interfaces = " + c.dc_address(), "--option=bind interfaces only = yes"},
      "provision.log");
  o.env = samba_env();
  auto st = run_ok(o, kProvisionTimeout);
  if (auto s = scrub_provision_log(c); !s.ok()) return s;
  if (!st.ok()) return Error{"samba-tool domain provision", st.error().what()};
  auto conf = read_file(c.smb_conf());
  if (!conf.ok()) return conf.error();
  return write_file(c.smb_conf(), samba_smb_conf(c, *conf));
}

// LDIF on stdin to ldbmodify on the DC's own database (system session).
Status ldb_modify(const SambaConfig& c, std::string ldif, const std::string& what) {
  auto o = tool(c, {kLdbModify, "-H", c.sam_ldb()}, "setup.log");
  o.stdin_data = std::move(ldif);
  auto st = run_ok(o, kToolTimeout);
  secure_wipe(o.stdin_data.data(), o.stdin_data.size());
  if (!st.ok()) return Error{what, st.error().what()};
  return ok_status();
}

// unicodePwd = the quoted password in UTF-16LE (the form AD accepts).
// followed by `tail` (the other records of the same ldbmodify run).
std::string password_ldif(const SambaConfig& c, const SecretBytes& pw, const std::string& tail) {
  SecretBytes utf16((pw.size() + 2) * 2);
  auto put = [&](std::size_t i, std::uint8_t ch) { utf16.data()[2 * i] = ch; };
  put(0, '"');
  for (std::size_t i = 0; i < pw.size(); ++i) put(i + 1, pw.data()[i]);
  put(pw.size() + 1, '"');
  std::string b64 = to_base64(utf16.span());
  const std::string head = "dn: CN=Administrator,CN=Users," + c.base_dn +
                           "\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: ";
  // Reserved up front, so no reallocation leaves an unwiped copy behind.
  std::string ldif;
  ldif.reserve(head.size() + b64.size() + 1 + tail.size());
  ldif += head;
  ldif += b64;
  ldif += "\n";
  ldif += tail;
  secure_wipe(b64.data(), b64.size());
  return ldif;
}

Status join_host(const SambaConfig& c, const SecretBytes& admin_pw) {
  auto o = tool(
      c,
      {kAdcli, "join", "--verbose", "--stdin-password", "--login-user=Administrator",
       "--domain=" + c.domain, "--domain-realm=" + c.realm, "--domain-controller=" + c.dc_address(),
       "--computer-name=" + c.host_cn, "--host-fqdn=" + lowercase(c.host_cn) + "." + c.domain,
       "--host-keytab=" + c.host_keytab(), "--os-name=Linux"},
      "setup.log");
  o.stdin_data.assign(reinterpret_cast<const char*>(admin_pw.data()), admin_pw.size());
  auto st = run_ok(o, kToolTimeout);
  secure_wipe(o.stdin_data.data(), o.stdin_data.size());
  if (!st.ok()) return Error{"adcli join", st.error().what()};
  return ok_status();
}

Result<SambaFacts> read_facts(const SambaConfig& c) {
  const std::string out = c.path("run/facts.ldif");
  std::remove(out.c_str());
  auto o = tool(
      c, {kLdbSearch, "-H", c.sam_ldb(), "-s", "base", "-b", c.base_dn, "objectSid", "objectGUID"},
      "");
  o.log_file = out;
  if (auto st = run_ok(o, kToolTimeout); !st.ok()) return Error{"ldbsearch", st.error().what()};
  auto text = read_file(out);
  if (!text.ok()) return text.error();
  SambaFacts f;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("objectSid: ", 0) == 0) f.domain_sid = line.substr(11);
    if (line.rfind("objectGUID: ", 0) == 0) f.domain_guid = line.substr(12);
  }
  if (f.domain_sid.empty() || f.domain_guid.empty())
    return Error{"ldbsearch", c.base_dn + " has no objectSid/objectGUID in " + out};
  return f;
}

Status start_dc(const SambaConfig& c) {
  SpawnOptions o;
  o.argv = {kSamba, "--foreground", "--no-process-group", "--debug-stdout", "-s", c.smb_conf()};
  o.env = samba_env();
  o.netns = c.netns;
  o.log_file = c.path("logs/samba.log");
  auto pid = spawn(o);
  if (!pid.ok()) return pid.error();
  auto rec = record_of(*pid);
  if (!rec) return Error{"samba", "exited at once (see " + o.log_file + ")"};
  if (auto s = write_pid_file(pid_file(c), *rec); !s.ok()) return s;
  for (int port : {88, 53, 389, 636}) {
    if (auto s = wait_for_port("samba", c.dc_address(), port, kStartTimeout, *rec); !s.ok())
      return s;
  }
  return ok_status();
}

Status do_down(const SambaConfig& c, std::ostream& log) {
  if (auto s = stop_recorded(pid_file(c), 5s); !s.ok()) return s;
  auto released = release_netns(net_of(c), c.path("logs/setup.log"), log);
  if (!released.ok()) return released.error();
  return ok_status();
}

Status build(const SambaConfig& c, std::ostream& log) {
  const auto t0 = SteadyClock::now();
  auto ms = [&] {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - t0).count());
  };
  if (auto s = write_file(c.path("krb5.conf"), samba_krb5_conf(c)); !s.ok()) return s;
  if (auto s = create_netns(net_of(c), c.path("logs/setup.log")); !s.ok()) return s;
  if (auto s = provision(c); !s.ok()) return s;
  log << "provisioned " << c.realm << " in " << ms() << " ms\n";
  // A fresh Administrator password known only to this process, for the join.
  const SecretBytes admin_pw = random_password(32);
  // One ldbmodify run: the password, the DC's SPNs and the gMSA object.
  std::string ldif =
      password_ldif(c, admin_pw, "\n" + samba_dc_spn_ldif(c) + "\n" + samba_gmsa_ldif(c));
  if (auto s = ldb_modify(c, std::move(ldif), "ldbmodify"); !s.ok()) return s;
  if (auto s = start_dc(c); !s.ok()) return s;
  log << "samba listening on " << c.dc_address() << " (88, 53, 389, 636) at " << ms() << " ms\n";
  if (auto s = join_host(c, admin_pw); !s.ok()) return s;
  auto facts = read_facts(c);
  if (!facts.ok()) return facts.error();
  return write_file(c.path("lab.json"), samba_lab_json(c, *facts));
}

}  // namespace

bool is_samba_lab(const std::string& dir) {
  auto text = read_file(dir + "/profile");
  return text.ok() && *text == "samba\n";
}

std::vector<std::string> samba_programs() {
  return {kSamba, kSambaTool, kLdbModify, kLdbSearch, kAdcli};
}

Status samba_up(const SambaConfig& c, std::ostream& log) {
  if (::geteuid() != 0) return Error{"lab up", "needs root (network namespaces, servers)"};
  for (const auto& p : samba_programs()) {
    if (::access(p.c_str(), X_OK) != 0)
      return Error{"lab up --samba",
                   p + " is missing: install the packages in scripts/deps/samba.txt "
                       "(scripts/install-deps.sh)"};
  }
  if (auto s = make_dirs(c.dir, 0711); !s.ok()) return s;
  DirLock lock(c.path(".lock"));
  if (!lock.ok()) return Error{c.dir, "cannot lock"};
  if (running(c)) {
    log << "samba lab already running in " << c.dir << "\n";
    return ok_status();
  }
  if (auto s = make_dirs(c.path("logs"), 0700); !s.ok()) return s;
  if (auto s = write_file(c.path("profile"), "samba\n"); !s.ok()) return s;
  if (auto s = do_down(c, log); !s.ok()) return s;
  if (auto s = check_netns_free(net_of(c)); !s.ok()) return s;
  for (const char* d : {"samba", "keytabs", "run"}) {
    if (auto s = remove_tree(c.path(d)); !s.ok()) return s;
  }
  std::remove(c.path("lab.json").c_str());
  for (const char* d : {"keytabs", "run"}) {
    if (auto s = make_dirs(c.path(d), 0700); !s.ok()) return s;
  }
  const auto started = SteadyClock::now();
  if (auto st = build(c, log); !st.ok()) {
    std::ostringstream ignored;
    (void)do_down(c, ignored);
    std::remove(c.path("lab.json").c_str());
    return st;
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  log << "samba lab up in " << ms.count() << " ms: realm " << c.realm << ", DC " << c.dc() << " ("
      << c.dc_address() << "), host " << c.host_principal() << "; facts in " << c.path("lab.json")
      << "\n";
  return ok_status();
}

Status samba_down(const SambaConfig& c, std::ostream& log) {
  return down_locked(c.dir, log, [&] { return do_down(c, log); });
}

Status samba_status(const SambaConfig& c, std::ostream& out) {
  const bool ns = netns_exists(c.netns);
  auto rec = read_pid_file(pid_file(c));
  const bool up = rec && alive(*rec);
  out << "namespace " << c.netns << ": " << (ns ? "present" : "absent") << "\n"
      << "samba: " << (up ? "running, pid " + std::to_string(rec->pid) : std::string("stopped"))
      << "\n";
  if (!ns || !up) return Error{"lab", "not running"};
  return ok_status();
}

}  // namespace gmsa::lab
