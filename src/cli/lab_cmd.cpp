// `gmsa lab up|down|status|env|serve`: the built-in AD-like lab domain.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <ostream>

#include "gmsa/cli/cli.hpp"
#include "gmsa/lab/lab.hpp"
#include "gmsa/lab/samba.hpp"

namespace gmsa::cli {
namespace {

constexpr const char* kUsage =
    "usage: gmsa lab up [--dir DIR] [--rotation DURATION]\n"
    "       gmsa lab up --samba [--dir DIR]\n"
    "       gmsa lab down|status|env [--samba] [--dir DIR]\n"
    "DIR defaults to $GMSA_LAB_DIR or /var/lib/gmsa-lab (/var/lib/gmsa-samba with --samba);\n"
    "DURATION is the real time one password period takes (20s, 5m, 2h, 1d); without it the\n"
    "lab runs on real time. --samba: a Samba AD DC instead of the MIT KDC + OpenLDAP lab\n"
    "(down, status and env find the profile in DIR by themselves).\n";

std::string default_dir() {
  const char* env = std::getenv("GMSA_LAB_DIR");
  return env && *env ? env : "/var/lib/gmsa-lab";
}

int fail(Io io, const Error& e) {
  io.err << "gmsa lab: " << e.what() << "\n";
  return kExitFailure;
}

int samba_main(const std::string& verb, const std::string& dir, Io io) {
  lab::SambaConfig c;
  c.dir = dir;
  Status s = ok_status();
  if (verb == "up") {
    s = lab::samba_up(c, io.out);
  } else if (verb == "down") {
    s = lab::samba_down(c, io.out);
  } else if (verb == "status") {
    s = lab::samba_status(c, io.out);
  } else if (verb == "env") {
    if (::access(c.path("lab.json").c_str(), F_OK) != 0)
      return fail(io, Error{"lab env", "no lab in " + c.dir + " (run gmsa lab up --samba)"});
    io.out << "export KRB5_CONFIG=" << c.path("krb5.conf") << "\n"
           << "export GMSA_LAB_DIR=" << c.dir << "\n"
           << "export GMSA_LAB_REALM=" << c.realm << "\n"
           << "export GMSA_LAB_DC=" << c.dc() << "=" << c.dc_address() << "\n";
    return kExitOk;
  } else {
    io.err << "gmsa lab: '" << verb << "' is not a verb of the Samba profile\n" << kUsage;
    return kExitUsage;
  }
  return s.ok() ? kExitOk : fail(io, s.error());
}

int lab_main(const Args& args, Io io) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? io.err : io.out) << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string verb = args[0];
  const Args rest(args.begin() + 1, args.end());
  auto parsed = verb == "up" ? parse_args(rest, {"dir", "rotation"}, {"samba"})
                             : parse_args(rest, {"dir"}, {"samba"});
  if (!parsed.ok()) {
    io.err << "gmsa lab " << verb << ": " << parsed.error().what() << "\n" << kUsage;
    return kExitUsage;
  }
  if (!parsed->positional.empty()) {
    io.err << "gmsa lab " << verb << ": unexpected argument '" << parsed->positional[0] << "'\n"
           << kUsage;
    return kExitUsage;
  }
  lab::LabConfig config;
  const bool samba_flag = parsed->has("samba");
  config.dir = parsed->option("dir") ? *parsed->option("dir")
               : samba_flag          ? lab::SambaConfig{}.dir
                                     : default_dir();
  if (config.dir.empty() || config.dir[0] != '/') {
    io.err << "gmsa lab " << verb << ": --dir: must be an absolute path\n";
    return kExitUsage;
  }
  while (config.dir.size() > 1 && config.dir.back() == '/') config.dir.pop_back();

  if (samba_flag || (verb != "up" && lab::is_samba_lab(config.dir))) {
    if (verb == "up" && parsed->option("rotation")) {
      io.err << "gmsa lab up: --rotation: not with --samba (Samba serves no gMSA passwords)\n";
      return kExitUsage;
    }
    return samba_main(verb, config.dir, io);
  }
  if (verb == "up") {
    if (const auto* r = parsed->option("rotation")) {
      auto d = lab::parse_duration(*r);
      if (!d.ok()) {
        io.err << "gmsa lab up: " << d.error().what() << "\n";
        return kExitUsage;
      }
      config.rotation = *d;
    }
    auto s = lab::up(config, io.out);
    return s.ok() ? kExitOk : fail(io, s.error());
  }
  if (verb == "down") {
    auto s = lab::down(config, io.out);
    return s.ok() ? kExitOk : fail(io, s.error());
  }
  if (verb == "status") {
    auto s = lab::status(config, io.out);
    return s.ok() ? kExitOk : fail(io, s.error());
  }
  if (verb == "env") {
    auto loaded = lab::load_config(config.dir);
    if (!loaded.ok())
      return fail(io, Error{"lab env", "no lab in " + config.dir + " (run gmsa lab up)"});
    io.out << lab::env_lines(*loaded);
    return kExitOk;
  }
  if (verb == "serve") {
    auto loaded = lab::load_config(config.dir);
    if (!loaded.ok()) return fail(io, loaded.error());
    auto s = lab::serve(*loaded, io.out);
    return s.ok() ? kExitOk : fail(io, s.error());
  }
  io.err << "gmsa lab: unknown verb '" << verb << "'\n" << kUsage;
  return kExitUsage;
}

[[maybe_unused]] const bool registered = register_command(
    {"lab", 40, "run the built-in AD-like lab domain (up, down, status, env)", lab_main});

}  // namespace
}  // namespace gmsa::cli
