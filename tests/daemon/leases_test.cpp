#include "gmsa/daemon/leases.hpp"

#include <gtest/gtest.h>
#include <krb5/krb5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "as_user.hpp"
#include "fake_process_events.hpp"
#include "fake_source.hpp"
#include "gmsa/daemon/fs.hpp"
#include "stored_leases.hpp"
#include "tmpfs_mount.hpp"

namespace gmsa::daemon {
namespace {

using namespace std::chrono_literals;
using testing::FakeProcessEvents;
using testing::FakeSource;
using testing::FixedRandom;

class LeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = gmsa::testing::make_temp_dir("leasetest");
    conf_ = gmsa::testing::write_krb5_conf(dir_, "CONTOSO.TEST");
    auto c = krb::Context::open(conf_);
    ASSERT_TRUE(c.ok());
    ctx_.emplace(std::move(c).value());
    source_.emplace(*ctx_, clock_);
    reopen();
  }
  void reopen() {
    leases_.reset();
    ids_.emplace(*source_, clock_, random_);
    auto lm = LeaseManager::open(dir_ + "/state", *ids_, random_, conf_, false,
                                 std::make_unique<FakeProcessEvents>(procs_));
    ASSERT_TRUE(lm.ok()) << lm.error().what();
    leases_ = std::move(lm).value();
  }
  void TearDown() override {
    leases_.reset();
    gmsa::testing::remove_tree(dir_);
  }
  static mode_t mode_of(const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }

