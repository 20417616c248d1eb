// The lease journal: appends, deletions, reload, compaction, import of the
// per-lease files of older versions, and damage (a torn last line, bad lines,
// a write refused half-way) that never costs an acknowledged lease.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

#include "fake_tickets.hpp"
#include "gmsa/daemon/fs.hpp"
#include "gmsa/daemon/log.hpp"
#include "gmsa/daemon/store.hpp"

namespace gmsa::daemon {
namespace {

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = gmsa::testing::make_temp_dir("journaltest");
    leases_ = dir_ + "/leases";
  }
  void TearDown() override { gmsa::testing::remove_tree(dir_); }
  LeaseStore open() {
    auto s = LeaseStore::open(leases_, false);
    EXPECT_TRUE(s.ok()) << s.error().what();
    return std::move(s).value();
  }
  std::string journal() const { return *fs::read_file(leases_ + "/journal", 1 << 26); }
  std::vector<std::string> ids(LeaseStore& s) {
    std::vector<std::string> out;
    for (const auto& r : s.load_all().leases) out.push_back(r.id);
    return out;
  }
  std::string dir_, leases_;
};

LeaseRecord record(const std::string& id) {
  LeaseRecord r;
  r.id = id;
  r.created_unix = 1900000000;
  r.owner = FileOwner{1000, 1001, 0440};
  r.accounts = {{"WebApp01", "contoso.test"}};
  r.process = BoundProcess{4242, 777};
  return r;
}

std::string id_of(int i) {
  std::string s = std::to_string(i);
  return std::string(20 - s.size(), '0') + s;
}

TEST(JournalLine, EncodesOneLineAndDecodesBack) {
  const LeaseRecord r = record(id_of(7));
  const std::string add = encode_journal_add(r);
  EXPECT_EQ(add, R"({"add":{"accounts":[{"account":"WebApp01","domain":"contoso.test"}],)"
                 R"("created":1900000000,"id":"00000000000000000007","kind":"domain-joined",)"
                 R"("owner":{"gid":1001,"mode":288,"uid":1000},)"
                 R"("process":{"pid":4242,"start_time":777},"version":2}})"
                 "\n");
  auto back = decode_journal_line(add.substr(0, add.size() - 1));
  ASSERT_TRUE(back.ok()) << back.error().what();
  EXPECT_EQ(back->op, JournalEntry::Op::kAdd);
  EXPECT_EQ(back->record, r);
  EXPECT_EQ(encode_journal_delete(r.id), "{\"delete\":\"00000000000000000007\"}\n");
  auto del = decode_journal_line(R"({"delete":"00000000000000000007"})");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->op, JournalEntry::Op::kDelete);
  EXPECT_EQ(del->id, r.id);
}

TEST(JournalLine, ErrorsNameTheField) {
  auto what = [](std::string_view line) { return decode_journal_line(line).error().what(); };
  EXPECT_EQ(what("{"), "not a JSON object");
  EXPECT_EQ(what("[]"), "not a JSON object");
  EXPECT_EQ(what("{}"), "must hold exactly one of \"add\" or \"delete\"");
  EXPECT_EQ(what(R"({"add":{},"delete":"x"})"), "must hold exactly one of \"add\" or \"delete\"");
  EXPECT_EQ(what(R"({"put":{}})"), "must hold exactly one of \"add\" or \"delete\"");
  EXPECT_EQ(what(R"({"add":7})"), "add: not a JSON object");
  EXPECT_EQ(what(R"({"add":{"version":3}})"), "add.version: unsupported version 3");
  EXPECT_EQ(what(R"({"add":{"version":2,"id":"../x"}})"),
            "add.lease_id: must be 20 lower-case hex characters");
  EXPECT_EQ(what(R"({"delete":7})"), "delete: wrong type");
  EXPECT_EQ(what(R"({"delete":"../../etc"})"), "delete: must be 20 lower-case hex characters");
}

