#include "gmsa/client/format.hpp"

#include <gtest/gtest.h>

namespace gmsa::client {
namespace {

TEST(Format, Durations) {
  EXPECT_EQ(format_duration(0), "expired");
  EXPECT_EQ(format_duration(-5), "expired");
  EXPECT_EQ(format_duration(12), "12s");
  EXPECT_EQ(format_duration(247), "4m07s");
  EXPECT_EQ(format_duration(35940), "9h59m");
  EXPECT_EQ(format_duration(90000), "1d01h");
}

TEST(Format, StatusTable) {
  DaemonStatus s;
  s.healthy = true;
  s.realm = "CONTOSO.TEST";
  s.last_dc = "dc1.contoso.test";
  s.lease_count = 2;
  s.identity_count = 1;
  Lease a;
  a.id = "0123456789abcdef0123";
  a.accounts.push_back({"WEBAPP01", "contoso.test", "/p", "/p/krb5cc", 1000 + 36000, "ok", ""});
  Lease b;
  b.id = "fedcba98765432100000";
  b.accounts.push_back(
      {"WEBAPP02", "contoso.test", "/q", "/q/krb5cc", 0, "degraded", "no DC reachable"});
  auto refreshed = [](const std::string& p) -> std::optional<std::int64_t> {
    if (p == "/p/krb5cc") return 1000 - 75;
    return std::nullopt;
  };
  EXPECT_EQ(
      status_table(s, {a, b}, 1000, refreshed),
      "gmsa-brokerd: healthy, realm CONTOSO.TEST, last DC dc1.contoso.test, 2 leases, 1 identity\n"
      "LEASE                 ACCOUNT                EXPIRES IN  LAST REFRESH  HEALTH\n"
      "0123456789abcdef0123  WEBAPP01@contoso.test  10h00m      1m15s ago     ok\n"
      "fedcba98765432100000  WEBAPP02@contoso.test  -           -             degraded (no DC "
      "reachable)\n");
  s.healthy = false;
  s.problems = {"no DC reachable: dc1"};
  EXPECT_EQ(
      status_table(s, {}, 0, refreshed),
      "gmsa-brokerd: DEGRADED, realm CONTOSO.TEST, last DC dc1.contoso.test, 2 leases, 1 identity\n"
      "problem: no DC reachable: dc1\nno leases\n");
}

TEST(Format, LeaseListAndDetails) {
  Lease a;
  a.id = "0123456789abcdef0123";
  a.kind = "domainless";
  a.owner.uid = 1000;
  a.owner.mode = 0600;
  a.accounts.push_back({"WEBAPP01", "contoso.test", "/p", "/p/krb5cc", 4600, "ok", ""});
  EXPECT_EQ(
      lease_list({a}),
      "LEASE                 KIND        ACCOUNTS\n0123456789abcdef0123  domainless  WEBAPP01\n");
  EXPECT_EQ(lease_list({}), "no leases\n");
  EXPECT_EQ(
      lease_details(a, 1000),
      "lease 0123456789abcdef0123\nkind: domainless\nowner: uid 1000, gid default, mode 0600\n"
      "bound to: no process: deleted on request only\n"
      "account WEBAPP01@contoso.test: ok, expires in 1h00m\n  ccache /p/krb5cc\n");
  a.process = BoundProcess{4242, 987654};
  EXPECT_EQ(
      lease_details(a, 1000),
      "lease 0123456789abcdef0123\nkind: domainless\nowner: uid 1000, gid default, mode 0600\n"
      "bound to: pid 4242 (start time 987654): deleted when it exits\n"
      "account WEBAPP01@contoso.test: ok, expires in 1h00m\n  ccache /p/krb5cc\n");
}

}  // namespace
}  // namespace gmsa::client
