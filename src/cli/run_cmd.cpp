// gmsa run --credspec FILE [...] -- podman run ... : a container with a gMSA
// identity for as long as it runs (docs/run.md).
#include <algorithm>
#include <charconv>

#include "gmsa/cli/cli.hpp"
#include "gmsa/client/client.hpp"
#include "gmsa/client/run.hpp"

namespace gmsa::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: gmsa run --credspec FILE [--uid N] [--domainless-secret FILE] [--socket PATH]\n"
    "                [--containers-conf FILE] -- podman [global options] run [options] IMAGE "
    "[CMD...]\n"
    "\n"
    "Obtains a lease for the credential spec's gMSA from gmsa-brokerd, bound to this process,\n"
    "mounts its ticket cache read-only at /var/credentials-fetcher/krbdir with KRB5CCNAME set\n"
    "and becomes podman (exec, no fork, no shell): podman gets the signals, the caller its exit\n"
    "status, and gmsa-brokerd deletes the lease the moment podman exits, however it exits.\n"
    "  --uid N                 the lease files belong to uid N and the container runs as N\n"
    "  --domainless-secret F   domainless: the reader's {username,password,domainName} file\n"
    "  --socket PATH           gmsa-brokerd's socket (default $GMSA_SOCKET or the daemon's)\n"
    "  --containers-conf FILE  CONTAINERS_CONF for podman\n";

Result<std::uint32_t> parse_uid(const std::string& text) {
  std::uint32_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || v == 4294967295u)
    return Error{"--uid", "must be a decimal user id (0..4294967294)"};
  return v;
}

int run_main(const Args& args, Io io) {
  auto sep = std::find(args.begin(), args.end(), "--");
  Args own(args.begin(), sep);
  Args command(sep == args.end() ? sep : sep + 1, args.end());
  auto parsed = parse_args(
      own, {"credspec", "uid", "domainless-secret", "socket", "containers-conf"}, {"help"});
  if (!parsed) {
    io.err << "gmsa run: " << parsed.error().what() << "\n" << kUsage;
    return kExitUsage;
  }
  if (parsed->has("help")) {
    io.out << kUsage;
    return kExitOk;
  }
  if (!parsed->positional.empty()) {
    io.err << "gmsa run: unexpected argument '" << parsed->positional[0]
           << "' (the container command goes after --)\n"
           << kUsage;
    return kExitUsage;
  }
  const std::string* spec_file = parsed->option("credspec");
  if (!spec_file) {
    io.err << "gmsa run: --credspec: is required\n" << kUsage;
    return kExitUsage;
  }
  client::RunOptions o;
  o.command = command;
  if (const auto* u = parsed->option("uid")) {
    auto uid = parse_uid(*u);
    if (!uid) {
      io.err << "gmsa run: " << uid.error().what() << "\n";
      return kExitUsage;
    }
    o.uid = *uid;
    o.lease.owner = client::FileOwner{*uid, std::nullopt, std::nullopt};
  }
  if (auto check = client::insert_identity(command, "/", o.uid); !check) {
    io.err << "gmsa run: " << check.error().what() << "\n" << kUsage;
    return kExitUsage;
  }
  auto text = read_whole_file(*spec_file);
  if (!text) {
    io.err << "gmsa run: --credspec: " << text.error().what() << "\n";
    return kExitFailure;
  }
  o.lease.credspecs.push_back(std::move(text).value());
  if (const auto* s = parsed->option("domainless-secret")) {
    auto user = client::read_domainless_secret(*s);
    if (!user) {
      io.err << "gmsa run: --domainless-secret: " << user.error().what() << "\n";
      return kExitFailure;
    }
    o.lease.user = std::move(user).value();
  }
  std::vector<std::string> env;
  if (const auto* c = parsed->option("containers-conf")) env.push_back("CONTAINERS_CONF=" + *c);
  auto runner = client::make_process_runner(std::move(env));
  const std::string* sock = parsed->option("socket");
  auto daemon = client::connect(sock ? *sock : client::default_socket());
  if (!daemon) {
    io.err << "gmsa run: " << daemon.error().what() << "\n";
    return kExitFailure;
  }
  return client::run_with_lease(**daemon, *runner, std::move(o), io.err);
}

const bool registered = register_command(
    {"run", 45, "run a podman container with a gMSA identity (lease for its lifetime)", run_main});

}  // namespace
}  // namespace gmsa::cli
