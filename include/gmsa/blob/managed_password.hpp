// MSDS-MANAGEDPASSWORD_BLOB (MS-ADTS 2.2.19): the value of msDS-ManagedPassword.
// Layout and rules: docs/formats/managed-password-blob.md.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/common/secret.hpp"

namespace gmsa::blob {

constexpr std::size_t kPasswordBytes = 256;  // 128 UTF-16 code units, without the NUL
constexpr std::size_t kHeaderBytes = 16;
constexpr std::size_t kPasswordFieldBytes = kPasswordBytes + 2;  // with the NUL terminator
constexpr std::size_t kIntervalBytes = 8;

struct ManagedPassword {
  SecretBytes current;                  // 256 bytes UTF-16LE, terminator stripped
  std::optional<SecretBytes> previous;  // present after the first change
  std::uint64_t query_interval_100ns = 0;
  std::uint64_t unchanged_interval_100ns = 0;
};

// The raw 16-byte header, as written (no validation beyond its size).
struct Header {
  std::uint16_t version = 0;
  std::uint16_t reserved = 0;
  std::uint32_t length = 0;
  std::uint16_t current_offset = 0;
  std::uint16_t previous_offset = 0;  // 0 = no previous password
  std::uint16_t query_offset = 0;
  std::uint16_t unchanged_offset = 0;
};

// Reads the header fields; fails only when fewer than 16 bytes are given.
// Use parse() to validate a blob; this is for displaying a valid one.
Result<Header> read_header(std::span<const std::uint8_t> blob);

// Strict: positions come from the header offsets only. Error.field names the
// header field or slice ("Version", "Length", "CurrentPasswordOffset", ...).
Result<ManagedPassword> parse(std::span<const std::uint8_t> blob);

// Encodes as a DC does (no padding): 16 / [274] / ... ; used by the lab DC.
// Passwords must be exactly kPasswordBytes long.
Result<SecretBytes> encode(const ManagedPassword& password);

}  // namespace gmsa::blob
