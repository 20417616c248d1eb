// MS-GKDI: how a DC derives a gMSA's password from a KDS root key, the
// msDS-ManagedPasswordId key identifier, and the rotation schedule.
// Reference: shared gmsa-formats.md section 3; docs/formats/gkdi.md.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gmsa/common/ids.hpp"
#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"

namespace gmsa::gkdi {

constexpr std::uint64_t kKeyCycle100ns = 360'000'000'000ULL;          // 10 hours
constexpr std::uint64_t kRotationLead100ns = 5ULL * 60 * 10'000'000;  // 5 minutes

struct Gkid {
  std::int32_t l0 = 0, l1 = 0, l2 = 0;  // -1 = level not chosen
  auto operator<=>(const Gkid&) const = default;
  // Interval number c = l0*1024 + l1*32 + l2.
  std::int64_t cycle() const { return std::int64_t{l0} * 1024 + l1 * 32 + l2; }
  static Gkid from_cycle(std::int64_t c);
};

Gkid gkid_at(std::uint64_t nt_time);

struct RootKey {
  Guid id;
  std::string kdf_hash = "SHA512";  // SHA1, SHA256, SHA384 or SHA512
  SecretBytes data;                 // 64 bytes in practice
};

// Seed key for gkid; gkid.l2 == -1 gives the L1 seed key.
Result<SecretBytes> seed_key(const RootKey& root, const Gkid& gkid);

// The 256-byte UTF-16LE gMSA password for (root key, gMSA SID, gkid).
Result<SecretBytes> gmsa_password(const RootKey& root, const Sid& gmsa_sid, const Gkid& gkid);

// msDS-ManagedPasswordId.
struct ManagedPasswordId {
  Gkid gkid;
  Guid root_key_id;
  std::string domain;  // DNS name, e.g. "contoso.test"
  std::string forest;
  bool operator==(const ManagedPasswordId&) const = default;
};
std::vector<std::uint8_t> encode_password_id(const ManagedPasswordId& id);
Result<ManagedPasswordId> decode_password_id(std::span<const std::uint8_t> bytes);

// Which key is current, and when it changes, for an account whose first key
// was made at `created_nt` with an msDS-ManagedPasswordInterval of
// `interval_days`. The password changes every interval_days*24/10 key cycles
// counted from the creation cycle; within kRotationLead100ns before a change
// a DC already serves the next password as current. period_cycles() rounds
// down (3 days -> 7 cycles, as Windows and Samba do); a period below one
// cycle (interval_days 0) is treated as one cycle.
struct RotationSchedule {
  std::uint64_t created_nt = 0;
  std::uint32_t interval_days = 30;

  std::int64_t period_cycles() const { return std::int64_t{interval_days} * 24 / 10; }
  Gkid current_gkid(std::uint64_t nt_now) const;             // the key in force at nt_now
  std::uint64_t next_change_nt(std::uint64_t nt_now) const;  // first change after nt_now
};

// What a DC returns at nt_now: current and (after the first change) previous
// key ids, plus the blob's query/unchanged intervals. query = time until the
// next change; unchanged = query - 5 min (floored at 0). Inside the lead
// window (query <= 5 min) current/previous are already the next/in-force
// keys and unchanged = query + period - 5 min (until the next lead window),
// as Windows DCs answer (see docs/formats/gkdi.md).
struct PasswordState {
  Gkid current;
  std::optional<Gkid> previous;
  std::uint64_t query_interval_100ns = 0;
  std::uint64_t unchanged_interval_100ns = 0;
};
PasswordState password_state(const RotationSchedule& schedule, std::uint64_t nt_now);

}  // namespace gmsa::gkdi
