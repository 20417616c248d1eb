// gmsa hook precreate|poststop: the podman OCI hook (docs/run.md, "OCI hook").
// precreate reads the OCI runtime configuration on stdin and writes the one
// to use on stdout; poststop (added to the configuration by precreate)
// deletes the container's lease.
#include <unistd.h>

#include <array>

#include "gmsa/cli/cli.hpp"
#include "gmsa/client/client.hpp"
#include "gmsa/client/oci_hook.hpp"

namespace gmsa::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: gmsa hook precreate [--socket PATH]   (OCI config on stdin, new config on stdout)\n"
    "       gmsa hook poststop --lease ID [--socket PATH]\n"
    "\n"
    "An OCI hook for podman (dist/podman/hooks.d/gmsa-broker.json): a container annotated\n"
    "io.github.gmsa-broker.credspec=FILE gets a lease of that credential spec's gMSA, owned by\n"
    "the container's user, mounted read-only at /var/credentials-fetcher/krbdir with KRB5CCNAME\n"
    "set; the lease is deleted when the container is. With "
    "io.github.gmsa-broker.domainless-secret=\n"
    "FILE as well, the lease is domainless, read by the user in that file.\n";

constexpr std::size_t kMaxConfigBytes = 16u << 20;

Result<std::string> self_path() {
  std::array<char, 4096> buf{};
  ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return Error{"", "cannot find this program's path (/proc/self/exe)"};
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

int hook_main(const Args& args, Io io) {
  auto parsed = parse_args(args, {"socket", "lease"}, {"help"});
  if (!parsed) {
    io.err << "gmsa hook: " << parsed.error().what() << "\n" << kUsage;
    return kExitUsage;
  }
  if (parsed->has("help")) {
    io.out << kUsage;
    return kExitOk;
  }
  if (parsed->positional.size() != 1 ||
      (parsed->positional[0] != "precreate" && parsed->positional[0] != "poststop")) {
    io.err << "gmsa hook: the stage must be precreate or poststop\n" << kUsage;
    return kExitUsage;
  }
  const bool pre = parsed->positional[0] == "precreate";
  const std::string* lease = parsed->option("lease");
  if (pre == (lease != nullptr)) {
    io.err << "gmsa hook: --lease: " << (pre ? "only for poststop" : "is required") << "\n"
           << kUsage;
    return kExitUsage;
  }
  const std::string* sock = parsed->option("socket");
  const std::string socket = sock ? *sock : client::default_socket();
  // poststop: the container's state, unused.
  auto input = read_bounded(io.in, kMaxConfigBytes, "<stdin>");
  if (!input) {
    io.err << "gmsa hook: " << input.error().what() << "\n";
    return kExitFailure;
  }
  auto daemon = client::connect(socket);
  if (!daemon) {
    io.err << "gmsa hook " << parsed->positional[0] << ": " << daemon.error().what() << "\n";
    return kExitFailure;
  }
  if (!pre) {
    if (auto st = client::hook_poststop(**daemon, *lease); !st) {
      io.err << "gmsa hook poststop: lease " << *lease << " NOT deleted: " << st.error().what()
             << "\n";
      return kExitFailure;
    }
    return kExitOk;
  }
  auto self = self_path();
  if (!self) {
    io.err << "gmsa hook precreate: " << self.error().what() << "\n";
    return kExitFailure;
  }
  client::HookContext ctx{*self, socket, read_whole_file, client::read_domainless_secret};
  auto out = client::hook_precreate(**daemon, *input, ctx);
  if (!out) {
    io.err << "gmsa hook precreate: " << out.error().what() << "\n";
    return kExitFailure;
  }
  io.out << *out;
  return kExitOk;
}

const bool registered = register_command(
    {"hook", 46, "OCI hook for podman: a lease for containers annotated with a credential spec",
     hook_main});

}  // namespace
}  // namespace gmsa::cli
