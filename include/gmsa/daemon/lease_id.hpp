// Lease ids: 20 lower-case hex characters from a CSPRNG. Every id that
// arrives in a request is validated before anything is looked up or touched.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gmsa/common/result.hpp"

namespace gmsa::daemon {

// Randomness behind an interface (tests use a deterministic one).
class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;
  std::uint64_t next_u64();
};

// OpenSSL RAND_bytes; aborts if the CSPRNG fails (broken invariant).
class OpenSslRandom final : public Random {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

constexpr std::size_t kLeaseIdLength = 20;

std::string new_lease_id(Random& random);

// Error{"lease_id", "must be 20 lower-case hex characters"} for anything else.
Status validate_lease_id(std::string_view id);

}  // namespace gmsa::daemon
