// The lease journal (docs/formats/lease-store.md). Appends instead of one
// file per lease: on this project's CI machines (ext4 without a journal,
// shared) allocating an inode under create/delete churn took 0.5-0.9 ms, the
// largest part of a lease after the KDC and LDAP round trips; an append to an
// open file takes microseconds.
#include "gmsa/daemon/store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>

#include "gmsa/common/atomic_file.hpp"
#include "gmsa/daemon/fs.hpp"
#include "gmsa/daemon/lease_id.hpp"
#include "gmsa/daemon/log.hpp"

namespace gmsa::daemon {
namespace {

constexpr const char* kJournalName = "journal";
constexpr std::size_t kMaxJournalBytes = std::size_t{1} << 30;
// Compact when dead lines exceed both this and the number of live leases.
constexpr std::size_t kCompactAfterDeadLines = 1024;

bool is_record_file_name(const std::string& n) {
  return n.size() == kLeaseIdLength + 5 && n.compare(kLeaseIdLength, 5, ".json") == 0 &&
         validate_lease_id(n.substr(0, kLeaseIdLength)).ok();
}

}  // namespace

struct LeaseStore::State {
  std::string dir;
  bool sync = true;
  std::mutex mu;
  bool loaded = false;
  int fd = -1;               // the journal, O_APPEND; opened on the first append
  off_t size = 0;            // its length after the last complete append
  std::size_t dead = 0;      // lines that no longer describe a live lease
  std::size_t retry_at = 0;  // after a failed compaction: not before this many dead lines
  struct Span {
    off_t offset;
    std::size_t length;  // with the '\n'
  };
  std::map<std::string, Span> live;    // id -> where its "add" line is
  std::vector<std::string> bad_lines;  // kept verbatim through compaction
  std::optional<Error> unreadable;     // the journal exists but cannot be read

  std::string path() const { return dir + "/" + kJournalName; }
  FileAttrs attrs() const { return fs::state_dir_attrs(std::nullopt, std::nullopt, 0600, sync); }

  void close_fd() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  Status open_fd() {
    if (fd >= 0) return ok_status();
    fd = ::open(path().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return file_error(path(), "cannot open", path(), attrs(), errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      Error e = file_error(path(), "cannot stat", path(), attrs(), errno);
      close_fd();
      return e;
    }
    size = st.st_size;
    return ok_status();
  }

  Status writable() {
    if (!loaded) (void)load();
    if (unreadable) return *unreadable;
    return ok_status();
  }

  // One write of the whole line; on any failure the file is cut back to
  // `size`, so a reader never finds part of a line after a refused request.
  // Returns where the line starts.
  Result<off_t> append(const std::string& line) {
    if (auto st = open_fd(); !st) return st.error();
    std::size_t off = 0;
    int err = 0;
    while (off < line.size()) {
      ssize_t n = ::write(fd, line.data() + off, line.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err = n < 0 ? errno : EIO;
        break;
      }
      off += static_cast<std::size_t>(n);
    }
    if (err == 0 && sync && ::fdatasync(fd) != 0) err = errno;
    if (err != 0) {
      if (::ftruncate(fd, size) != 0) {
        log::error("journal_truncate_failed", {{"path", path()}, {"error", std::strerror(errno)}});
      }
      return file_error(path(), "cannot append", path(), attrs(), err);
    }
    const off_t at = size;
    size += static_cast<off_t>(line.size());
    return at;
  }

  // The live leases' lines (and kept bad lines) copied from `old`, the
  // journal's current text, into a new journal renamed over it.
  Status compact_from(std::string_view old) {
    std::string text;
    for (const auto& l : bad_lines) text += l + "\n";
    std::map<std::string, Span> moved;
    for (const auto& [id, span] : live) {
      if (static_cast<std::size_t>(span.offset) + span.length > old.size()) {
        return make_error(path(), "shorter than the journal written (changed by someone else?)");
      }
      moved[id] = Span{static_cast<off_t>(text.size()), span.length};
      text.append(old, static_cast<std::size_t>(span.offset), span.length);
    }
    if (auto st = write_file_atomic(path(), text, attrs(), path()); !st) return st;
    close_fd();
    live = std::move(moved);
    dead = 0;
    retry_at = 0;
    return open_fd();
  }

  Status compact() {
    auto old = fs::read_file(path(), kMaxJournalBytes);
    if (!old) return old.error();
    return compact_from(*old);
  }

  void maybe_compact() {
    if (dead <= kCompactAfterDeadLines || dead <= live.size() || dead < retry_at) return;
    if (auto st = compact(); !st) {
      // E.g. room for a line but not for the copy: retry once the dead
      // lines have doubled, not on every append (each try reads the file).
      retry_at = dead * 2;
      log::warn("journal_compaction_failed", {{"error", st.error().what()}});
    }
  }

  LeaseStore::Loaded load();
  std::optional<off_t> replay(const std::string& text, Loaded& out,
                              std::map<std::string, LeaseRecord>& records);
  void import_record_files(Loaded& out, std::map<std::string, LeaseRecord>& records);
};

// Replays the journal's text into live/dead/bad_lines and `records`.
// Returns the end of the last complete line, or nullopt when the text ends
// in a complete line.
std::optional<off_t> LeaseStore::State::replay(const std::string& text, Loaded& out,
                                               std::map<std::string, LeaseRecord>& records) {
  std::size_t start = 0, number = 0;
  while (start < text.size()) {
    ++number;
    const std::size_t end = text.find('\n', start);
    const std::string where = path() + " line " + std::to_string(number);
    if (end == std::string::npos) {
      // A write cut short by a crash: never acknowledged, so dropped.
      out.errors.push_back(make_error(where, "incomplete (no newline), dropped"));
      return static_cast<off_t>(start);
    }
    const std::string_view line(text.data() + start, end - start);
    const Span span{static_cast<off_t>(start), end - start + 1};
    start = end + 1;
    auto e = decode_journal_line(line);
    if (!e) {
      out.errors.push_back(make_error(where, e.error().what()));
      bad_lines.emplace_back(line);
      continue;
    }
    if (e->op == JournalEntry::Op::kAdd) {
      if (live.count(e->id) != 0) ++dead;
      live[e->id] = span;
      records[e->id] = std::move(e->record);
    } else {
      dead += live.erase(e->id) + 1;
      records.erase(e->id);
    }
  }
  return std::nullopt;
}

// Version 1/2 stores: one <id>.json per lease, appended to the journal,
// then removed. Invalid files and other names are reported and kept.
void LeaseStore::State::import_record_files(Loaded& out,
                                            std::map<std::string, LeaseRecord>& records) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    out.errors.push_back(make_error(dir, std::string("cannot open: ") + std::strerror(errno)));
    return;
  }
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    if (n == "." || n == ".." || n == kJournalName) continue;
    const std::string p = dir + "/" + n;
    if (!is_record_file_name(n)) {
      if (n.find(".tmp.") == std::string::npos) {
        out.errors.push_back(make_error(p, "not a lease file name"));
      }
      continue;
    }
    auto file = fs::read_file(p);
    if (!file) {
      out.errors.push_back(file.error());
      continue;
    }
    auto rec = decode_lease(*file);
    if (!rec) {
      out.errors.push_back(make_error(p, rec.error().what()));
      continue;
    }
    if (rec->id != n.substr(0, kLeaseIdLength)) {
      out.errors.push_back(make_error(p, "id does not match the file name"));
      continue;
    }
    if (live.count(rec->id) == 0) {
      if (unreadable) continue;  // kept until the journal can take it
      const std::string line = encode_journal_add(*rec);
      auto at = append(line);
      if (!at) {
        out.errors.push_back(at.error());
        continue;
      }
      live[rec->id] = Span{*at, line.size()};
      records[rec->id] = std::move(rec).value();
    }
    ::unlink(p.c_str());
  }
}

