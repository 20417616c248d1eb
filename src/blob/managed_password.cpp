// Strict MSDS-MANAGEDPASSWORD_BLOB parser; every rule is listed, in the order
// it is checked, in docs/formats/managed-password-blob.md.
#include "gmsa/blob/managed_password.hpp"

#include <string>

namespace gmsa::blob {
namespace {

std::uint16_t u16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}

std::uint32_t u32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(u16(b, at)) |
         (static_cast<std::uint32_t>(u16(b, at + 2)) << 16);
}

std::uint64_t u64(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint64_t>(u32(b, at)) |
         (static_cast<std::uint64_t>(u32(b, at + 4)) << 32);
}

void put_u16(SecretBytes& out, std::size_t at, std::size_t v) {
  out[at] = static_cast<std::uint8_t>(v & 0xff);
  out[at + 1] = static_cast<std::uint8_t>((v >> 8) & 0xff);
}

void put_u64(SecretBytes& out, std::size_t at, std::uint64_t v) {
  for (std::size_t i = 0; i < 8; ++i)
    out[at + i] = static_cast<std::uint8_t>((v >> (8 * i)) & 0xff);
}

std::string num(std::size_t v) { return std::to_string(v); }

// The field at `offset` of `size` bytes must lie inside the blob.
Status check_inside(const char* field, std::size_t offset, std::size_t size, std::size_t total) {
  if (offset + size > total) {
    return Error{field, num(offset) + " + " + num(size) + " bytes runs past the end of the " +
                            num(total) + "-byte blob"};
  }
  return ok_status();
}

// A password slice runs from its offset to the next field's offset; it must
// hold 256 bytes and the 2-byte NUL terminator.
Status check_password_slice(const char* field, std::span<const std::uint8_t> b, std::size_t start,
                            std::size_t next) {
  std::size_t slice = next - start;
  if (slice < kPasswordFieldBytes) {
    return Error{field, "slice of " + num(slice) +
                            " bytes is shorter than 256 bytes + 2-byte NUL terminator"};
  }
  if (b[start + kPasswordBytes] != 0 || b[start + kPasswordBytes + 1] != 0) {
    return Error{field, "no NUL terminator at offset " + num(start + kPasswordBytes)};
  }
  return ok_status();
}

}  // namespace

Result<Header> read_header(std::span<const std::uint8_t> b) {
  if (b.size() < kHeaderBytes) {
    return Error{"blob", "shorter than the 16-byte header (" + num(b.size()) + " bytes)"};
  }
  Header h;
  h.version = u16(b, 0);
  h.reserved = u16(b, 2);
  h.length = u32(b, 4);
  h.current_offset = u16(b, 8);
  h.previous_offset = u16(b, 10);
  h.query_offset = u16(b, 12);
  h.unchanged_offset = u16(b, 14);
  return h;
}