  std::string dir_, conf_;
  ManualClock clock_{SystemTime{} + std::chrono::seconds(1'900'000'000)};
  FixedRandom random_{0x10};
  std::optional<krb::Context> ctx_;
  std::optional<FakeSource> source_;
  std::optional<IdentityManager> ids_;
  std::shared_ptr<FakeProcessEvents::State> procs_ = std::make_shared<FakeProcessEvents::State>();
  std::unique_ptr<LeaseManager> leases_;
  GmsaRef web_{"WebApp01", "contoso.test"};
  GmsaRef batch_{"Batch02", "contoso.test"};
};

TEST_F(LeasesTest, CreateWritesCachesWithOwnerModeAndPersists) {
  LeaseRequest req;
  req.accounts = {web_, batch_};
  req.owner.mode = 0640;
  auto lease = leases_->create(req);
  ASSERT_TRUE(lease.ok()) << lease.error().what();
  const std::string id = lease->record.id;
  EXPECT_EQ(id, "10111213141516171819");  // the injected Random
  EXPECT_TRUE(validate_lease_id(id).ok());
  ASSERT_EQ(lease->accounts.size(), 2u);
  EXPECT_EQ(lease->accounts[0].dir, dir_ + "/state/krbdir/" + id + "/WebApp01");
  EXPECT_EQ(lease->accounts[0].ccache, dir_ + "/state/krbdir/" + id + "/WebApp01/krb5cc");
  EXPECT_EQ(mode_of(lease->accounts[0].ccache), 0640u);
  EXPECT_EQ(mode_of(lease->accounts[0].dir), 0750u);
  EXPECT_EQ(mode_of(dir_ + "/state/krbdir/" + id), 0750u);
  auto tgt = krb::read_ccache_file(*ctx_, lease->accounts[1].ccache);
  ASSERT_TRUE(tgt.ok()) << tgt.error().what();
  EXPECT_EQ(tgt->client, "BATCH02$@CONTOSO.TEST");
  EXPECT_EQ(tgt->end_time, clock_.now() + 10h);
  EXPECT_EQ(mode_of(dir_ + "/state/leases/journal"), 0600u);
  EXPECT_EQ(testing::stored_leases(dir_ + "/state/leases").at(id), lease->record);
}

TEST_F(LeasesTest, LeasesForOneGmsaShareOneReadAndOneTgt) {
  LeaseRequest req;
  req.accounts = {web_};
  ASSERT_TRUE(leases_->create(req).ok());
  ASSERT_TRUE(leases_->create(req).ok());
  ASSERT_TRUE(leases_->create(req).ok());
  EXPECT_EQ(source_->reads.load(), 1);
  EXPECT_EQ(source_->tgts.load(), 1);
  EXPECT_EQ(leases_->size(), 3u);
}

TEST_F(LeasesTest, FailedFetchLeavesNothingOnDisk) {
  LeaseRequest req;
  req.accounts = {web_, {"Missing", "contoso.test"}};
  auto r = leases_->create(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(), "accounts[1]: Missing: directory: no gMSA Missing$");
  auto krbdir = fs::remove_tree(dir_ + "/state/krbdir");
  auto store = fs::remove_tree(dir_ + "/state/leases");
  EXPECT_TRUE(krbdir->empty());
  EXPECT_TRUE(store->empty());
}

TEST_F(LeasesTest, RejectsDuplicateAndUnsafeAccountNames) {
  LeaseRequest req;
  req.accounts = {web_, {"WEBAPP01", "contoso.test"}};
  EXPECT_EQ(leases_->create(req).error().what(),
            "accounts[1]: gMSA 'WEBAPP01' appears twice in the lease");
  req.accounts = {{"..", "contoso.test"}};
  EXPECT_EQ(leases_->create(req).error().what(),
            "accounts[0]: '..' is not usable as a directory name");
  EXPECT_EQ(source_->reads.load(), 0);
}

TEST_F(LeasesTest, DeleteRemovesExactlyThatLease) {
  LeaseRequest req;
  req.accounts = {web_};
  auto a = leases_->create(req);
  auto b = leases_->create(req);
  ASSERT_TRUE(a.ok() && b.ok());
  auto del = leases_->remove(a->record.id);
  ASSERT_TRUE(del.ok()) << del.error().what();
  EXPECT_EQ(*del, std::vector<std::string>{a->accounts[0].dir});
  EXPECT_NE(::access(a->accounts[0].ccache.c_str(), F_OK), 0);
  EXPECT_NE(::access((dir_ + "/state/krbdir/" + a->record.id).c_str(), F_OK), 0);
  EXPECT_EQ(::access(b->accounts[0].ccache.c_str(), F_OK), 0);
  EXPECT_EQ(leases_->remove(a->record.id).error().what(), "lease_id: no lease " + a->record.id);
  EXPECT_EQ(leases_->remove("../../etc").error().what(),
            "lease_id: must be 20 lower-case hex characters");
}

TEST_F(LeasesTest, RestartRestoresLeasesAndReobtainsTickets) {
  LeaseRequest req;
  req.accounts = {web_, batch_};
  req.owner.mode = 0644;
  auto a = leases_->create(req);
  ASSERT_TRUE(a.ok());
  ::unlink(a->accounts[0].ccache.c_str());  // e.g. lost with a tmpfs
  reopen();
  EXPECT_EQ(leases_->size(), 0u);
  auto problems = leases_->restore(std::nullopt);
  EXPECT_TRUE(problems.empty());
  ASSERT_EQ(leases_->size(), 1u);
  auto v = leases_->get(a->record.id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->record, a->record);
  EXPECT_EQ(v->accounts[0].identity.state, IdentityState::kOk);
  EXPECT_TRUE(krb::read_ccache_file(*ctx_, a->accounts[0].ccache).ok());
  EXPECT_EQ(mode_of(a->accounts[0].ccache), 0644u);
  EXPECT_EQ(source_->reads.load(), 4);  // 2 before, 2 after the restart
}

TEST_F(LeasesTest, SchedulerRewritesCachesOfEveryLeaseSharingTheIdentity) {
  LeaseRequest req;
  req.accounts = {web_};
  auto a = leases_->create(req);
  auto b = leases_->create(req);
  ASSERT_TRUE(a.ok() && b.ok());
  clock_.advance(10h - 15min);
  leases_->refresh_due();
  EXPECT_EQ(source_->tgts.load(), 2);
  for (const auto* l : {&*a, &*b}) {
    auto t = krb::read_ccache_file(*ctx_, l->accounts[0].ccache);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t->end_time, clock_.now() + 10h);
  }
}

TEST_F(LeasesTest, KeytabLeaseHasCurrentAndPreviousKeys) {
  source_->with_previous = true;
  LeaseRequest req;
  req.kind = LeaseKind::kKeytab;
  req.accounts = {web_};
  req.owner.mode = 0400;
  auto a = leases_->create(req);
  ASSERT_TRUE(a.ok()) << a.error().what();
  EXPECT_EQ(a->accounts[0].keytab, a->accounts[0].dir + "/krb5.keytab");
  EXPECT_EQ(mode_of(a->accounts[0].keytab), 0400u);
  krb5_keytab kt = nullptr;
  std::string name = "FILE:" + a->accounts[0].keytab;
  ASSERT_EQ(krb5_kt_resolve(ctx_->get(), name.c_str(), &kt), 0);
  krb5_kt_cursor cur;
  ASSERT_EQ(krb5_kt_start_seq_get(ctx_->get(), kt, &cur), 0);
  krb5_keytab_entry e;
  std::vector<std::pair<unsigned, int>> seen;
  while (krb5_kt_next_entry(ctx_->get(), kt, &e, &cur) == 0) {
    seen.emplace_back(e.vno, e.key.enctype);
    krb5_free_keytab_entry_contents(ctx_->get(), &e);
  }
  krb5_kt_end_seq_get(ctx_->get(), kt, &cur);
  krb5_kt_close(ctx_->get(), kt);
  EXPECT_EQ(seen, (std::vector<std::pair<unsigned, int>>{{7, 18}, {7, 17}, {6, 18}}));
}

TEST_F(LeasesTest, DomainlessRenewalWithNewPassword) {
  LeaseRequest req;
  req.kind = LeaseKind::kDomainless;
  req.accounts = {web_};
  req.who.kind = Authority::Kind::kUser;
  req.who.username = "alice";
  req.who.domain = "contoso.test";
  req.who.password = SecretBytes::from_string("user-pw");
  auto a = leases_->create(req);
  ASSERT_TRUE(a.ok()) << a.error().what();
  source_->user_password = SecretBytes::from_string("new-pw");
  Authority renewed = req.who;
  renewed.password = SecretBytes::from_string("new-pw");
  auto paths = leases_->renew_user(renewed);
  ASSERT_TRUE(paths.ok()) << paths.error().what();
  EXPECT_EQ(*paths, std::vector<std::string>{a->accounts[0].dir});
  // After a restart without the password, the lease waits for a renewal.
  reopen();
  auto problems = leases_->restore(std::nullopt);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].what(), "lease " + a->record.id +
                                    ": domainless: waiting for RenewNonDomainJoinedKerberosLease");
  paths = leases_->renew_user(renewed);
  ASSERT_TRUE(paths.ok()) << paths.error().what();
  EXPECT_EQ(paths->size(), 1u);
}