LeaseStore::Loaded LeaseStore::State::load() {
  Loaded out;
  close_fd();
  live.clear();
  bad_lines.clear();
  dead = 0;
  unreadable.reset();
  loaded = true;
  std::map<std::string, LeaseRecord> records;
  auto text = fs::read_file(path(), kMaxJournalBytes);
  if (!text && ::access(path().c_str(), F_OK) == 0) {
    // Unreadable: never rewritten (that would lose it), and no appends.
    unreadable = text.error();
    out.errors.push_back(text.error());
    return out;
  }
  if (text) {
    if (auto complete = replay(*text, out, records)) {
      // Cut the torn tail off before anything is appended after it.
      if (auto st = open_fd(); !st) {
        unreadable = st.error();
      } else if (::ftruncate(fd, *complete) != 0) {
        unreadable = file_error(path(), "cannot truncate", path(), attrs(), errno);
      } else {
        size = *complete;
      }
      if (unreadable) out.errors.push_back(*unreadable);
    }
    if (dead > 0 && !unreadable) {
      if (auto st = compact_from(*text); !st) out.errors.push_back(st.error());
    }
  }
  import_record_files(out, records);
  for (auto& [id, r] : records) out.leases.push_back(std::move(r));
  return out;
}

Result<LeaseStore> LeaseStore::open(const std::string& dir, bool sync) {
  if (auto st = fs::ensure_dir(dir, 0700); !st) return st.error();
  auto s = std::make_unique<State>();
  s->dir = dir;
  s->sync = sync;
  return LeaseStore(std::move(s));
}

LeaseStore::LeaseStore(std::unique_ptr<State> s) : s_(std::move(s)) {}
LeaseStore::LeaseStore(LeaseStore&&) noexcept = default;
LeaseStore& LeaseStore::operator=(LeaseStore&&) noexcept = default;
LeaseStore::~LeaseStore() {
  if (s_) s_->close_fd();
}

Status LeaseStore::save(const LeaseRecord& r) {
  if (auto st = validate_lease_id(r.id); !st) return st;
  std::string line = encode_journal_add(r);
  std::lock_guard<std::mutex> lock(s_->mu);
  if (auto st = s_->writable(); !st) return st;
  auto at = s_->append(line);
  if (!at) return at.error();
  if (s_->live.count(r.id) != 0) ++s_->dead;
  s_->live[r.id] = State::Span{*at, line.size()};
  s_->maybe_compact();
  return ok_status();
}

Status LeaseStore::remove(const std::string& id) {
  if (auto st = validate_lease_id(id); !st) return st;
  std::lock_guard<std::mutex> lock(s_->mu);
  if (auto st = s_->writable(); !st) return st;
  if (s_->live.count(id) == 0) return ok_status();
  if (auto at = s_->append(encode_journal_delete(id)); !at) return at.error();
  s_->live.erase(id);
  s_->dead += 2;  // the add and the delete
  s_->maybe_compact();
  return ok_status();
}

LeaseStore::Loaded LeaseStore::load_all() {
  std::lock_guard<std::mutex> lock(s_->mu);
  return s_->load();
}

}  // namespace gmsa::daemon
