#include "gmsa/common/atomic_file.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace gmsa {
namespace {

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string t = (std::filesystem::temp_directory_path() / "atomicXXXXXX").string();
    ASSERT_NE(::mkdtemp(t.data()), nullptr);
    dir_ = t;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (auto& e : std::filesystem::directory_iterator(dir_)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string dir_;
};

TEST_F(AtomicFileTest, WritesContentWithFinalModeAndLeavesNoTemp) {
  std::string p = dir_ + "/f";
  FileAttrs a;
  a.mode = 0440;
  ASSERT_TRUE(write_file_atomic(p, std::string_view("one"), a, "f"));
  a.sync = false;
  ASSERT_TRUE(write_file_atomic(p, std::string_view("two"), a, "f"));
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0440u);
  std::ifstream in(p);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "two");
  EXPECT_EQ(entries(), std::vector<std::string>{"f"});
}

TEST_F(AtomicFileTest, MissingDirectoryNamesTheTemporaryFile) {
  auto st = write_file_atomic(dir_ + "/missing/f", std::string_view("x"), {}, "ccache");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().field, "ccache");
  EXPECT_EQ(st.error().message.rfind("cannot create " + dir_ + "/missing/f.tmp.", 0), 0u);
  EXPECT_NE(st.error().message.find(": No such file or directory"), std::string::npos);
}

TEST_F(AtomicFileTest, TempFileThenPublishWithOwnerMode) {
  const std::uint8_t hdr[2] = {0x05, 0x02};
  auto tmp = create_temp_file(dir_ + "/kt", hdr, "keytab");
  ASSERT_TRUE(tmp.ok()) << tmp.error().what();
  EXPECT_EQ(tmp->rfind(dir_ + "/kt.tmp.", 0), 0u);
  EXPECT_EQ(tmp->size(), (dir_ + "/kt.tmp.").size() + 16);
  struct stat st {};
  ASSERT_EQ(::stat(tmp->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_size, 2);
  FileAttrs a;
  a.mode = 0640;
  a.uid = ::getuid();
  a.gid = ::getgid();
  ASSERT_TRUE(publish_temp_file(*tmp, dir_ + "/kt", a, "keytab"));
  ASSERT_EQ(::stat((dir_ + "/kt").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(entries(), std::vector<std::string>{"kt"});
  // A temp file that vanished: the error names it, nothing is left.
  auto gone = publish_temp_file(dir_ + "/kt.tmp.0000000000000000", dir_ + "/kt", a, "keytab");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().what(),
            "keytab: cannot open " + dir_ + "/kt.tmp.0000000000000000: No such file or directory");
}

TEST_F(AtomicFileTest, LinkPublishesTheSameInodeOverAnExistingFile) {
  std::string src = dir_ + "/image", p = dir_ + "/f";
  FileAttrs a;
  a.mode = 0440;
  a.sync = false;
  ASSERT_TRUE(write_file_atomic(src, std::string_view("new"), a, "f"));
  ASSERT_TRUE(write_file_atomic(p, std::string_view("old"), a, "f"));
  ASSERT_TRUE(link_file_atomic(src, p, a, "ccache"));
  struct stat s1 {
  }, s2{};
  ASSERT_EQ(::stat(src.c_str(), &s1), 0);
  ASSERT_EQ(::stat(p.c_str(), &s2), 0);
  EXPECT_EQ(s1.st_ino, s2.st_ino);
  EXPECT_EQ(s2.st_nlink, 2u);
  std::ifstream in(p);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "new");
  EXPECT_EQ(entries(), (std::vector<std::string>{"f", "image"}));
}

TEST_F(AtomicFileTest, LinkFailureNamesTheFilesAndLeavesTheTargetAlone) {
  std::string p = dir_ + "/f";
  ASSERT_TRUE(write_file_atomic(p, std::string_view("old"), {}, "f"));
  auto st = link_file_atomic(dir_ + "/missing", p, {}, "ccache");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().field, "ccache");
  EXPECT_EQ(st.error().message.rfind("cannot link " + dir_ + "/missing to " + p + ".tmp.", 0), 0u);
  EXPECT_NE(st.error().message.find(": No such file or directory"), std::string::npos);
  // A directory in the way of the rename: the temporary link is removed.
  std::string src = dir_ + "/image", d = dir_ + "/dir";
  ASSERT_TRUE(write_file_atomic(src, std::string_view("x"), {}, "f"));
  ASSERT_EQ(::mkdir(d.c_str(), 0700), 0);
  auto st2 = link_file_atomic(src, d, {}, "ccache");
  ASSERT_FALSE(st2.ok());
  EXPECT_EQ(st2.error().message.rfind("cannot rename " + d + ".tmp.", 0), 0u);
  EXPECT_EQ(entries(), (std::vector<std::string>{"dir", "f", "image"}));
  std::ifstream in(p);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "old");
}

}  // namespace
}  // namespace gmsa