// A lease for a container user (uid 4321, gid 4322, files 0440): the user
// reads its ticket cache but cannot replace, rename or delete it, plant a
// file next to it, or move its directory; the daemon still rewrites it.
TEST_F(LeasesTest, ContainerUserReadsButCannotReplaceItsLease) {
  ASSERT_EQ(::geteuid(), 0u) << "needs root (chown to another user)";
  ASSERT_EQ(::chmod(dir_.c_str(), 0711), 0);  // mkdtemp's 0700 would stop the user first
  LeaseRequest req;
  req.accounts = {web_};
  req.owner = FileOwner{4321, 4322, 0440};
  auto lease = leases_->create(req);
  ASSERT_TRUE(lease.ok()) << lease.error().what();
  const auto& acc = lease->accounts[0];
  // root:gid, r-x for the group, --x for others (the owner may not be in it).
  using gmsa::testing::describe_path;
  EXPECT_EQ(describe_path(dir_ + "/state/krbdir/" + lease->record.id), "dir 0751 0:4322");
  EXPECT_EQ(describe_path(acc.dir), "dir 0751 0:4322");
  EXPECT_EQ(describe_path(acc.ccache), "file 0440 4321:4322");

  EXPECT_EQ(gmsa::testing::allowed(4321, 4322, acc.dir, acc.ccache), "read");
  // Another user (not the owner, not in the group) cannot even read it.
  EXPECT_EQ(gmsa::testing::allowed(4999, 4999, acc.dir, acc.ccache), "");

  // The daemon still replaces the cache atomically (a restart rewrites it).
  struct stat st {};
  ASSERT_EQ(::lstat(acc.ccache.c_str(), &st), 0);
  const ino_t before = st.st_ino;
  reopen();
  EXPECT_TRUE(leases_->restore(std::nullopt).empty());
  ASSERT_EQ(::lstat(acc.ccache.c_str(), &st), 0);
  EXPECT_NE(st.st_ino, before);
  EXPECT_EQ(describe_path(acc.ccache), "file 0440 4321:4322");
}

