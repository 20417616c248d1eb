// What a daemon's lease journal holds, read without opening a LeaseStore (a
// second store on the same directory could compact the file under the first).
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gmsa/daemon/store.hpp"

namespace gmsa::daemon::testing {

// Live records by id after replaying <leases_dir>/journal; every line must parse.
inline std::map<std::string, LeaseRecord> stored_leases(const std::string& leases_dir) {
  std::map<std::string, LeaseRecord> live;
  std::ifstream in(leases_dir + "/journal");
  for (std::string line; std::getline(in, line);) {
    auto e = decode_journal_line(line);
    if (!e) throw std::runtime_error("bad journal line: " + e.error().what());
    if (e->op == JournalEntry::Op::kAdd) {
      live[e->id] = e->record;
    } else {
      live.erase(e->id);
    }
  }
  return live;
}

}  // namespace gmsa::daemon::testing
