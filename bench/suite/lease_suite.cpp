// The benchmark suite of docs/benchmarks.md, in one run against a private lab:
// lease latency cold/warm with the baseline and the floor side by side, a
// burst of concurrent AddKerberosLease, a refresh cycle over many leases, and
// the RSS of a real gmsa-brokerd process holding them. Writes a JSON result.
//
//   lease_suite [--quick] [--out FILE]
// --quick is the smoke version run by ctest: small counts, no assertion on time.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "daemon_harness.hpp"
#include "gmsa/cli/cli.hpp"
#include "pipelines.hpp"
#include "process_rss.hpp"
#include "stats.hpp"

namespace gmsa::bench {
namespace {

using nlohmann::json;

struct Counts {
  // leases: held after the burst and the fill; each of the two load phases
  // adds load_clients more (full run: 8000 + 2 x 1000 = 10,000 leases).
  int cold, warm, floor, baseline, burst, burst_clients, leases, clients, load_clients;
};
const Counts kFull{30, 500, 30, 15, 1000, 50, 8000, 50, 1000};
const Counts kQuick{3, 20, 3, 2, 100, 10, 150, 10, 50};

json summary_json(const Summary& s) {
  return {{"median_ms", s.median_ms},
          {"p99_ms", s.p99_ms},
          {"min_ms", s.min_ms},
          {"max_ms", s.max_ms},
          {"n", s.n}};
}

json counters_delta(const lab::LabCounters& a, const lab::LabCounters& b) {
  return {{"as_issued", b.as_issued - a.as_issued},
          {"as_failed", b.as_failed - a.as_failed},
          {"tgs_issued", b.tgs_issued - a.tgs_issued},
          {"gssapi_binds", b.gssapi_binds - a.gssapi_binds},
          {"password_requests", b.password_requests - a.password_requests}};
}

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

const prove::ProveLab* g_lab = nullptr;  // taken down by die()

[[noreturn]] void die(const std::string& what) {
  std::cerr << "lease_suite: " << what << "\n";
  unmount_krbdirs();
  if (g_lab) (void)prove::lab_down(*g_lab);
  std::exit(1);
}

// One timed AddKerberosLease for WEBAPP01, then its lease deleted (not
// timed). Cold when no other lease holds the identity: the delete drops it.
double timed_lease(cf::CredentialsFetcherService::Stub& stub) {
  std::string id, err;
  double ms = time_ms([&] { id = add_lease(stub, "WEBAPP01", &err); });
  if (id.empty()) die("AddKerberosLease: " + err);
  delete_lease(stub, id);
  return ms;
}

// Latency of a warm AddKerberosLease (a keeper lease holds the identity) on
// each daemon, one sample of each per round.
std::vector<Summary> warm_latency(const std::vector<Harness*>& hs, int n) {
  std::vector<std::unique_ptr<cf::CredentialsFetcherService::Stub>> stubs;
  std::vector<std::string> keepers;
  for (Harness* h : hs) {
    stubs.push_back(h->client(true));
    if (!stubs.back()) die("latency: cannot connect to the daemon");
    keepers.push_back(add_lease(*stubs.back(), "WEBAPP01"));
  }
  std::vector<std::vector<double>> ms(hs.size());
  for (int i = 0; i < n; ++i) {
    for (std::size_t d = 0; d < hs.size(); ++d) ms[d].push_back(timed_lease(*stubs[d]));
  }
  std::vector<Summary> out;
  for (std::size_t d = 0; d < hs.size(); ++d) {
    delete_lease(*stubs[d], keepers[d]);
    out.push_back(summarize(ms[d]));
  }
  return out;
}

// `total` AddKerberosLease over the 10 gMSAs from `clients` concurrent clients.
json burst(Harness& h, const prove::ProveLab& lab, int total, int clients) {
  std::vector<std::unique_ptr<cf::CredentialsFetcherService::Stub>> stubs;
  for (int c = 0; c < clients; ++c) stubs.push_back(h.client());
  std::atomic<int> next{0}, errors{0};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(clients));
  std::string first_error;
  std::mutex mu;
  auto before = prove::counters(lab);
  double wall = time_ms([&] {
    std::vector<std::thread> ts;
    for (int c = 0; c < clients; ++c) {
      ts.emplace_back([&, c] {
        for (int i; (i = next++) < total;) {
          std::string id, err;
          lat[static_cast<std::size_t>(c)].push_back(time_ms([&] {
            id = add_lease(*stubs[static_cast<std::size_t>(c)], account_name(i % 10), &err);
          }));
          if (id.empty()) {
            ++errors;
            std::lock_guard<std::mutex> l(mu);
            if (first_error.empty()) first_error = err;
          }
        }
      });
    }
    for (auto& t : ts) t.join();
  });
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  return {{"requests", total},
          {"clients", clients},
          {"total_s", wall / 1000},
          {"errors", errors.load()},
          {"first_error", first_error},
          {"latency", summary_json(summarize(all))},
          {"dc", counters_delta(before, prove::counters(lab))}};
}

// `clients` concurrent clients, each with its own connection, each sending one
// HealthCheck then one AddKerberosLease (the identities are warm). With
// `connected`, every connection is made before the clock starts, so the
// times are the RPCs alone; without, they include 1000 connections being
// set up at the same instant.
json mixed_load(Harness& h, int clients, bool connected) {
  std::vector<std::unique_ptr<cf::CredentialsFetcherService::Stub>> stubs;
  for (int c = 0; c < clients; ++c) {
    stubs.push_back(h.client(connected));
    if (!stubs.back()) die("load: client " + std::to_string(c) + " could not connect");
  }
  std::atomic<int> errors{0}, ready{0};
  std::atomic<bool> go{false};
  std::vector<double> health(static_cast<std::size_t>(clients)), add(health.size());
  double wall = 0;
  {
    std::vector<std::thread> ts;
    for (int c = 0; c < clients; ++c) {
      ts.emplace_back([&, c] {
        auto& stub = *stubs[static_cast<std::size_t>(c)];
        ++ready;
        while (!go) std::this_thread::yield();
        health[static_cast<std::size_t>(c)] = time_ms([&] {
          cf::HealthCheckResponse r;
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(1));
          if (!stub.HealthCheck(&ctx, {}, &r).ok() || r.status() != "OK") ++errors;
        });
        add[static_cast<std::size_t>(c)] = time_ms([&] {
          if (add_lease(stub, account_name(c % 10)).empty()) ++errors;
        });
      });
    }
    while (ready < clients) std::this_thread::yield();
    wall = time_ms([&] {
      go = true;
      for (auto& t : ts) t.join();
    });
  }
  return {{"clients", clients},
          {"errors", errors.load()},
          {"total_s", wall / 1000},
          {"health", summary_json(summarize(health))},
          {"add", summary_json(summarize(add))}};
}