// Directories an earlier version gave to the container user (its uid, 0750)
// are taken back on restore.
TEST_F(LeasesTest, RestoreTakesBackDirectoriesOwnedByTheUser) {
  ASSERT_EQ(::geteuid(), 0u) << "needs root (chown to another user)";
  LeaseRequest req;
  req.accounts = {web_};
  req.owner = FileOwner{4321, 4322, 0440};
  auto lease = leases_->create(req);
  ASSERT_TRUE(lease.ok()) << lease.error().what();
  const std::string dirs[] = {dir_ + "/state/krbdir/" + lease->record.id, lease->accounts[0].dir};
  for (const auto& d : dirs) {
    ASSERT_EQ(::chown(d.c_str(), 4321, 4322), 0);
    ASSERT_EQ(::chmod(d.c_str(), 0750), 0);
  }
  reopen();
  EXPECT_TRUE(leases_->restore(std::nullopt).empty());
  for (const auto& d : dirs) EXPECT_EQ(gmsa::testing::describe_path(d), "dir 0751 0:4322") << d;
}

TEST_F(LeasesTest, ABoundLeaseIsDeletedWhenItsProcessExits) {
  procs_->start(4242, 777);
  procs_->start(4343, 888);
  LeaseRequest req;
  req.accounts = {web_};
  req.process = BoundProcess{4242, 777};
  auto a = leases_->create(req);
  ASSERT_TRUE(a.ok()) << a.error().what();
  EXPECT_EQ(a->record.process, (BoundProcess{4242, 777}));
  req.process = BoundProcess{4343, 888};
  auto b = leases_->create(req);
  ASSERT_TRUE(b.ok()) << b.error().what();
  EXPECT_EQ(testing::stored_leases(dir_ + "/state/leases").at(a->record.id).process,
            (BoundProcess{4242, 777}));
  procs_->end(4242);
  procs_->settle();
  EXPECT_EQ(leases_->size(), 1u);
  EXPECT_FALSE(leases_->get(a->record.id).ok());
  EXPECT_NE(::access((dir_ + "/state/krbdir/" + a->record.id).c_str(), F_OK), 0);
  EXPECT_EQ(testing::stored_leases(dir_ + "/state/leases").count(a->record.id), 0u);
  EXPECT_TRUE(leases_->get(b->record.id).ok());
  // Deleted on request first: its process ending later changes nothing.
  ASSERT_TRUE(leases_->remove(b->record.id).ok());
  procs_->end(4343);
  procs_->settle();
  EXPECT_EQ(leases_->size(), 0u);
  std::lock_guard<std::mutex> lock(procs_->mu);
  EXPECT_TRUE(procs_->open.empty());  // no handle left behind
}

TEST_F(LeasesTest, BindingToAProcessThatIsNotThereFetchesAndWritesNothing) {
  procs_->start(4242, 777);
  LeaseRequest req;
  req.accounts = {web_};
  req.process = BoundProcess{4242, 776};
  EXPECT_EQ(leases_->create(req).error().what(),
            "bound_process.start_time: process 4242 started at 777, not 776");
  req.process = BoundProcess{99, 1};
  EXPECT_EQ(leases_->create(req).error().what(), "bound_process.pid: no process 99");
  EXPECT_EQ(source_->reads.load(), 0);
  EXPECT_TRUE(fs::remove_tree(dir_ + "/state/krbdir")->empty());
  EXPECT_TRUE(fs::remove_tree(dir_ + "/state/leases")->empty());
  // A failed fetch lets go of the process it had pinned.
  req.accounts = {{"Missing", "contoso.test"}};
  req.process = BoundProcess{4242, 777};
  ASSERT_FALSE(leases_->create(req).ok());
  std::lock_guard<std::mutex> lock(procs_->mu);
  EXPECT_TRUE(procs_->open.empty());
}

