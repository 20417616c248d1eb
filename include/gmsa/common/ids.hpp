// Windows security identifiers (SIDs) and GUIDs: text <-> binary.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gmsa/common/result.hpp"

namespace gmsa {

// S-1-<authority>-<sub>...; binary form per MS-DTYP 2.4.2.2: revision byte,
// sub-authority count, 6-byte big-endian authority, sub-authorities u32 LE.
struct Sid {
  std::uint8_t revision = 1;
  std::uint64_t authority = 0;  // 48 bits
  std::vector<std::uint32_t> sub_authorities;

  static Result<Sid> parse(std::string_view text);  // strict: "S-1-5-21-1-2-3"
  static Result<Sid> from_binary(std::span<const std::uint8_t> bytes);
  std::string to_string() const;
  std::vector<std::uint8_t> to_binary() const;
  bool operator==(const Sid&) const = default;
};

// GUID. `bytes` is the little-endian on-the-wire order (MS-DTYP 2.3.4.2): the
// first three groups byte-swapped relative to the text form.
struct Guid {
  std::array<std::uint8_t, 16> bytes{};

  // "af602f85-d754-4eea-9fa8-fd76810485f1", optionally in braces, any case.
  static Result<Guid> parse(std::string_view text);
  static Guid from_wire(std::span<const std::uint8_t, 16> wire);
  std::string to_string() const;  // lower case, no braces
  bool operator==(const Guid&) const = default;
};

}  // namespace gmsa
