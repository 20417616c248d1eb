#include "gmsa/daemon/lease_layout.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "as_user.hpp"
#include "fake_tickets.hpp"

namespace gmsa::daemon {
namespace {

constexpr uid_t kDaemon = 0;

TEST(LeaseDirMode, NoWriteBitForAnyoneButTheDaemon) {
  EXPECT_EQ(lease_dir_mode(FileOwner{std::nullopt, std::nullopt, 0600}, kDaemon), 0700u);
  EXPECT_EQ(lease_dir_mode(FileOwner{std::nullopt, std::nullopt, 0640}, kDaemon), 0750u);
  EXPECT_EQ(lease_dir_mode(FileOwner{std::nullopt, std::nullopt, 0660}, kDaemon), 0750u);
  EXPECT_EQ(lease_dir_mode(FileOwner{std::nullopt, std::nullopt, 0644}, kDaemon), 0755u);
  EXPECT_EQ(lease_dir_mode(FileOwner{std::nullopt, std::nullopt, 0666}, kDaemon), 0755u);
  EXPECT_EQ(lease_dir_mode(FileOwner{std::nullopt, 4322, 0440}, kDaemon), 0750u);
}

TEST(LeaseDirMode, AnotherOwnerGetsTraverseOnly) {
  // Files owned by a container user: it must reach them even when it is not
  // in the directory's group; it still cannot list or write.
  EXPECT_EQ(lease_dir_mode(FileOwner{4321, std::nullopt, 0400}, kDaemon), 0701u);
  EXPECT_EQ(lease_dir_mode(FileOwner{4321, std::nullopt, 0600}, kDaemon), 0701u);
  EXPECT_EQ(lease_dir_mode(FileOwner{4321, 4322, 0440}, kDaemon), 0751u);
  // It may be in the directory's group (a container user in its own group):
  // the group bits apply to it then, so they carry the traverse bit too.
  EXPECT_EQ(lease_dir_mode(FileOwner{4321, 4322, 0600}, kDaemon), 0711u);
  EXPECT_EQ(lease_dir_mode(FileOwner{4321, 4322, 0400}, kDaemon), 0711u);
  EXPECT_EQ(lease_dir_mode(FileOwner{4321, 4322, 0444}, kDaemon), 0755u);
  // The owner cannot read its own file: nothing to reach.
  EXPECT_EQ(lease_dir_mode(FileOwner{4321, 4322, 0040}, kDaemon), 0750u);
  // Files owned by the daemon's own user: no extra bit.
  EXPECT_EQ(lease_dir_mode(FileOwner{0, std::nullopt, 0600}, kDaemon), 0700u);
  EXPECT_EQ(lease_dir_mode(FileOwner{1000, std::nullopt, 0600}, 1000), 0700u);
}

TEST(EnsureLeaseDir, CreatesThenRepairsOwnerGroupAndMode) {
  ASSERT_EQ(::geteuid(), 0u) << "needs root (chown to another user)";
  const std::string dir = gmsa::testing::make_temp_dir("layout");
  ASSERT_EQ(::chmod(dir.c_str(), 0711), 0);
  const std::string d = dir + "/lease", f = d + "/krb5cc";
  const FileOwner owner{4321, 4322, 0440};
  ASSERT_TRUE(ensure_lease_dir(d, owner, kDaemon).ok());
  EXPECT_EQ(gmsa::testing::describe_path(d), "dir 0751 0:4322");
  int fd = ::creat(f.c_str(), 0440);
  ASSERT_EQ(::write(fd, "x", 1), 1);
  ASSERT_EQ(::close(fd), 0);
  ASSERT_EQ(::chown(f.c_str(), 4321, 4322), 0);
  ASSERT_EQ(gmsa::testing::allowed(4321, 4322, d, f), "read");
  // The layout of earlier versions: the directory belonged to the user, who
  // could replace its file (and so the probe sees it).
  ASSERT_EQ(::chown(d.c_str(), 4321, 4322), 0);
  ASSERT_EQ(::chmod(d.c_str(), 0750), 0);
  EXPECT_EQ(gmsa::testing::allowed(4321, 4322, d, f), "read replace rename remove create");
  ASSERT_TRUE(ensure_lease_dir(d, owner, kDaemon).ok());
  EXPECT_EQ(gmsa::testing::describe_path(d), "dir 0751 0:4322");
  // A file where the directory should be is refused, not replaced.
  const std::string file = dir + "/file";
  ASSERT_EQ(::close(::creat(file.c_str(), 0600)), 0);
  auto st = ensure_lease_dir(file, owner, kDaemon);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().what(), file + ": exists and is not a directory");
  gmsa::testing::remove_tree(dir);
}

}  // namespace
}  // namespace gmsa::daemon
