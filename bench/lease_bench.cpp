// AddKerberosLease latency through the real gRPC socket (ECS-agent-like
// client). Cold = the gMSA has no cached TGT (each iteration deletes its lease
// so the identity is dropped); warm = another lease keeps the identity alive.
//
// InMemory* benchmarks use a source that answers instantly (daemon overhead:
// gRPC, credspec parse, files, store). Lab* benchmarks (built when the LDAP
// client is in the tree) use DirectorySource against a running lab
// (lab.json in $GMSA_LAB_DIR, default /var/lib/gmsa-lab). HealthCheck*
// time one RPC round trip, back to back and after the CPUs went idle.
#include <benchmark/benchmark.h>
#include <krb5/krb5.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "credentialsfetcher.grpc.pb.h"
#include "fake_tickets.hpp"
#include "gmsa/daemon/server.hpp"
#include "grpcpp/grpcpp.h"
#include "lab_credspec.hpp"
#ifdef GMSA_BENCH_LAB
#include "gmsa/daemon/directory_source.hpp"
#endif

namespace {

using namespace gmsa;
using namespace gmsa::daemon;
namespace cf = credentialsfetcher;

// Answers at once with a synthetic TGT (marshalled with libkrb5).
class InstantSource final : public CredentialSource {
 public:
  explicit InstantSource(std::string conf) : conf_(std::move(conf)) {}
  Result<blob::ManagedPassword> read_password(const GmsaRef&, const Authority&) override {
    blob::ManagedPassword pw;
    pw.current = SecretBytes(blob::kPasswordBytes);
    pw.query_interval_100ns = 36'000'000'000ULL;
    return pw;
  }
  Result<krb::Credentials> get_tgt(const GmsaRef& ref, const SecretBytes&) override {
    auto ctx = thread_context(conf_);
    if (!ctx) return ctx.error();
    auto now = std::chrono::system_clock::now();
    return gmsa::testing::fake_tgt(**ctx, principal_for(ref), now, now + std::chrono::hours(10));
  }
  Result<std::vector<krb::KeytabKey>> keytab_keys(const GmsaRef&, const blob::ManagedPassword&,
                                                  const krb::Credentials&) override {
    return make_error("keytab", "not used");
  }
  Status check_host() override { return ok_status(); }
  std::string principal_for(const GmsaRef& ref) const override {
    std::string a = ref.account;
    for (char& ch : a) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return a + "$@CONTOSO.TEST";
  }

 private:
  std::string conf_;
};

struct Harness {
  std::string dir;
  RealClock clock;
  OpenSslRandom random;
  std::unique_ptr<Daemon> daemon;
  std::unique_ptr<cf::CredentialsFetcherService::Stub> stub;

