#include "gmsa/daemon/lease_id.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdlib>

#include "gmsa/common/encoding.hpp"

namespace gmsa::daemon {

std::uint64_t Random::next_u64() {
  std::array<std::uint8_t, 8> b{};
  fill(b);
  std::uint64_t v = 0;
  for (std::uint8_t x : b) v = (v << 8) | x;
  return v;
}

void OpenSslRandom::fill(std::span<std::uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) std::abort();
}

std::string new_lease_id(Random& random) {
  std::array<std::uint8_t, kLeaseIdLength / 2> b{};
  random.fill(b);
  return to_hex(b);  // lower case
}

Status validate_lease_id(std::string_view id) {
  bool ok = id.size() == kLeaseIdLength;
  for (char c : id) ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!ok) return make_error("lease_id", "must be 20 lower-case hex characters");
  return ok_status();
}

}  // namespace gmsa::daemon