TEST_F(LeasesTest, RestartDeletesLeasesWhoseProcessEndedOrWasReplaced) {
  procs_->start(100, 1);
  procs_->start(200, 2);
  procs_->start(300, 3);
  LeaseRequest req;
  req.accounts = {web_};
  std::vector<std::string> ids;
  for (auto p : {std::optional<BoundProcess>{{100, 1}}, std::optional<BoundProcess>{{200, 2}},
                 std::optional<BoundProcess>{{300, 3}}, std::optional<BoundProcess>{}}) {
    req.process = p;
    auto l = leases_->create(req);
    ASSERT_TRUE(l.ok()) << l.error().what();
    ids.push_back(l->record.id);
  }
  leases_.reset();   // the daemon stops;
  procs_->end(100);  // meanwhile one process ends
  procs_->end(200);  // and another pid is reused
  procs_->start(200, 9);
  reopen();
  EXPECT_TRUE(leases_->restore(std::nullopt).empty());
  std::vector<std::string> left;
  for (const auto& v : leases_->list()) left.push_back(v.record.id);
  std::sort(left.begin(), left.end());
  std::vector<std::string> expected = {ids[2], ids[3]};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(left, expected);
  for (int i : {0, 1}) {
    EXPECT_NE(::access((dir_ + "/state/krbdir/" + ids[i]).c_str(), F_OK), 0);
    EXPECT_EQ(testing::stored_leases(dir_ + "/state/leases").count(ids[i]), 0u);
  }
  // The restored one is watched again.
  procs_->end(300);
  procs_->settle();
  ASSERT_EQ(leases_->size(), 1u);
  EXPECT_EQ(leases_->list()[0].record.id, ids[3]);
}

std::string bytes_of(const std::string& path) {
  auto r = fs::read_file(path);
  EXPECT_TRUE(r.ok()) << path;
  return r ? *r : std::string();
}

// A refresh writes one image per identity into every lease sharing it: the
// bytes are libkrb5's ccache for the new TGT, each file keeps its lease's
// owner mode, and no temporary file is left behind.
TEST_F(LeasesTest, RefreshWritesTheIdentitysOneImageIntoEachLeaseWithItsMode) {
  std::vector<LeaseView> leases;
  for (mode_t mode : {0600, 0640, 0444}) {
    LeaseRequest req;
    req.accounts = {web_, batch_};
    req.owner.mode = mode;
    auto l = leases_->create(req);
    ASSERT_TRUE(l.ok()) << l.error().what();
    leases.push_back(*l);
  }
  clock_.advance(10h - 15min);
  leases_->refresh_due();
  EXPECT_EQ(source_->tgts.load(), 4);  // 2 identities, 2 fetches each
  for (std::size_t a = 0; a < 2; ++a) {
    auto creds = ids_->credentials(leases[0].accounts[a].identity.key);
    ASSERT_TRUE(creds.has_value());
    EXPECT_EQ(creds->end_time, clock_.now() + 10h);
    auto image = krb::ccache_image(*creds);
    ASSERT_TRUE(image.ok());
    std::string want(reinterpret_cast<const char*>(image->data()), image->size());
    for (const auto& l : leases) {
      EXPECT_EQ(bytes_of(l.accounts[a].ccache), want) << l.accounts[a].ccache;
      EXPECT_EQ(mode_of(l.accounts[a].ccache), l.record.owner.mode);
    }
  }
  std::size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/state/krbdir")) {
    if (e.is_regular_file()) {
      ++files;
      EXPECT_EQ(e.path().filename(), "krb5cc");
    }
  }
  EXPECT_EQ(files, 6u);
}