  bool start(DaemonConfig cfg, std::unique_ptr<CredentialSource> src) {
    auto d = Daemon::create(std::move(cfg), std::move(src), clock, random);
    if (!d) return false;
    daemon = std::move(d).value();
    if (!daemon->start()) return false;
    stub = cf::CredentialsFetcherService::NewStub(grpc::CreateChannel(
        "unix:" + daemon->config().socket_path, grpc::InsecureChannelCredentials()));
    return true;
  }
  ~Harness() {
    daemon.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::string add(const std::string& account, bool* ok) {
    cf::CreateKerberosLeaseRequest req;
    req.add_credspec_contents(gmsa::testing::lab_credspec(account));
    cf::CreateKerberosLeaseResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(1));
    *ok = stub->AddKerberosLease(&ctx, req, &resp).ok();
    return resp.lease_id();
  }
  void remove(const std::string& id) {
    cf::DeleteKerberosLeaseRequest req;
    req.set_lease_id(id);
    cf::DeleteKerberosLeaseResponse resp;
    grpc::ClientContext ctx;
    (void)stub->DeleteKerberosLease(&ctx, req, &resp);
  }
};

DaemonConfig base(const std::string& dir) {
  DaemonConfig cfg;
  cfg.state_dir = dir + "/state";
  cfg.socket_path = dir + "/s.sock";
  cfg.domain = "contoso.test";
  cfg.dcs = {{"dc1.contoso.test", "127.0.0.1", 389, false}};
  return cfg;
}

void run(benchmark::State& state, Harness& h, const std::string& account, bool warm) {
  bool ok = true;
  std::string keeper;
  if (warm) keeper = h.add(account, &ok);
  for (auto _ : state) {
    std::string id = h.add(account, &ok);
    if (!ok) {
      state.SkipWithError("AddKerberosLease failed");
      break;
    }
    state.PauseTiming();
    h.remove(id);  // cold: drops the identity (no other lease holds it)
    state.ResumeTiming();
  }
  if (warm) h.remove(keeper);
}

// A daemon on a temporary state directory with the instant source; false
// (and the benchmark skipped) if it does not start.
bool start_instant(benchmark::State& state, Harness& h, bool sync_store) {
  h.dir = gmsa::testing::make_temp_dir("lb");
  std::string conf = gmsa::testing::write_krb5_conf(h.dir, "CONTOSO.TEST");
  DaemonConfig cfg = base(h.dir);
  cfg.krb5_conf = conf;
  cfg.sync_store = sync_store;
  if (h.start(cfg, std::make_unique<InstantSource>(conf))) return true;
  state.SkipWithError("daemon did not start");
  return false;
}

void InMemory(benchmark::State& state, bool warm, bool sync_store) {
  Harness h;
  if (start_instant(state, h, sync_store)) run(state, h, "WebApp01", warm);
}

// One HealthCheck round trip (no work in the handler): back to back, and
// after 1.5 ms without traffic, about as long as a cold lease keeps the
// client and the server's poller waiting. The difference is what waking
// idle CPUs costs an RPC on this machine.
void Health(benchmark::State& state, std::chrono::microseconds idle) {
  Harness h;
  if (!start_instant(state, h, false)) return;
  for (auto _ : state) {
    if (idle.count() > 0) {
      state.PauseTiming();
      std::this_thread::sleep_for(idle);
      state.ResumeTiming();
    }
    cf::HealthCheckRequest req;
    cf::HealthCheckResponse resp;
    grpc::ClientContext ctx;
    if (!h.stub->HealthCheck(&ctx, req, &resp).ok()) {
      state.SkipWithError("HealthCheck failed");
      break;
    }
  }
}
void BM_HealthCheck(benchmark::State& s) { Health(s, std::chrono::microseconds(0)); }
void BM_HealthCheckAfterIdle(benchmark::State& s) { Health(s, std::chrono::microseconds(1500)); }
BENCHMARK(BM_HealthCheck)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly();
BENCHMARK(BM_HealthCheckAfterIdle)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly();

void BM_InMemoryCold(benchmark::State& s) { InMemory(s, false, false); }
void BM_InMemoryWarm(benchmark::State& s) { InMemory(s, true, false); }
void BM_InMemoryWarmFsync(benchmark::State& s) { InMemory(s, true, true); }
BENCHMARK(BM_InMemoryCold)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly();
BENCHMARK(BM_InMemoryWarm)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly();
BENCHMARK(BM_InMemoryWarmFsync)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly();

#ifdef GMSA_BENCH_LAB
void Lab(benchmark::State& state, bool warm) {
  const char* env = std::getenv("GMSA_LAB_DIR");
  std::string labdir = env != nullptr ? env : "/var/lib/gmsa-lab";
  std::ifstream f(labdir + "/lab.json");
  auto lab = nlohmann::json::parse(f, nullptr, false);
  if (lab.is_discarded()) {
    state.SkipWithError("no lab.json: run `gmsa lab up`");
    return;
  }
  Harness h;
  h.dir = gmsa::testing::make_temp_dir("lb");
  DaemonConfig cfg = base(h.dir);
  cfg.krb5_conf = lab["krb5Config"];
  cfg.host_keytab = lab["hostKeytab"];
  cfg.host_principal = lab["hostPrincipal"];
  cfg.dcs.clear();
  for (const auto& dc : lab["dcs"]) cfg.dcs.push_back({dc["name"], dc["address"], 389, false});
  ::setenv("KRB5_CONFIG", cfg.krb5_conf.c_str(), 1);  // as gmsa-brokerd's main (GSSAPI)
  if (auto st = finalize(cfg); !st) {
    state.SkipWithError(st.error().what().c_str());
    return;
  }
  if (!h.start(cfg, std::make_unique<DirectorySource>(cfg, h.random, h.clock))) {
    state.SkipWithError("daemon did not start");
    return;
  }
  run(state, h, "WEBAPP01", warm);
}
void BM_LabCold(benchmark::State& s) { Lab(s, false); }
void BM_LabWarm(benchmark::State& s) { Lab(s, true); }
BENCHMARK(BM_LabCold)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly();
BENCHMARK(BM_LabWarm)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly();
#endif

}  // namespace
