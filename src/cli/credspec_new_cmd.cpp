// gmsa credspec new --account NAME ...: a credential spec built from AD over
// LDAP (SASL GSSAPI as the host), as Windows New-CredentialSpec builds it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "credspec_new.hpp"
#include "gmsa/common/ids.hpp"
#include "gmsa/credspec/credspec.hpp"
#include "gmsa/daemon/config.hpp"
#include "gmsa/krb/krb.hpp"
#include "gmsa/ldap/directory.hpp"

namespace gmsa::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: gmsa credspec new --account NAME [--additional-account NAME]... [--domain DOMAIN]\n"
    "                         [-o FILE] [--force] [--lab-dir DIR] [--dc HOST=ADDRESS[:PORT]]\n"
    "                         [--krb5-conf FILE] [--keytab FILE --principal NAME$@REALM | --ccache "
    "NAME]\n"
    "\n"
    "Reads the domain's SID, GUID, NetBIOS and forest names from AD over LDAP (SASL GSSAPI)\n"
    "and writes a credential spec naming the gMSA in both scopes (DNS and NetBIOS).\n"
    "Credentials: the host keytab and principal, or an existing ccache. With --lab-dir,\n"
    "the lab's lab.json supplies the domain, DC, krb5.conf, host keytab and principal.\n"
    "-o writes FILE atomically and never replaces an existing file without --force.\n";

struct Settings {
  std::string domain, base_dn, krb5_conf, keytab, principal, ccache;
  std::optional<daemon::DcConfig> dc;
};

Status apply_lab(const std::string& dir, Settings& s) {
  std::ifstream f(dir + "/lab.json");
  if (!f) return Error{"--lab-dir", "no lab.json in " + dir + " (run gmsa lab up)"};
  auto j = nlohmann::json::parse(f, nullptr, false);
  try {
    s.domain = j.at("domain");
    s.base_dn = j.at("baseDn");
    s.krb5_conf = j.at("krb5Config");
    s.keytab = j.at("hostKeytab");
    s.principal = j.at("hostPrincipal");
    const auto& dc = j.at("dcs").at(0);
    s.dc = daemon::DcConfig{dc.at("name"), dc.at("address"),
                            static_cast<std::uint16_t>(dc.at("ldapPort").get<int>()), false};
  } catch (const nlohmann::json::exception&) {
    return Error{"--lab-dir", dir + "/lab.json is not a lab description"};
  }
  return ok_status();
}

std::string base_dn_of(const std::string& domain) {
  std::string dn, label;
  std::istringstream in(domain);
  while (std::getline(in, label, '.')) dn += (dn.empty() ? "DC=" : ",DC=") + label;
  return dn;
}

// Writes to a temporary file next to `path`, then links it into place (fails
// if `path` exists) or, with force, renames over it.
Status write_atomically(const std::string& path, const std::string& text, bool force) {
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return Error{path, std::string("cannot create: ") + std::strerror(errno)};
  bool ok = ::fchmod(fd, 0644) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (ok) {
    ok = force ? ::rename(tmp.c_str(), path.c_str()) == 0 : ::link(tmp.c_str(), path.c_str()) == 0;
    err = errno;
  }
  ::unlink(tmp.c_str());
  if (!ok && err == EEXIST) return Error{path, "exists (use --force to replace it)"};
  if (!ok) return Error{path, std::string("cannot write: ") + std::strerror(err)};
  return ok_status();
}

Result<credspec::CredentialSpec> build(const Settings& s,
                                       const std::vector<std::string>& accounts) {
  auto ctx = krb::Context::open(s.krb5_conf);
  if (!ctx) return ctx.error();
  std::optional<krb::MemoryCcache> mem;
  std::string ccache = s.ccache;
  if (ccache.empty()) {
    auto tgt = krb::tgt_from_keytab(*ctx, s.keytab, s.principal);
    if (!tgt) return tgt.error();
    auto m = krb::MemoryCcache::create(*ctx, *tgt);
    if (!m) return m.error();
    mem.emplace(std::move(m).value());
    ccache = mem->name();
  }
  // GSSAPI (inside libldap/cyrus-sasl) reads its krb5.conf from KRB5_CONFIG
  // only, process-wide: this short-lived process points it at the chosen file.
  ::setenv("KRB5_CONFIG", s.krb5_conf.c_str(), 1);
  ldap::ConnectOptions o;
  o.ccache_name = ccache;
  o.krb5_config = s.krb5_conf;
  auto conn = ldap::connect_gssapi({s.dc->host, s.dc->address, s.dc->port, s.dc->ldaps}, o);
  if (!conn) return conn.error();
  auto info = (*conn)->domain_info(s.base_dn);
  if (!info) return info.error();
  for (const auto& a : accounts) {
    std::string bare = a.back() == '$' ? a.substr(0, a.size() - 1) : a;
    if (auto g = (*conn)->find_gmsa(s.base_dn, bare); !g) return g.error();
  }
  auto sid = Sid::from_binary(info->object_sid);
  if (!sid) return Error{"objectSid", sid.error().what()};
  if (info->object_guid.size() != 16)
    return Error{"objectGUID",
                 "must be 16 bytes (got " + std::to_string(info->object_guid.size()) + ")"};
  credspec::CredentialSpec spec;
  spec.cms_plugins = {"ActiveDirectory"};
  auto& d = spec.domain_join;
  d.sid = sid->to_string();
  d.machine_account_name =
      accounts[0].back() == '$' ? accounts[0].substr(0, accounts[0].size() - 1) : accounts[0];
  d.guid =
      Guid::from_wire(std::span<const std::uint8_t, 16>(info->object_guid.data(), 16)).to_string();
  d.dns_tree_name = info->forest_dns_name.empty() ? info->dns_name : info->forest_dns_name;
  d.dns_name = info->dns_name;
  d.netbios_name = info->netbios_name;
  for (const auto& a : accounts) {
    std::string bare = a.back() == '$' ? a.substr(0, a.size() - 1) : a;
    spec.accounts.push_back({bare, d.dns_name});
    spec.accounts.push_back({bare, d.netbios_name});
  }
  if (auto st = credspec::validate(spec); !st) return st.error();
  return spec;
}

}  // namespace