Result<ManagedPassword> parse(std::span<const std::uint8_t> b) {
  auto header = read_header(b);
  if (!header) return header.error();
  const Header& h = *header;
  const std::size_t total = b.size();

  if (h.version != 1) return Error{"Version", "must be 1, got " + num(h.version)};
  if (h.reserved != 0) return Error{"Reserved", "must be 0, got " + num(h.reserved)};
  if (h.length != total) {
    return Error{"Length",
                 "says " + num(h.length) + " bytes but " + num(total) + " bytes were received"};
  }
  if (h.current_offset == 0) return Error{"CurrentPasswordOffset", "must not be 0"};

  // Range: each field must fit inside the blob.
  if (h.current_offset < kHeaderBytes) {
    return Error{"CurrentPasswordOffset",
                 num(h.current_offset) + " points inside the 16-byte header"};
  }
  if (auto s = check_inside("CurrentPasswordOffset", h.current_offset, kPasswordFieldBytes, total);
      !s)
    return s.error();
  const bool has_previous = h.previous_offset != 0;
  if (has_previous) {
    if (auto s =
            check_inside("PreviousPasswordOffset", h.previous_offset, kPasswordFieldBytes, total);
        !s)
      return s.error();
  }
  if (auto s = check_inside("QueryPasswordIntervalOffset", h.query_offset, kIntervalBytes, total);
      !s)
    return s.error();
  if (auto s = check_inside("UnchangedPasswordIntervalOffset", h.unchanged_offset, kIntervalBytes,
                            total);
      !s)
    return s.error();

  // Order: current < previous < query < unchanged.
  if (has_previous && h.previous_offset <= h.current_offset) {
    return Error{"PreviousPasswordOffset", num(h.previous_offset) +
                                               " must be greater than CurrentPasswordOffset " +
                                               num(h.current_offset)};
  }
  const std::size_t last_password = has_previous ? h.previous_offset : h.current_offset;
  if (h.query_offset <= last_password) {
    return Error{"QueryPasswordIntervalOffset",
                 num(h.query_offset) + " must be greater than " +
                     (has_previous ? "PreviousPasswordOffset " : "CurrentPasswordOffset ") +
                     num(last_password)};
  }
  if (h.unchanged_offset <= h.query_offset) {
    return Error{"UnchangedPasswordIntervalOffset",
                 num(h.unchanged_offset) + " must be greater than QueryPasswordIntervalOffset " +
                     num(h.query_offset)};
  }

  // Slices: passwords are whole and terminated, nothing unexplained between fields.
  if (auto s = check_password_slice("CurrentPassword", b, h.current_offset,
                                    has_previous ? h.previous_offset : h.query_offset);
      !s)
    return s.error();
  if (h.current_offset != kHeaderBytes) {
    return Error{"CurrentPasswordOffset", num(h.current_offset) + " leaves " +
                                              num(h.current_offset - kHeaderBytes) +
                                              " unexplained bytes after the 16-byte header"};
  }
  if (has_previous) {
    if (h.previous_offset != h.current_offset + kPasswordFieldBytes) {
      return Error{"PreviousPasswordOffset",
                   num(h.previous_offset) + " leaves " +
                       num(h.previous_offset - h.current_offset - kPasswordFieldBytes) +
                       " unexplained bytes after CurrentPassword (expected " +
                       num(h.current_offset + kPasswordFieldBytes) + ")"};
    }
    if (auto s = check_password_slice("PreviousPassword", b, h.previous_offset, h.query_offset); !s)
      return s.error();
  }
  const std::size_t passwords_end = last_password + kPasswordFieldBytes;
  const std::size_t aligned = (passwords_end + 7) / 8 * 8;
  if (h.query_offset != passwords_end && h.query_offset != aligned) {
    return Error{"QueryPasswordIntervalOffset",
                 num(h.query_offset) + " must directly follow the last password (" +
                     num(passwords_end) + ") or its alignment padding to 8 bytes (" + num(aligned) +
                     ")"};
  }
  for (std::size_t i = passwords_end; i < h.query_offset; ++i) {
    if (b[i] != 0) return Error{"AlignmentPadding", "byte at offset " + num(i) + " is not 0"};
  }
  if (h.unchanged_offset != h.query_offset + kIntervalBytes) {
    return Error{"UnchangedPasswordIntervalOffset",
                 num(h.unchanged_offset) + " must directly follow QueryPasswordInterval (" +
                     num(h.query_offset + kIntervalBytes) + ")"};
  }
  const std::size_t end = h.unchanged_offset + kIntervalBytes;
  if (end != total) {
    return Error{"Length", num(total - end) +
                               " trailing bytes after UnchangedPasswordInterval (ends at " +
                               num(end) + ")"};
  }

  ManagedPassword out;
  out.current = SecretBytes(b.subspan(h.current_offset, kPasswordBytes));
  if (has_previous) out.previous = SecretBytes(b.subspan(h.previous_offset, kPasswordBytes));
  out.query_interval_100ns = u64(b, h.query_offset);
  out.unchanged_interval_100ns = u64(b, h.unchanged_offset);
  return out;
}

Result<SecretBytes> encode(const ManagedPassword& p) {
  if (p.current.size() != kPasswordBytes) {
    return Error{"current", "must be 256 bytes, got " + num(p.current.size())};
  }
  if (p.previous && p.previous->size() != kPasswordBytes) {
    return Error{"previous", "must be 256 bytes, got " + num(p.previous->size())};
  }
  const std::size_t current = kHeaderBytes;
  const std::size_t previous = p.previous ? current + kPasswordFieldBytes : 0;
  const std::size_t query = (p.previous ? previous : current) + kPasswordFieldBytes;
  const std::size_t unchanged = query + kIntervalBytes;
  const std::size_t length = unchanged + kIntervalBytes;

  SecretBytes out(length);  // zero-filled: Reserved and the terminators stay 0
  put_u16(out, 0, 1);
  put_u16(out, 4, length & 0xffff);
  put_u16(out, 6, length >> 16);
  put_u16(out, 8, current);
  put_u16(out, 10, previous);
  put_u16(out, 12, query);
  put_u16(out, 14, unchanged);
  for (std::size_t i = 0; i < kPasswordBytes; ++i) out[current + i] = p.current[i];
  if (p.previous) {
    for (std::size_t i = 0; i < kPasswordBytes; ++i) out[previous + i] = (*p.previous)[i];
  }
  put_u64(out, query, p.query_interval_100ns);
  put_u64(out, unchanged, p.unchanged_interval_100ns);
  return out;
}

}  // namespace gmsa::blob
