// run_main: the gmsa-brokerd program around Daemon, with the real
// DirectorySource (needs the LDAP client, hence its own library).
#include <signal.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include <iostream>

#include "gmsa/daemon/directory_source.hpp"
#include "gmsa/daemon/log.hpp"
#include "gmsa/daemon/server.hpp"

namespace gmsa::daemon {

int run_main(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") {
      std::cout << usage();
      return 0;
    }
  }
  auto cfg = parse_flags(args);
  if (!cfg) {
    std::cerr << "gmsa-brokerd: " << cfg.error().what() << "\n" << usage();
    return 2;
  }
  if (cfg->log_level == "debug") log::set_min_level(log::Level::kDebug);
  if (cfg->log_level == "warn") log::set_min_level(log::Level::kWarn);
  if (cfg->log_level == "error") log::set_min_level(log::Level::kError);
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  static RealClock clock;
  static OpenSslRandom random;
  DaemonConfig config = std::move(cfg).value();
  if (auto st = finalize(config); !st) {
    log::error("config_invalid", {{"error", st.error().what()}});
    return 2;
  }
  // libkrb5 calls of our own use an explicit profile (krb5_init_context_profile)
  // and never read the environment. GSSAPI, which libldap's SASL layer uses,
  // has no way to take a configuration file per context: it reads
  // KRB5_CONFIG process-wide, and the LDAP client insists that it equals the
  // configured file. So it is set here, once, from the configuration, before
  // any thread exists. KRB5CCNAME is never set: ccaches are passed explicitly.
  if (::setenv("KRB5_CONFIG", config.krb5_conf.c_str(), 1) != 0) {
    log::error("start_failed", {{"error", "cannot set KRB5_CONFIG"}});
    return 1;
  }
  auto source = std::make_unique<DirectorySource>(config, random, clock);
  auto d = Daemon::create(std::move(config), std::move(source), clock, random);
  if (!d) {
    log::error("config_invalid", {{"error", d.error().what()}});
    return 2;
  }
  if (auto st = (*d)->start(); !st) {
    log::error("start_failed", {{"error", st.error().what()}});
    return 1;
  }
  sd_notify(0, "READY=1\nSTATUS=listening");
  int sig = 0;
  sigwait(&set, &sig);
  log::info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  sd_notify(0, "STOPPING=1");
  (*d)->stop();
  log::info("stopped");
  return 0;
}

}  // namespace gmsa::daemon
