#include <gtest/gtest.h>

#include <cstring>

#include "dns_messages.hpp"
#include "fake_source.hpp"
#include "gmsa/daemon/config.hpp"
#include "gmsa/daemon/dns_srv.hpp"

namespace gmsa::daemon {
namespace {

using namespace std::chrono_literals;

TEST(Config, JsonAndFlagsWithDefaultsFilledIn) {
  auto c = parse_config_json(R"({"domain":"contoso.test","krb5_conf":"/lab/krb5.conf",
      "dcs":["dc1.contoso.test=10.213.0.11","dc2.contoso.test=10.213.0.12:636"],
      "file_mode":"0640","renew_margin_s":600,"sync_store":true})");
  ASSERT_TRUE(c.ok()) << c.error().what();
  ASSERT_TRUE(finalize(*c));
  EXPECT_EQ(c->realm, "CONTOSO.TEST");
  EXPECT_EQ(c->base_dn, "DC=contoso,DC=test");
  EXPECT_EQ(c->dcs.size(), 2u);
  EXPECT_EQ(c->dcs[1], (DcConfig{"dc2.contoso.test", "10.213.0.12", 636, true}));
  EXPECT_EQ(c->default_owner.mode, 0640u);
  EXPECT_EQ(c->renewal.margin, 600s);
  EXPECT_TRUE(c->sync_store);
  EXPECT_EQ(c->socket_path, "/var/credentials-fetcher/socket/credentials_fetcher.sock");
  EXPECT_EQ(c->socket_mode, 0660u);

  auto f = parse_flags({"--domain", "contoso.test", "--krb5-conf=/k", "--dns-server", "10.213.0.2",
                        "--socket", "/run/x.sock"});
  ASSERT_TRUE(f.ok()) << f.error().what();
  ASSERT_TRUE(finalize(*f));
  EXPECT_EQ(f->socket_path, "/run/x.sock");
  EXPECT_EQ(f->dns_server, "10.213.0.2");
}

TEST(Config, ErrorsNameTheSetting) {
  EXPECT_EQ(parse_config_json(R"({"bogus":1})").error().what(), "bogus: unknown setting");
  EXPECT_EQ(parse_config_json(R"({"file_mode":"4755"})").error().what(),
            "file_mode: only permission bits (<= 0777) are allowed");
  EXPECT_EQ(parse_config_json(R"({"dcs":["dc1=dc1.contoso.test"]})").error().what(),
            "dc: 'dc1.contoso.test' is not an IP address (names are never resolved)");
  EXPECT_EQ(parse_flags({"--domain"}).error().what(), "--domain: needs a value");
  EXPECT_EQ(parse_flags({"--nope", "1"}).error().what(), "--nope: unknown setting");
  auto c = parse_config_json(R"({"domain":"contoso.test"})");
  EXPECT_EQ(finalize(*c).error().what(), "krb5_conf: is required (the environment is never used)");
  c = parse_config_json(R"({"domain":"contoso.test","krb5_conf":"/k"})");
  EXPECT_EQ(finalize(*c).error().what(),
            "dcs: give explicit DCs or a dns_server for SRV discovery");
}

TEST(Config, ParseDc) {
  EXPECT_EQ(*parse_dc("dc1.contoso.test=::1"), (DcConfig{"dc1.contoso.test", "::1", 389, false}));
  EXPECT_EQ(*parse_dc("dc1=[::1]:3389"), (DcConfig{"dc1", "::1", 3389, false}));
  EXPECT_EQ(parse_dc("10.0.0.1").error().what(),
            "dc: expected HOST=ADDRESS[:PORT], got '10.0.0.1'");
  EXPECT_EQ(parse_dc("dc1=10.0.0.1:0").error().what(), "dc: bad port '0'");
}

TEST(DnsSrv, ParsesAnswersAndAdditionalAddresses) {
  auto msg = testing::srv_response();
  auto r = parse_srv_response(msg);
  ASSERT_TRUE(r.ok()) << r.error().what();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (SrvRecord{10, 0, 389, "dc2.contoso.test", ""}));
  EXPECT_EQ((*r)[1], (SrvRecord{0, 100, 389, "dc1.contoso.test", "10.213.0.11"}));
  msg.resize(20);
  EXPECT_EQ(parse_srv_response(msg).error().what(), "dns: malformed DNS response");
}

TEST(DnsSrv, OrdersByPriorityThenWeight) {
  testing::ZeroRandom zero;
  std::vector<SrvRecord> recs{
      {10, 5, 389, "c", ""}, {0, 10, 389, "b", ""}, {0, 90, 389, "a", ""}, {0, 0, 389, "z", ""}};
  auto o = order_srv(recs, zero);
  // pick 0 selects the first entry whose running sum reaches 0: the weight-0 one.
  std::vector<std::string> names;
  for (auto& s : o) names.push_back(s.target);
  EXPECT_EQ(names, (std::vector<std::string>{"z", "b", "a", "c"}));
  struct High final : Random {
    void fill(std::span<std::uint8_t> out) override {
      for (auto& b : out) b = 0;
      out[out.size() - 1] = 95;  // 95 % 101 = 95 -> beyond z(0)+b(10): a
    }
  } high;
  o = order_srv(recs, high);
  EXPECT_EQ(o[0].target, "a");
  EXPECT_EQ(o[3].target, "c");
}

}  // namespace
}  // namespace gmsa::daemon

namespace gmsa::daemon {
namespace {
TEST(Config, LeaseRecordsAreNotFsyncedByDefault) { EXPECT_FALSE(DaemonConfig{}.sync_store); }
}  // namespace
}  // namespace gmsa::daemon
