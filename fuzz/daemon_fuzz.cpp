// Fuzzes the daemon's parsers: the first byte selects the lease-record
// decoder, the config parser, the DNS SRV response parser or the lease
// journal's line decoder; the rest is input.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gmsa/daemon/config.hpp"
#include "gmsa/daemon/dns_srv.hpp"
#include "gmsa/daemon/store.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 4) {
    case 0: {
      auto r = gmsa::daemon::decode_lease(text);
      // A record that decodes must survive a round trip unchanged.
      if (r) {
        auto again = gmsa::daemon::decode_lease(gmsa::daemon::encode_lease(*r));
        if (!again || !(*again == *r)) __builtin_trap();
      }
      break;
    }
    case 1: {
      auto c = gmsa::daemon::parse_config_json(text);
      if (c) (void)gmsa::daemon::finalize(*c);
      break;
    }
    case 2:
      (void)gmsa::daemon::parse_srv_response(std::span<const std::uint8_t>(data + 1, size - 1));
      break;
    default: {
      auto e = gmsa::daemon::decode_journal_line(text);
      // A line that decodes must encode to one line that decodes the same.
      if (e) {
        std::string line = e->op == gmsa::daemon::JournalEntry::Op::kAdd
                               ? gmsa::daemon::encode_journal_add(e->record)
                               : gmsa::daemon::encode_journal_delete(e->id);
        if (line.find('\n') != line.size() - 1) __builtin_trap();
        line.pop_back();
        auto again = gmsa::daemon::decode_journal_line(line);
        if (!again || again->op != e->op || again->id != e->id || !(again->record == e->record)) {
          __builtin_trap();
        }
      }
    }
  }
  return 0;
}
