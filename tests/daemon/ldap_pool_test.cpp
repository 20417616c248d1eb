#include "gmsa/daemon/ldap_pool.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace gmsa::daemon {
namespace {

using namespace std::chrono_literals;

// A connection whose searches are scripted by the test.
struct FakeConn final : ldap::Connection {
  int id;
  std::function<Result<ldap::GmsaEntry>(int id)>* script;
  FakeConn(int i, std::function<Result<ldap::GmsaEntry>(int)>* s) : id(i), script(s) {}
  unsigned ssf() const override { return 256; }
  Result<ldap::GmsaEntry> find_gmsa(const std::string&, const std::string&) override {
    return (*script)(id);
  }
  Result<ldap::DomainInfo> domain_info(const std::string&) override {
    return make_error("ldap", "unused");
  }
};

class LdapPoolTest : public ::testing::Test {
 protected:
  LdapPoolTest()
      : pool_(
            [this](const ldap::DcEndpoint& dc,
                   const ldap::ConnectOptions&) -> Result<std::unique_ptr<ldap::Connection>> {
              connected_to_.push_back(dc.host);
              if (!connect_error_.empty())
                return make_error("ldap", dc.host + ": " + connect_error_);
              return std::unique_ptr<ldap::Connection>(new FakeConn(++next_id_, &script_));
            },
            clock_, 2) {
    opts_.operation_timeout = 5000ms;
    script_ = [this](int id) -> Result<ldap::GmsaEntry> {
      searched_on_.push_back(id);
      ldap::GmsaEntry e;
      e.sam_account_name = "WEBAPP01$";
      return e;
    };
  }
  LdapPool::Outcome find(bool reuse = true, std::uint64_t generation = 1) {
    return pool_.find_gmsa(dc1_, opts_, "DC=contoso,DC=test", "WebApp01", reuse, generation);
  }

  ManualClock clock_{SystemTime{} + std::chrono::seconds(1'900'000'000)};
  std::function<Result<ldap::GmsaEntry>(int)> script_;
  std::vector<std::string> connected_to_;
  std::vector<int> searched_on_;
  std::string connect_error_;
  int next_id_ = 0;
  LdapPool pool_;
  ldap::ConnectOptions opts_;
  ldap::DcEndpoint dc1_{"dc1.contoso.test", "10.0.0.1", 389, false};
};

TEST_F(LdapPoolTest, OneConnectionServesConsecutiveSearches) {
  for (int i = 0; i < 3; ++i) {
    auto out = find();
    ASSERT_EQ(out.kind, LdapPool::Outcome::Kind::kFound);
    EXPECT_EQ(out.entry->sam_account_name, "WEBAPP01$");
  }
  EXPECT_EQ(pool_.connects(), 1u);
  EXPECT_EQ(searched_on_, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(pool_.idle("dc1.contoso.test"), 1u);
}

TEST_F(LdapPoolTest, AFailedReusedConnectionIsDroppedAndTheDcTriedAgainFresh) {
  ASSERT_EQ(find().kind, LdapPool::Outcome::Kind::kFound);
  script_ = [this](int id) -> Result<ldap::GmsaEntry> {
    searched_on_.push_back(id);
    if (id == 1) return make_error("ldap", "dc1.contoso.test: search: Can't contact LDAP server");
    return ldap::GmsaEntry{};
  };
  auto out = find();
  EXPECT_EQ(out.kind, LdapPool::Outcome::Kind::kFound);
  EXPECT_EQ(searched_on_, (std::vector<int>{1, 1, 2}));
  EXPECT_EQ(pool_.connects(), 2u);
  EXPECT_EQ(pool_.idle("dc1.contoso.test"), 1u);  // only the new one
  ASSERT_EQ(find().kind, LdapPool::Outcome::Kind::kFound);
  EXPECT_EQ(searched_on_.back(), 2);
}

TEST_F(LdapPoolTest, AReusedConnectionThatTimesOutFailsTheDcWithoutASecondWait) {
  ASSERT_EQ(find().kind, LdapPool::Outcome::Kind::kFound);
  script_ = [this](int) -> Result<ldap::GmsaEntry> {
    clock_.advance(5s);  // the operation timeout passed
    return make_error("ldap", "dc1.contoso.test: search: Timed out");
  };
  auto out = find();
  EXPECT_EQ(out.kind, LdapPool::Outcome::Kind::kSearchFailed);
  EXPECT_EQ(out.error.what(), "ldap: dc1.contoso.test: search: Timed out");
  EXPECT_EQ(pool_.connects(), 1u);  // no reconnect to the silent DC
  EXPECT_EQ(pool_.idle("dc1.contoso.test"), 0u);
}

TEST_F(LdapPoolTest, ANewHostCredentialGenerationDiscardsOldConnections) {
  ASSERT_EQ(find(true, 1).kind, LdapPool::Outcome::Kind::kFound);
  ASSERT_EQ(find(true, 2).kind, LdapPool::Outcome::Kind::kFound);
  EXPECT_EQ(pool_.connects(), 2u);
  EXPECT_EQ(searched_on_, (std::vector<int>{1, 2}));
  EXPECT_EQ(pool_.idle("dc1.contoso.test"), 1u);
}

TEST_F(LdapPoolTest, WithoutReuseEveryReadConnectsAndNothingIsKept) {
  ASSERT_EQ(find(false).kind, LdapPool::Outcome::Kind::kFound);
  ASSERT_EQ(find(false).kind, LdapPool::Outcome::Kind::kFound);
  EXPECT_EQ(pool_.connects(), 2u);
  EXPECT_EQ(pool_.idle("dc1.contoso.test"), 0u);
}

TEST_F(LdapPoolTest, ConnectFailureAndSearchFailureAreToldApart) {
  connect_error_ = "connect timed out";
  auto out = find();
  EXPECT_EQ(out.kind, LdapPool::Outcome::Kind::kConnectFailed);
  EXPECT_EQ(out.error.what(), "ldap: dc1.contoso.test: connect timed out");
  connect_error_.clear();
  script_ = [](int) -> Result<ldap::GmsaEntry> {
    return make_error("ldap", "no msDS-GroupManagedServiceAccount WebApp01$");
  };
  out = find();
  EXPECT_EQ(out.kind, LdapPool::Outcome::Kind::kSearchFailed);
  EXPECT_EQ(pool_.idle("dc1.contoso.test"), 0u);  // a failing fresh connection is not kept
}

// A connection is used by one search at a time: a search started while
// another holds the idle connection gets its own; at most max_idle are kept.
TEST_F(LdapPoolTest, ConcurrentSearchesUseSeparateConnectionsBoundedIdle) {
  ASSERT_EQ(find().kind, LdapPool::Outcome::Kind::kFound);
  int depth = 0;
  script_ = [&](int id) -> Result<ldap::GmsaEntry> {
    searched_on_.push_back(id);
    if (depth++ < 2) {
      EXPECT_EQ(find().kind, LdapPool::Outcome::Kind::kFound);  // nested: 1 is checked out
    }
    return ldap::GmsaEntry{};
  };
  searched_on_.clear();
  ASSERT_EQ(find().kind, LdapPool::Outcome::Kind::kFound);
  EXPECT_EQ(searched_on_, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(pool_.connects(), 3u);
  EXPECT_EQ(pool_.idle("dc1.contoso.test"), 2u);  // max_idle_per_dc = 2: the third is closed
}

}  // namespace
}  // namespace gmsa::daemon