int run(bool quick, const std::string& out_path) {
  const Counts n = quick ? kQuick : kFull;
  json r;
  r["quick"] = quick;
  std::cerr << "lease_suite: bringing the lab up\n";
  auto lab = prove::lab_up();
  if (!lab) die(lab.error().what());
  g_lab = &*lab;
  // GSSAPI (inside libldap) reads KRB5_CONFIG process-wide, as gmsa-brokerd sets it.
  ::setenv("KRB5_CONFIG", lab->facts["krb5Config"].get<std::string>().c_str(), 1);
  std::string dir = lab->config.dir + "/bench";
  std::filesystem::create_directories(dir + "/work");
  std::filesystem::permissions(dir + "/work", std::filesystem::perms::owner_all);
  PipelineEnv penv{&*lab, dir + "/work", std::string(GMSA_BINARY_DIR) + "/src/bin/gmsa"};

  {  // Latency: daemon cold, floor and baseline interleaved; then daemon warm.
    Harness h(*lab, dir + "/latency");
    if (auto st = h.start(); !st) die(st.error().what());
    std::cerr << "lease_suite: latency\n";
    auto ctx = krb::Context::open(lab->facts["krb5Config"]);
    if (!ctx) die(ctx.error().what());
    auto host = krb::tgt_from_keytab(*ctx, lab->facts["hostKeytab"], lab->facts["hostPrincipal"]);
    if (!host) die(host.error().what());
    auto conn = floor_connection(penv, *ctx, *host);
    if (!conn) die("floor: " + conn.error().what());
    if (auto st = prepare_baseline(penv); !st) die(st.error().what());
    // One sample of each per round, so a change in the machine's load (it is
    // shared) hits the three alike and their ratios stay meaningful.
    auto stub = h.client(true);
    if (!stub) die("latency: cannot connect to the daemon");
    std::vector<double> cold, floor, base, base_keytab, ns;
    int fallbacks = 0;
    // The order rotates each round: a sample right after the baseline's
    // processes exit pays for the kernel's clean-up after them, and no one
    // kind should always be the one that does.
    for (int i = 0; i < std::max({n.cold, n.floor, n.baseline}); ++i) {
      for (int k = 0; k < 3; ++k) {
        switch ((i + k) % 3) {
          case 0:
            if (i < n.cold) cold.push_back(timed_lease(*stub));
            break;
          case 1:
            if (i < n.floor) {
              auto t = floor_once(penv, *ctx, **conn, "WEBAPP01");
              if (!t) die("floor: " + t.error().what());
              floor.push_back(*t);
            }
            break;
          default:
            if (i < n.baseline) {
              auto t = baseline_once(penv, "WEBAPP01", BaselineKinit::kPassword);
              if (!t) die("baseline: " + t.error().what());
              base.push_back(t->ms);
              fallbacks += t->keytab_fallback ? 1 : 0;
              auto kt = baseline_once(penv, "WEBAPP01", BaselineKinit::kKeytab);
              if (!kt) die("baseline (keytab): " + kt.error().what());
              base_keytab.push_back(kt->ms);
              auto o = netns_exec_overhead(penv);
              if (!o) die("baseline: " + o.error().what());
              ns.push_back(*o);
            }
        }
      }
    }
    cleanup_baseline(penv);
    r["daemon_cold"] = summary_json(summarize(cold));
    r["floor"] = summary_json(summarize(floor));
    r["baseline"] = summary_json(summarize(base));
    r["baseline"]["keytab_fallbacks"] = fallbacks;
    r["baseline_keytab"] = summary_json(summarize(base_keytab));
    r["baseline_netns_exec_overhead"] = summary_json(summarize(ns));
    // Warm, and warm with the ticket caches on the state directory's disk
    // (what a deployment without dist/'s tmpfs mount gets).
    Harness disk(*lab, dir + "/latency-disk", Harness::Krbdir::kDisk);
    if (auto st = disk.start(); !st) die(st.error().what());
    auto warm = warm_latency({&h, &disk}, n.warm);
    r["daemon_warm"] = summary_json(warm[0]);
    r["daemon_warm_krbdir_on_disk"] = summary_json(warm[1]);
    disk.stop();
    h.stop();
  }
  {  // Burst on a fresh daemon, fill up to n.leases, the load phases; refresh; RSS.
    Harness h(*lab, dir + "/load");
    if (auto st = h.start(); !st) die(st.error().what());
    std::cerr << "lease_suite: burst\n";
    r["burst"] = burst(h, *lab, n.burst, n.burst_clients);
    std::cerr << "lease_suite: filling to " << n.leases << " leases\n";
    r["fill"] = burst(h, *lab, n.leases - n.burst, n.clients);
    std::cerr << "lease_suite: mixed load\n";
    r["load"] = mixed_load(h, n.load_clients, false);
    std::cerr << "lease_suite: mixed load, connections made beforehand\n";
    r["load_connected"] = mixed_load(h, n.load_clients, true);
    r["leases"] = h.daemon().leases().size();
    // A refresh cycle: move the daemon's clock past every ticket's renewal
    // point (end - 15 min - jitter) but not past their end (the lab's
    // max_life is 10 h). The KDC keeps the real time: with a jump beyond the
    // tickets' end, the new tickets would already be over by the daemon's
    // clock, and its own renewal loop would fetch them all a second time
    // while this cycle runs (the 21 AS exchanges of the first runs).
    auto before = prove::counters(*lab);
    h.clock().offset_s = 10 * 3600 - 5 * 60;
    double cpu0 = cpu_seconds();
    double wall = time_ms([&] { h.daemon().tick(); });
    double cpu = cpu_seconds() - cpu0;
    r["refresh"] = {{"leases", h.daemon().leases().size()},
                    {"cpu_s", cpu},
                    {"wall_s", wall / 1000},
                    {"dc", counters_delta(before, prove::counters(*lab))}};
    // A restart: the in-process daemon stops, its krbdir tmpfs stays, a
    // gmsa-brokerd process restores the leases there.
    std::string state = h.state_dir();
    h.stop_daemon();
    std::cerr << "lease_suite: RSS of a gmsa-brokerd process restoring the leases\n";
    auto rss = brokerd_rss(*lab, state, dir + "/rss.sock",
                           std::string(GMSA_BINARY_DIR) + "/src/bin/gmsa-brokerd");
    h.stop();
    if (!rss) die("rss: " + rss.error().what());
    r["rss"] = *rss;
  }
  r["dc_totals"] = counters_delta({}, prove::counters(*lab));
  if (auto st = prove::lab_down(*lab); !st) std::cerr << st.error().what() << "\n";
  std::ofstream(out_path) << r.dump(2) << "\n";
  std::cout << r.dump(2) << "\n";
  return 0;
}

}  // namespace
}  // namespace gmsa::bench

int main(int argc, char** argv) {
  // `lab up` starts the lab's password controller as "<this program> lab serve".
  if (argc >= 2 && std::strcmp(argv[1], "lab") == 0) {
    return gmsa::cli::run(gmsa::cli::Args(argv + 1, argv + argc),
                          gmsa::cli::Io{std::cin, std::cout, std::cerr});
  }
  bool quick = false;
  std::string out = "bench-results.json";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      out = argv[++i];
    } else {
      std::cerr << "usage: lease_suite [--quick] [--out FILE]\n";
      return 2;
    }
  }
  return gmsa::bench::run(quick, out);
}