TEST_F(JournalTest, SavesAndRemovesAsAppendedLinesWithMode0600) {
  auto s = open();
  ASSERT_TRUE(s.save(record(id_of(1))));
  ASSERT_TRUE(s.save(record(id_of(2))));
  ASSERT_TRUE(s.remove(id_of(1)));
  EXPECT_EQ(journal(), encode_journal_add(record(id_of(1))) + encode_journal_add(record(id_of(2))) +
                           encode_journal_delete(id_of(1)));
  struct stat st {};
  ASSERT_EQ(::stat((leases_ + "/journal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(leases_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  // A second start sees lease 2 only, and the reload drops the dead lines.
  auto again = open();
  EXPECT_EQ(ids(again), std::vector<std::string>{id_of(2)});
  EXPECT_EQ(journal(), encode_journal_add(record(id_of(2))));
}

TEST_F(JournalTest, UnknownIdsAndBadIdsChangeNothing) {
  auto s = open();
  ASSERT_TRUE(s.save(record(id_of(1))));
  const std::string before = journal();
  EXPECT_TRUE(s.remove(id_of(9)));  // never added: no line
  EXPECT_EQ(s.remove("../etc").error().what(), "lease_id: must be 20 lower-case hex characters");
  LeaseRecord bad = record("x");
  EXPECT_EQ(s.save(bad).error().what(), "lease_id: must be 20 lower-case hex characters");
  EXPECT_EQ(journal(), before);
}

TEST_F(JournalTest, NothingIsCreatedUntilTheFirstLease) {
  auto s = open();
  EXPECT_TRUE(s.load_all().leases.empty());
  EXPECT_TRUE(s.remove(id_of(1)));
  EXPECT_TRUE(fs::remove_tree(leases_)->empty());
}

TEST_F(JournalTest, CompactsOnceDeadLinesOutnumberLiveOnes) {
  auto s = open();
  ASSERT_TRUE(s.save(record(id_of(0))));
  // Each add+delete leaves two dead lines; compaction runs past 1024.
  for (int i = 1; i <= 600; ++i) {
    ASSERT_TRUE(s.save(record(id_of(i))));
    ASSERT_TRUE(s.remove(id_of(i)));
  }
  const std::string text = journal();
  const auto lines = std::count(text.begin(), text.end(), '\n');
  // Compacted at lease 513 (1026 dead lines) to the one live line; leases
  // 514-600 appended 174 more.
  EXPECT_EQ(lines, 175);
  EXPECT_EQ(text.substr(0, text.find('\n') + 1), encode_journal_add(record(id_of(0))));
  // Appends after the compaction land in the new file, and a second
  // compaction copies the lines from where the first one put them.
  ASSERT_TRUE(s.save(record(id_of(999))));
  for (int i = 1000; i < 1600; ++i) {
    ASSERT_TRUE(s.save(record(id_of(i))));
    ASSERT_TRUE(s.remove(id_of(i)));
  }
  const std::string second = journal();
  EXPECT_EQ(second.substr(0, 2 * encode_journal_add(record(id_of(0))).size()),
            encode_journal_add(record(id_of(0))) + encode_journal_add(record(id_of(999))));
  auto again = open();
  EXPECT_EQ(ids(again), (std::vector<std::string>{id_of(0), id_of(999)}));
  auto removed = fs::remove_tree(leases_);
  EXPECT_EQ(removed->size(), 1u);  // the journal; no temporary file left
}

TEST_F(JournalTest, ATornLastLineIsDroppedAndBadLinesAreKept) {
  {
    auto s = open();
    ASSERT_TRUE(s.save(record(id_of(1))));
  }
  std::string torn = encode_journal_add(record(id_of(2)));
  {
    std::ofstream f(leases_ + "/journal", std::ios::app);
    f << "{\"add\":{\"version\":9}}\n" << torn.substr(0, torn.size() / 2);
  }
  auto s = open();
  auto loaded = s.load_all();
  ASSERT_EQ(loaded.leases.size(), 1u);
  EXPECT_EQ(loaded.leases[0], record(id_of(1)));
  ASSERT_EQ(loaded.errors.size(), 2u);
  EXPECT_EQ(loaded.errors[0].what(),
            leases_ + "/journal line 2: add.version: unsupported version 9");
  EXPECT_EQ(loaded.errors[1].what(), leases_ + "/journal line 3: incomplete (no newline), dropped");
  // The bad line stays (reported again next time); the torn half is gone, so
  // the next append starts on a line of its own.
  EXPECT_EQ(journal(), encode_journal_add(record(id_of(1))) + "{\"add\":{\"version\":9}}\n");
  ASSERT_TRUE(s.save(record(id_of(3))));
  auto again = open();
  auto reloaded = again.load_all();
  EXPECT_EQ(reloaded.leases.size(), 2u);
  EXPECT_EQ(reloaded.errors.size(), 1u);
}

TEST_F(JournalTest, ImportsPerLeaseFilesOfEarlierVersions) {
  ::mkdir(leases_.c_str(), 0700);
  LeaseRecord v2 = record(id_of(5));
  std::ofstream(leases_ + "/" + id_of(5) + ".json") << encode_lease(v2);
  std::ofstream(leases_ + "/" + id_of(6) + ".json")
      << R"({"version":1,"id":"00000000000000000006","kind":"keytab","created":1,)"
         R"("owner":{"mode":384},"accounts":[{"account":"Batch02","domain":"contoso.test"}]})";
  std::ofstream(leases_ + "/aaaaaaaaaaaaaaaaaaaa.json") << "{broken";
  std::ofstream(leases_ + "/notes.txt") << "x";
  std::ofstream(leases_ + "/" + id_of(5) + ".json.tmp.0123456789abcdef") << "{";
  auto s = open();
  auto loaded = s.load_all();
  ASSERT_EQ(loaded.leases.size(), 2u);
  EXPECT_EQ(loaded.leases[0], v2);
  EXPECT_EQ(loaded.leases[1].kind, LeaseKind::kKeytab);
  EXPECT_FALSE(loaded.leases[1].process.has_value());
  ASSERT_EQ(loaded.errors.size(), 2u);
  EXPECT_EQ(loaded.errors[0].what(), leases_ + "/aaaaaaaaaaaaaaaaaaaa.json: not a JSON object");
  EXPECT_EQ(loaded.errors[1].what(), leases_ + "/notes.txt: not a lease file name");
  // Imported files are gone, the others stay; the journal holds both leases.
  EXPECT_NE(::access((leases_ + "/" + id_of(5) + ".json").c_str(), F_OK), 0);
  EXPECT_NE(::access((leases_ + "/" + id_of(6) + ".json").c_str(), F_OK), 0);
  EXPECT_EQ(::access((leases_ + "/notes.txt").c_str(), F_OK), 0);
  auto again = open();
  EXPECT_EQ(ids(again), (std::vector<std::string>{id_of(5), id_of(6)}));
}

// A write the file system refuses half-way (here RLIMIT_FSIZE, as ENOSPC
// would) leaves the journal exactly as it was, and the next save works.
TEST_F(JournalTest, AWriteRefusedHalfWayIsCutBack) {
  auto s = open();
  ASSERT_TRUE(s.save(record(id_of(1))));
  const std::string before = journal();
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto* prev = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit lim = old;
  lim.rlim_cur = before.size() + 40;  // room for part of the next line
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
  auto st = s.save(record(id_of(2)));
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old), 0);
  std::signal(SIGXFSZ, prev);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().what(), leases_ + "/journal: cannot append: File too large");
  EXPECT_EQ(journal(), before);
  ASSERT_TRUE(s.save(record(id_of(3))));
  auto again = open();
  EXPECT_EQ(ids(again), (std::vector<std::string>{id_of(1), id_of(3)}));
}

