// msDS-ManagedPasswordId (an MS-GKDI key identifier) encode/decode.
// Layout (all integers u32 LE): version 1, magic "KDSK", flags 2, L0, L1, L2,
// root key GUID (16), additional-info length (0), domain-name length,
// forest-name length, then the names as UTF-16LE with a NUL terminator.
#include <limits>
#include <optional>
#include <string_view>

#include "gmsa/gkdi/gkdi.hpp"

namespace gmsa::gkdi {
namespace {

constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kMagic = 0x4B53444B;  // "KDSK" in little-endian byte order
constexpr std::uint32_t kFlags = 2;
constexpr std::size_t kHeaderLen = 52;

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t get_u32(std::span<const std::uint8_t> b, std::size_t off) {
  return std::uint32_t{b[off]} | std::uint32_t{b[off + 1]} << 8 | std::uint32_t{b[off + 2]} << 16 |
         std::uint32_t{b[off + 3]} << 24;
}

// UTF-8 -> UTF-16LE code units plus NUL. Invalid UTF-8 bytes become U+FFFD
// (names come from our own configuration; decode is the strict side).
std::vector<std::uint8_t> to_utf16z(std::string_view s) {
  std::vector<std::uint8_t> out;
  auto unit = [&](std::uint32_t u) {
    out.push_back(static_cast<std::uint8_t>(u & 0xff));
    out.push_back(static_cast<std::uint8_t>(u >> 8));
  };
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<std::uint8_t>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    std::uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1fu) : n == 3 ? (b & 0x0fu) : (b & 0x07u);
    bool ok = n != 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      auto c = static_cast<std::uint8_t>(s[i + k]);
      ok = (c >> 6) == 2;
      cp = cp << 6 | (c & 0x3fu);
    }
    if (!ok || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      unit(0xFFFD);
      ++i;
      continue;
    }
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xD800 + (cp >> 10));
      unit(0xDC00 + (cp & 0x3ff));
    } else {
      unit(cp);
    }
  }
  unit(0);
  return out;
}

void put_utf8(std::string& out, std::uint32_t cp) {
  auto byte = [&](std::uint32_t v) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(v)));
  };
  if (cp < 0x80) {
    byte(cp);
  } else if (cp < 0x800) {
    byte(0xC0 | cp >> 6);
    byte(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    byte(0xE0 | cp >> 12);
    byte(0x80 | ((cp >> 6) & 0x3f));
    byte(0x80 | (cp & 0x3f));
  } else {
    byte(0xF0 | cp >> 18);
    byte(0x80 | ((cp >> 12) & 0x3f));
    byte(0x80 | ((cp >> 6) & 0x3f));
    byte(0x80 | (cp & 0x3f));
  }
}

// Strict UTF-16LE (with exactly one NUL, at the end) -> UTF-8.
Result<std::string> from_utf16z(std::span<const std::uint8_t> b, const std::string& field) {
  if (b.size() < 2 || b.size() % 2 != 0)
    return Error{field, "length " + std::to_string(b.size()) +
                            " is not an even number of bytes >= 2 (UTF-16LE with NUL)"};
  const std::size_t units = b.size() / 2;
  auto at = [&](std::size_t i) {
    return std::uint32_t{b[2 * i]} | std::uint32_t{b[2 * i + 1]} << 8;
  };
  if (at(units - 1) != 0) return Error{field, "missing NUL terminator"};
  std::string out;
  for (std::size_t i = 0; i + 1 < units; ++i) {
    std::uint32_t u = at(i);
    if (u == 0) return Error{field, "NUL before the end of the name"};
    if (u >= 0xD800 && u <= 0xDBFF) {
      std::uint32_t lo = i + 2 < units ? at(i + 1) : 0;
      if (lo < 0xDC00 || lo > 0xDFFF) return Error{field, "unpaired UTF-16 surrogate"};
      put_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
      ++i;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return Error{field, "unpaired UTF-16 surrogate"};
    } else {
      put_utf8(out, u);
    }
  }
  return out;
}

}  // namespace

