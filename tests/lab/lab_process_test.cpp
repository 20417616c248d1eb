// Pid records and process control without servers.
#include <gtest/gtest.h>
#include <unistd.h>

#include "gmsa/lab/process.hpp"

namespace gmsa::lab {
namespace {

TEST(PidRecord, FormatAndStrictParse) {
  PidRecord r{4242, 987654321ULL};
  EXPECT_EQ(format_pid_record(r), "4242 987654321\n");
  EXPECT_EQ(parse_pid_record("4242 987654321\n").value(), r);
  for (const char* bad : {"", "4242", "x 1", "1 1", "4242 12 extra", "-5 1", "99999999 1"}) {
    ASSERT_FALSE(parse_pid_record(bad).ok()) << bad;
    EXPECT_EQ(parse_pid_record(bad).error().what(), "pid file: expected \"<pid> <start time>\"");
  }
}

TEST(ProcStat, StartTimeIsField22EvenWithSpacesInTheName) {
  const std::string stat =
      "1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 5555 1000 10";
  auto s = parse_proc_stat(stat);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->start_time, 5555u);
  EXPECT_FALSE(parse_proc_stat("1234 (x) S 1 2").ok());
}

TEST(PidRecord, AliveOnlyForTheSameStartTime) {
  auto self = record_of(::getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_TRUE(alive(*self));
  EXPECT_FALSE(alive(PidRecord{self->pid, self->start_time + 1}));  // a reused PID
}

TEST(Spawn, RunsAnArgvAndReportsTheStatus) {
  SpawnOptions o;
  o.argv = {"/bin/sh", "-c", "exit 3"};
  o.new_session = false;
  EXPECT_EQ(run(o, std::chrono::seconds(5)).value(), 3);
  o.argv = {"/bin/cat"};
  o.stdin_data = "hello";
  EXPECT_EQ(run(o, std::chrono::seconds(5)).value(), 0);
  o.argv = {"/no/such/program"};
  EXPECT_EQ(run(o, std::chrono::seconds(5)).error().what(),
            "/no/such/program: cannot start: No such file or directory");
  o.argv = {"relative"};
  EXPECT_EQ(run(o, std::chrono::seconds(5)).error().what(),
            "argv[0]: must be an absolute program path");
}

TEST(Spawn, TimeoutKillsTheChild) {
  SpawnOptions o;
  o.argv = {"/bin/sleep", "10"};
  o.new_session = false;
  auto r = run(o, std::chrono::milliseconds(100));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(), "/bin/sleep: timed out after 100 ms");
}

TEST(StopRecorded, StopsOurChildAndIgnoresADeadPid) {
  char dir[] = "/tmp/gmsa-pid-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string file = std::string(dir) + "/p.pidrec";
  SpawnOptions o;
  o.argv = {"/bin/sleep", "30"};
  auto pid = spawn(o);
  ASSERT_TRUE(pid.ok());
  auto rec = record_of(*pid);
  ASSERT_TRUE(rec.has_value());
  ASSERT_TRUE(write_pid_file(file, *rec).ok());
  EXPECT_EQ(read_pid_file(file), rec);
  EXPECT_TRUE(stop_recorded(file, std::chrono::seconds(2)).ok());
  EXPECT_FALSE(alive(*rec));
  EXPECT_FALSE(read_pid_file(file).has_value());
  // A record whose start time does not match is never signalled.
  auto self = record_of(::getpid());
  ASSERT_TRUE(write_pid_file(file, PidRecord{self->pid, self->start_time + 7}).ok());
  EXPECT_TRUE(stop_recorded(file, std::chrono::seconds(1)).ok());
  EXPECT_TRUE(alive(*self));
  ::rmdir(dir);
}

}  // namespace
}  // namespace gmsa::lab
