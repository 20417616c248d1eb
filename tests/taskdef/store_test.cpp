// DirectorySpecStore against a scratch folder: what it reads and what it refuses.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "gmsa/taskdef/taskdef.hpp"

namespace gmsa::taskdef {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gmsa-store-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ / "task" / "sub");
    write(root_ / "task" / "spec.json", "{}");
    write(root_ / "task" / "sub" / "inner.json", "[1]");
    write(root_ / "outside.json", "secret-ish");
    fs::create_symlink(root_ / "outside.json", root_ / "task" / "link.json");
  }
  void TearDown() override { fs::remove_all(root_); }
  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  std::string read(std::string_view name, std::size_t max = 1024) {
    DirectorySpecStore store(root_ / "task", max);
    auto r = store.read(name);
    return r ? *r : "error: " + r.error().message;
  }
  fs::path root_;
};

TEST_F(StoreTest, ReadsInsideTheFolder) {
  EXPECT_EQ(read("spec.json"), "{}");
  EXPECT_EQ(read("sub/inner.json"), "[1]");
  EXPECT_EQ(read("sub/../spec.json"),
            "error: '..' is refused: the spec must be inside the task definition's folder");
  EXPECT_EQ(read((root_ / "task" / "sub" / "inner.json").string()), "[1]");  // absolute, inside
}

TEST_F(StoreTest, RefusesWaysOut) {
  EXPECT_EQ(read((root_ / "outside.json").string()),
            "error: absolute path outside the task definition's folder is refused");
  EXPECT_EQ(
      read("link.json"),
      "error: resolves (through a symbolic link) outside the task definition's folder: refused");
  EXPECT_EQ(read(".."),
            "error: '..' is refused: the spec must be inside the task definition's folder");
}

TEST_F(StoreTest, RefusesOddFiles) {
  EXPECT_EQ(read("sub"), "error: cannot read: not a regular file");
  EXPECT_EQ(read("none.json"), "error: cannot read: No such file or directory");
  EXPECT_EQ(read("spec.json", 1), "error: larger than the limit of 1 bytes");
  EXPECT_EQ(read(std::string("spec.json\0../x", 14)),
            "error: file name contains a control character");
}

}  // namespace
}  // namespace gmsa::taskdef