std::vector<std::uint8_t> encode_password_id(const ManagedPasswordId& id) {
  const auto domain = to_utf16z(id.domain);
  const auto forest = to_utf16z(id.forest);
  std::vector<std::uint8_t> out;
  out.reserve(kHeaderLen + domain.size() + forest.size());
  put_u32(out, kVersion);
  put_u32(out, kMagic);
  put_u32(out, kFlags);
  put_u32(out, static_cast<std::uint32_t>(id.gkid.l0));
  put_u32(out, static_cast<std::uint32_t>(id.gkid.l1));
  put_u32(out, static_cast<std::uint32_t>(id.gkid.l2));
  out.insert(out.end(), id.root_key_id.bytes.begin(), id.root_key_id.bytes.end());
  put_u32(out, 0);  // additional info length
  put_u32(out, static_cast<std::uint32_t>(domain.size()));
  put_u32(out, static_cast<std::uint32_t>(forest.size()));
  out.insert(out.end(), domain.begin(), domain.end());
  out.insert(out.end(), forest.begin(), forest.end());
  return out;
}

Result<ManagedPasswordId> decode_password_id(std::span<const std::uint8_t> b) {
  const std::string p = "ManagedPasswordId.";
  if (b.size() < kHeaderLen)
    return Error{p + "length",
                 std::to_string(b.size()) + " bytes is shorter than the 52-byte header"};
  if (auto v = get_u32(b, 0); v != kVersion)
    return Error{p + "version", "must be 1, got " + std::to_string(v)};
  if (get_u32(b, 4) != kMagic) return Error{p + "magic", "must be \"KDSK\" (0x4B53444B)"};
  if (auto f = get_u32(b, 8); f != kFlags)
    return Error{p + "flags", "must be 2, got " + std::to_string(f)};
  ManagedPasswordId id;
  const std::uint32_t l0 = get_u32(b, 12), l1 = get_u32(b, 16), l2 = get_u32(b, 20);
  if (l0 > static_cast<std::uint32_t>(std::numeric_limits<std::int32_t>::max()))
    return Error{p + "l0", "must be 0..2147483647, got " + std::to_string(l0)};
  if (l1 > 31) return Error{p + "l1", "must be 0..31, got " + std::to_string(l1)};
  if (l2 > 31) return Error{p + "l2", "must be 0..31, got " + std::to_string(l2)};
  id.gkid = Gkid{static_cast<std::int32_t>(l0), static_cast<std::int32_t>(l1),
                 static_cast<std::int32_t>(l2)};
  id.root_key_id = Guid::from_wire(b.subspan(24).first<16>());
  if (auto a = get_u32(b, 40); a != 0)
    return Error{p + "additional_info_length", "must be 0, got " + std::to_string(a)};
  const std::uint64_t dlen = get_u32(b, 44), flen = get_u32(b, 48);
  const std::uint64_t body = b.size() - kHeaderLen;
  if (dlen > body)
    return Error{p + "domain_name_length", std::to_string(dlen) + " runs past the end of the " +
                                               std::to_string(b.size()) + "-byte buffer"};
  if (flen > body - dlen)
    return Error{p + "forest_name_length", std::to_string(flen) + " runs past the end of the " +
                                               std::to_string(b.size()) + "-byte buffer"};
  if (dlen + flen != body)
    return Error{p + "length",
                 std::to_string(body - dlen - flen) + " trailing bytes after the names"};
  auto domain = from_utf16z(b.subspan(kHeaderLen, dlen), p + "domain_name");
  if (!domain) return domain.error();
  auto forest = from_utf16z(b.subspan(kHeaderLen + dlen, flen), p + "forest_name");
  if (!forest) return forest.error();
  id.domain = std::move(*domain);
  id.forest = std::move(*forest);
  return id;
}

}  // namespace gmsa::gkdi
