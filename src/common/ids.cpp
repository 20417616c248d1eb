#include "gmsa/common/ids.hpp"

#include <charconv>
#include <cstdio>

namespace gmsa {
namespace {

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() > 1 && s[0] == '0') return false;  // no leading zeros
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<Sid> Sid::parse(std::string_view text) {
  const Error bad{"", "not a SID of the form S-1-<authority>-<sub-authority>..."};
  if (text.size() < 5 || text.size() > 184 || (text[0] != 'S' && text[0] != 's') || text[1] != '-')
    return bad;
  std::vector<std::string_view> parts;
  std::size_t start = 2;
  while (true) {
    std::size_t dash = text.find('-', start);
    parts.push_back(text.substr(start, dash == std::string_view::npos ? dash : dash - start));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  if (parts.size() < 2) return bad;
  Sid sid;
  std::uint64_t v = 0;
  if (!parse_u64(parts[0], v) || v != 1) return Error{"", "SID revision must be 1"};
  if (!parse_u64(parts[1], v) || v >= (1ULL << 48)) return Error{"", "SID authority out of range"};
  sid.authority = v;
  if (parts.size() - 2 > 15) return Error{"", "SID has more than 15 sub-authorities"};
  for (std::size_t i = 2; i < parts.size(); ++i) {
    if (!parse_u64(parts[i], v) || v > 0xFFFFFFFFULL)
      return Error{"", "SID sub-authority is not a 32-bit decimal number"};
    sid.sub_authorities.push_back(static_cast<std::uint32_t>(v));
  }
  return sid;
}

Result<Sid> Sid::from_binary(std::span<const std::uint8_t> b) {
  if (b.size() < 8) return Error{"", "binary SID shorter than 8 bytes"};
  if (b[0] != 1) return Error{"", "binary SID revision must be 1"};
  std::size_t count = b[1];
  if (count > 15) return Error{"", "binary SID has more than 15 sub-authorities"};
  if (b.size() != 8 + 4 * count) return Error{"", "binary SID length does not match its count"};
  Sid sid;
  sid.authority = 0;
  for (int i = 0; i < 6; ++i) sid.authority = (sid.authority << 8) | b[2 + i];
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint8_t* p = b.data() + 8 + 4 * i;
    sid.sub_authorities.push_back(
        static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
        static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24);
  }
  return sid;
}

std::string Sid::to_string() const {
  std::string s = "S-" + std::to_string(revision) + "-" + std::to_string(authority);
  for (auto sa : sub_authorities) s += "-" + std::to_string(sa);
  return s;
}

std::vector<std::uint8_t> Sid::to_binary() const {
  std::vector<std::uint8_t> b;
  b.push_back(revision);
  b.push_back(static_cast<std::uint8_t>(sub_authorities.size()));
  for (int i = 5; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(authority >> (8 * i)));
  for (auto sa : sub_authorities)
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(sa >> (8 * i)));
  return b;
}

Result<Guid> Guid::parse(std::string_view text) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') text = text.substr(1, 36);
  const Error bad{"", "not a GUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"};
  if (text.size() != 36) return bad;
  std::array<std::uint8_t, 16> be{};  // text order
  std::size_t n = 0;
  for (std::size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return bad;
      ++i;
      continue;
    }
    int hi = hex_digit(text[i]);
    int lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) return bad;
    be[n++] = static_cast<std::uint8_t>(hi << 4 | lo);
    i += 2;
  }
  Guid g;
  static constexpr int kOrder[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  for (int i = 0; i < 16; ++i)
    g.bytes[static_cast<std::size_t>(i)] = be[static_cast<std::size_t>(kOrder[i])];
  return g;
}

Guid Guid::from_wire(std::span<const std::uint8_t, 16> wire) {
  Guid g;
  for (std::size_t i = 0; i < 16; ++i) g.bytes[i] = wire[i];
  return g;
}

std::string Guid::to_string() const {
  const auto& b = bytes;
  char buf[37];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[3], b[2],
                b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return buf;
}

}  // namespace gmsa
