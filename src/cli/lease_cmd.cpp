// gmsa lease add|list|show|delete and gmsa status: gmsa-brokerd's leases and
// health over its socket (docs/daemon.md).
#include <charconv>
#include <ctime>

#include "gmsa/cli/cli.hpp"
#include "gmsa/client/client.hpp"
#include "gmsa/client/format.hpp"

namespace gmsa::cli {
namespace {

constexpr std::string_view kLeaseUsage =
    "usage: gmsa lease add --credspec FILE [--uid N] [--gid N] [--mode OCTAL]\n"
    "                      [--domainless-secret FILE] [--socket PATH]\n"
    "       gmsa lease list [--socket PATH]\n"
    "       gmsa lease show|delete LEASE_ID [--socket PATH]\n";
constexpr std::string_view kStatusUsage =
    "usage: gmsa status [--socket PATH]\n"
    "gmsa-brokerd's health and one row per lease account: expiry, last refresh, health.\n";

std::int64_t now_unix() { return static_cast<std::int64_t>(std::time(nullptr)); }

Result<std::uint32_t> parse_number(const std::string& name, const std::string& text, int base,
                                   std::uint32_t max) {
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v > max)
    return Error{"--" + name, base == 8 ? "must be octal permission bits (<= 0777)"
                                        : "must be a decimal id (0..4294967294)"};
  return v;
}

Result<std::unique_ptr<client::Daemon>> connect(const ParsedArgs& p) {
  const std::string* s = p.option("socket");
  return client::connect(s ? *s : client::default_socket());
}

int fail(Io io, const std::string& verb, const Error& e) {
  io.err << "gmsa " << verb << ": " << e.what() << "\n";
  return kExitFailure;
}

int lease_add(const ParsedArgs& p, Io io) {
  const std::string* file = p.option("credspec");
  if (!file) {
    io.err << "gmsa lease add: --credspec: is required\n" << kLeaseUsage;
    return kExitUsage;
  }
  client::LeaseRequest req;
  client::FileOwner owner;
  bool has_owner = false;
  for (auto [name, base, max] :
       {std::tuple{"uid", 10, 4294967294u}, std::tuple{"gid", 10, 4294967294u},
        std::tuple{"mode", 8, 0777u}}) {
    if (const auto* v = p.option(name)) {
      auto n = parse_number(name, *v, base, max);
      if (!n) {
        io.err << "gmsa lease add: " << n.error().what() << "\n";
        return kExitUsage;
      }
      (std::string(name) == "uid"   ? owner.uid
       : std::string(name) == "gid" ? owner.gid
                                    : owner.mode) = *n;
      has_owner = true;
    }
  }
  if (has_owner) req.owner = owner;
  auto text = read_whole_file(*file);
  if (!text) return fail(io, "lease add", Error{"--credspec", text.error().what()});
  req.credspecs.push_back(std::move(text).value());
  if (const auto* s = p.option("domainless-secret")) {
    auto user = client::read_domainless_secret(*s);
    if (!user) return fail(io, "lease add", Error{"--domainless-secret", user.error().what()});
    req.user = std::move(user).value();
  }
  auto d = connect(p);
  if (!d) return fail(io, "lease add", d.error());
  auto lease = (*d)->add_lease(req);
  if (!lease) return fail(io, "lease add", lease.error());
  io.out << lease->id << "\n";
  for (const auto& a : lease->accounts) io.out << a.path << "\n";
  return kExitOk;
}

int lease_main(const Args& args, Io io) {
  auto p =
      parse_args(args, {"credspec", "uid", "gid", "mode", "domainless-secret", "socket"}, {"help"});
  if (!p) {
    io.err << "gmsa lease: " << p.error().what() << "\n" << kLeaseUsage;
    return kExitUsage;
  }
  if (p->has("help")) {
    io.out << kLeaseUsage;
    return kExitOk;
  }
  const auto& pos = p->positional;
  const std::string verb = pos.empty() ? "" : pos[0];
  const bool needs_id = verb == "show" || verb == "delete";
  if ((verb != "add" && verb != "list" && !needs_id) || pos.size() != (needs_id ? 2u : 1u) ||
      (verb != "add" && p->options.size() > (p->option("socket") ? 1u : 0u))) {
    io.err << kLeaseUsage;
    return kExitUsage;
  }
  if (verb == "add") return lease_add(*p, io);
  auto d = connect(*p);
  if (!d) return fail(io, "lease " + verb, d.error());
  if (verb == "list") {
    auto leases = (*d)->list_leases();
    if (!leases) return fail(io, "lease list", leases.error());
    io.out << client::lease_list(*leases);
    return kExitOk;
  }
  if (verb == "show") {
    auto lease = (*d)->get_lease(pos[1]);
    if (!lease) return fail(io, "lease show", lease.error());
    io.out << client::lease_details(*lease, now_unix());
    return kExitOk;
  }
  auto deleted = (*d)->delete_lease(pos[1]);
  if (!deleted) return fail(io, "lease delete", deleted.error());
  io.out << "deleted lease " << pos[1] << "\n";
  for (const auto& path : *deleted) io.out << path << "\n";
  return kExitOk;
}

int status_main(const Args& args, Io io) {
  auto p = parse_args(args, {"socket"}, {"help"});
  if (!p || !p->positional.empty()) {
    io.err << "gmsa status: "
           << (p ? "unexpected argument '" + p->positional[0] + "'" : p.error().what()) << "\n"
           << kStatusUsage;
    return kExitUsage;
  }
  if (p->has("help")) {
    io.out << kStatusUsage;
    return kExitOk;
  }
  auto d = connect(*p);
  if (!d) return fail(io, "status", d.error());
  auto st = (*d)->status();
  if (!st) return fail(io, "status", st.error());
  auto leases = (*d)->list_leases();
  if (!leases) return fail(io, "status", leases.error());
  io.out << client::status_table(*st, *leases, now_unix(), client::file_mtime());
  return st->healthy ? kExitOk : kExitFailure;
}

const bool registered_lease =
    register_command({"lease", 50, "add, list, show and delete gmsa-brokerd leases", lease_main});
const bool registered_status = register_command(
    {"status", 55, "gmsa-brokerd health and its leases (expiry, refresh)", status_main});

}  // namespace
}  // namespace gmsa::cli
