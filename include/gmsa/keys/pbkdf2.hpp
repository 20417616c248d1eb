// PBKDF2-HMAC-SHA1 (RFC 8018 section 5.2), the core of RFC 3962's AES
// string-to-key and most of a cold lease's CPU time.
#pragma once

#include <cstdint>
#include <span>

#include "gmsa/common/result.hpp"

namespace gmsa::keys {

// Fills `out` with PBKDF2-HMAC-SHA1(password, salt, iterations). Each 20-byte
// output block is an independent chain of `iterations` HMACs, so the even
// blocks run on the process's one helper thread, pinned to the CPUs other
// than the caller's, while the caller computes the odd ones: an AES256 key's
// two blocks cost little more than one. With one usable CPU, or while
// another derivation has the helper, the caller computes them all. Every
// HMAC state and intermediate block is wiped before return, and the stack
// the hashing ran on is overwritten. Errors name the field: iterations (0)
// or out (empty or longer than RFC 8018 allows).
Status pbkdf2_hmac_sha1(std::span<const std::uint8_t> password, std::span<const std::uint8_t> salt,
                        std::uint32_t iterations, std::span<std::uint8_t> out);

}  // namespace gmsa::keys