// Sets or clears the append-only attribute (root, ext4): appends still work,
// renaming a compacted copy over the file does not.
bool set_append_only(const std::string& path, bool on) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  int flags = 0;
  bool ok = ::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
  flags = on ? (flags | FS_APPEND_FL) : (flags & ~FS_APPEND_FL);
  ok = ok && ::ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
  ::close(fd);
  return ok;
}

TEST_F(JournalTest, AFailedCompactionIsRetriedOnceTheDeadLinesHaveDoubled) {
  auto s = open();
  ASSERT_TRUE(s.save(record(id_of(0))));
  if (!set_append_only(leases_ + "/journal", true)) {
    GTEST_SKIP() << "cannot set the append-only attribute here (needs root and ext4)";
  }
  std::vector<std::string> lines;
  auto old = log::set_sink([&](const std::string& l) {
    if (l.find("event=journal_compaction_failed") != std::string::npos) lines.push_back(l);
  });
  auto churn = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      ASSERT_TRUE(s.save(record(id_of(i))));
      ASSERT_TRUE(s.remove(id_of(i)));
    }
  };
  churn(1, 514);  // 1026 dead lines: the first try fails
  EXPECT_EQ(lines.size(), 1u);
  churn(514, 1026);  // up to 2050: no new try
  EXPECT_EQ(lines.size(), 1u);
  churn(1026, 1027);  // 2052 = twice 1026: the second try
  EXPECT_EQ(lines.size(), 2u);
  log::set_sink(old);
  ASSERT_TRUE(set_append_only(leases_ + "/journal", false));
  // Nothing was lost meanwhile, and the next compaction (at start-up) works.
  auto again = open();
  EXPECT_EQ(ids(again), std::vector<std::string>{id_of(0)});
  EXPECT_EQ(journal(), encode_journal_add(record(id_of(0))));
}

TEST_F(JournalTest, AnUnreadableJournalIsNeitherRewrittenNorAppendedTo) {
  ::mkdir(leases_.c_str(), 0700);
  ::mkdir((leases_ + "/journal").c_str(), 0700);  // a directory: read_file fails
  auto s = open();
  auto loaded = s.load_all();
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_FALSE(s.save(record(id_of(1))).ok());
  struct stat st {};
  ASSERT_EQ(::stat((leases_ + "/journal").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

}  // namespace
}  // namespace gmsa::daemon