int credspec_new_main(const Args& raw, Io io) {
  // Repeatable --additional-account and the short -o are taken out first.
  Args args;
  std::vector<std::string> accounts(1);
  std::string out_file;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const bool extra = raw[i] == "--additional-account",
               out = raw[i] == "-o" || raw[i] == "--output";
    if (!extra && !out) {
      args.push_back(raw[i]);
      continue;
    }
    if (i + 1 >= raw.size()) {
      io.err << "gmsa credspec new: " << raw[i] << ": needs a value\n" << kUsage;
      return kExitUsage;
    }
    if (extra) accounts.push_back(raw[++i]);
    if (out && !out_file.empty()) {
      io.err << "gmsa credspec new: -o: given twice\n" << kUsage;
      return kExitUsage;
    }
    if (out) out_file = raw[++i];
  }
  auto p = parse_args(
      args, {"account", "domain", "lab-dir", "dc", "krb5-conf", "keytab", "principal", "ccache"},
      {"force", "help"});
  if (!p) {
    io.err << "gmsa credspec new: " << p.error().what() << "\n" << kUsage;
    return kExitUsage;
  }
  if (p->has("help")) {
    io.out << kUsage;
    return kExitOk;
  }
  auto usage_error = [&](const std::string& m) {
    io.err << "gmsa credspec new: " << m << "\n" << kUsage;
    return kExitUsage;
  };
  if (!p->positional.empty()) return usage_error("unexpected argument '" + p->positional[0] + "'");
  if (!p->option("account")) return usage_error("--account: is required");
  accounts[0] = *p->option("account");
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    if (auto st = credspec::validate_account_name(accounts[i]); !st)
      return usage_error(std::string(i ? "--additional-account" : "--account") + ": " +
                         st.error().what());
  }
  Settings s;
  if (const auto* lab = p->option("lab-dir")) {
    if (auto st = apply_lab(*lab, s); !st) return usage_error(st.error().what());
  }
  auto opt = [&](const char* name, std::string& field) {
    if (const auto* v = p->option(name)) field = *v;
  };
  opt("domain", s.domain);
  opt("krb5-conf", s.krb5_conf);
  opt("keytab", s.keytab);
  opt("principal", s.principal);
  opt("ccache", s.ccache);
  if (p->option("domain")) s.base_dn = base_dn_of(s.domain);
  if (const auto* dc = p->option("dc")) {
    auto parsed = daemon::parse_dc(*dc);
    if (!parsed) return usage_error("--dc: " + parsed.error().what());
    s.dc = *parsed;
  }
  if (s.domain.empty()) return usage_error("--domain: is required (or --lab-dir)");
  if (auto st = credspec::validate_dns_name(s.domain); !st)
    return usage_error("--domain: " + st.error().what());
  if (!s.dc) return usage_error("--dc: is required (or --lab-dir)");
  if (s.krb5_conf.empty()) return usage_error("--krb5-conf: is required (or --lab-dir)");
  if (!s.ccache.empty()) s.keytab.clear();
  if (s.ccache.empty() && (s.keytab.empty() || s.principal.empty()))
    return usage_error("--keytab and --principal, or --ccache: are required (or --lab-dir)");
  if (!out_file.empty() && !p->has("force") && ::access(out_file.c_str(), F_OK) == 0) {
    io.err << "gmsa credspec new: " << out_file << ": exists (use --force to replace it)\n";
    return kExitFailure;
  }
  auto spec = build(s, accounts);
  if (!spec) {
    io.err << "gmsa credspec new: " << spec.error().what() << "\n";
    return kExitFailure;
  }
  std::string text = credspec::write(*spec);
  if (text.empty() || text.back() != '\n') text += "\n";
  if (out_file.empty()) {
    io.out << text;
    return kExitOk;
  }
  if (auto st = write_atomically(out_file, text, p->has("force")); !st) {
    io.err << "gmsa credspec new: " << st.error().what() << "\n";
    return kExitFailure;
  }
  io.err << "gmsa credspec new: wrote " << out_file << " ("
         << spec->domain_join.machine_account_name << " in " << spec->domain_join.dns_name << ", "
         << spec->domain_join.sid << ")\n";
  return kExitOk;
}

}  // namespace gmsa::cli