// Leases of one identity and one owner get the refreshed cache as hard links
// of one file written once (no data written per lease); another owner or mode
// gets a file of its own; nothing stays behind in <state>/krbdir/.images.
TEST_F(LeasesTest, RefreshLinksOneFilePerIdentityAndOwnerIntoItsLeases) {
  std::vector<LeaseView> same, other;
  auto add = [&](mode_t mode, std::vector<LeaseView>& into) {
    LeaseRequest req;
    req.accounts = {web_};
    req.owner.mode = mode;
    auto l = leases_->create(req);
    ASSERT_TRUE(l.ok()) << l.error().what();
    into.push_back(*l);
  };
  for (int i = 0; i < 3; ++i) add(0640, same);
  add(0600, other);
  ASSERT_EQ(same.size(), 3u);
  ASSERT_EQ(other.size(), 1u);
  auto inode = [](const std::string& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return std::pair<ino_t, nlink_t>(st.st_ino, st.st_nlink);
  };
  // Before any refresh each lease has a file of its own.
  EXPECT_NE(inode(same[0].accounts[0].ccache).first, inode(same[1].accounts[0].ccache).first);
  clock_.advance(10h - 15min);
  leases_->refresh_due();
  auto first = inode(same[0].accounts[0].ccache);
  EXPECT_EQ(first.second, 3u);  // three leases, the image file itself removed
  for (const auto& v : same) EXPECT_EQ(inode(v.accounts[0].ccache), first);
  EXPECT_NE(inode(other[0].accounts[0].ccache).first, first.first);
  EXPECT_EQ(inode(other[0].accounts[0].ccache).second, 1u);
  EXPECT_EQ(mode_of(same[0].accounts[0].ccache), 0640u);
  EXPECT_EQ(mode_of(other[0].accounts[0].ccache), 0600u);
  auto t = krb::read_ccache_file(*ctx_, same[2].accounts[0].ccache);
  ASSERT_TRUE(t.ok()) << t.error().what();
  EXPECT_EQ(t->end_time, clock_.now() + 10h);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/state/krbdir/.images"));
  // Deleting one lease removes its link only.
  ASSERT_TRUE(leases_->remove(same[0].record.id).ok());
  EXPECT_EQ(inode(same[1].accounts[0].ccache).second, 2u);
  EXPECT_TRUE(krb::read_ccache_file(*ctx_, same[1].accounts[0].ccache).ok());
}

// dist/ mounts a tmpfs of its own on <state>/krbdir: leases are made there,
// and a refresh still publishes one file per identity and owner by hard
// links (its images live inside krbdir, on the same file system).
TEST_F(LeasesTest, KrbdirOnATmpfsOfItsOwnGetsLinkedRefreshes) {
  const std::string krbdir = dir_ + "/state/krbdir";
  leases_.reset();
  auto mount = gmsa::testing::TmpfsMount::create(krbdir);
  if (!mount) GTEST_SKIP() << mount.error().what() << " (not root?)";
  reopen();
  ASSERT_TRUE(fs::on_tmpfs(krbdir));
  ASSERT_FALSE(fs::on_tmpfs(dir_ + "/state/leases"));
  std::vector<LeaseView> leases;
  for (int i = 0; i < 2; ++i) {
    LeaseRequest req;
    req.accounts = {web_};
    auto l = leases_->create(req);
    ASSERT_TRUE(l.ok()) << l.error().what();
    leases.push_back(*l);
  }
  clock_.advance(10h - 15min);
  leases_->refresh_due();
  struct stat a {
  }, b{};
  ASSERT_EQ(::stat(leases[0].accounts[0].ccache.c_str(), &a), 0);
  ASSERT_EQ(::stat(leases[1].accounts[0].ccache.c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_nlink, 2u);
  auto t = krb::read_ccache_file(*ctx_, leases[1].accounts[0].ccache);
  ASSERT_TRUE(t.ok()) << t.error().what();
  EXPECT_EQ(t->end_time, clock_.now() + 10h);
  EXPECT_TRUE(std::filesystem::is_empty(krbdir + "/.images"));
  // A restart keeps the mount: start-up rewrites the caches in place there.
  reopen();
  EXPECT_TRUE(leases_->restore(std::nullopt).empty());
  EXPECT_TRUE(fs::on_tmpfs(leases[0].accounts[0].ccache));
  ASSERT_TRUE(krb::read_ccache_file(*ctx_, leases[0].accounts[0].ccache).ok());
  EXPECT_TRUE(std::filesystem::is_empty(krbdir + "/.images"));
  for (const auto& l : leases) ASSERT_TRUE(leases_->remove(l.record.id).ok());
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(krbdir))
    left.push_back(e.path().filename());
  EXPECT_EQ(left, std::vector<std::string>{".images"});
  leases_.reset();
}

// A refresh interrupted by a crash leaves image files behind: the next start
// removes them, and a file there that is not the daemon's does not survive.
TEST_F(LeasesTest, StartEmptiesTheImagesDirectory) {
  const std::string stale = dir_ + "/state/krbdir/.images/krb5cc.tmp.0011223344556677";
  { std::ofstream(stale) << "stale"; }
  ASSERT_TRUE(std::filesystem::exists(stale));
  reopen();
  EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/state/krbdir/.images"));
  EXPECT_EQ(mode_of(dir_ + "/state/krbdir/.images"), 0700u);
}

}  // namespace
}  // namespace gmsa::daemon
