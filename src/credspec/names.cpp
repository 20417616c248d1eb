// Name rules for credential specs (docs/formats/credspec.md, "Names").
#include <cstdio>
#include <optional>
#include <string>

#include "gmsa/credspec/credspec.hpp"

namespace gmsa::credspec {
namespace {

constexpr std::string_view kAccountForbidden = "\"/\\[]:;|=,+*?<>@";
constexpr std::string_view kNetbiosForbidden = "\"/\\:*?<>|. ";

// The message for a character that is not allowed, or nullopt when it is.
std::optional<std::string> bad_char(char ch, std::string_view forbidden) {
  const auto c = static_cast<unsigned char>(ch);
  if (c >= 0x80) return "contains a non-ASCII character";
  if (c < 0x20 || c == 0x7F) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "contains control character 0x%02x", c);
    return std::string(buf);
  }
  if (forbidden.find(ch) != std::string_view::npos) return "contains '" + std::string(1, ch) + "'";
  return std::nullopt;
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

Status fail(std::string message) { return Error{"", std::move(message)}; }

}  // namespace

Status validate_account_name(std::string_view name) {
  if (!name.empty() && name.back() == '$') name.remove_suffix(1);
  if (name.empty()) return fail("is empty");
  if (name == "." || name == "..") return fail("must not be '.' or '..'");
  for (char c : name)
    if (auto m = bad_char(c, kAccountForbidden)) return fail(*m);
  if (name.size() > 20) return fail("longer than 20 characters");
  if (name.front() == '.') return fail("starts with '.'");
  if (name.back() == '.') return fail("ends with '.'");
  if (name.front() == ' ') return fail("starts with a space");
  if (name.back() == ' ') return fail("ends with a space");
  return ok_status();
}

Status validate_dns_name(std::string_view name) {
  if (name.empty()) return fail("is empty");
  for (char c : name) {
    if (is_alnum(c) || c == '-' || c == '.') continue;
    return fail(*bad_char(c, std::string_view(&c, 1)));
  }
  if (name.size() > 253) return fail("longer than 253 characters");
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const auto label = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) return fail("has an empty label");
    if (label.size() > 63) return fail("has a label longer than 63 characters");
    if (label.front() == '-' || label.back() == '-')
      return fail("has a label that starts or ends with '-'");
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return ok_status();
}

Status validate_netbios_name(std::string_view name) {
  if (name.empty()) return fail("is empty");
  for (char c : name)
    if (auto m = bad_char(c, kNetbiosForbidden)) return fail(*m);
  if (name.size() > 15) return fail("longer than 15 characters");
  return ok_status();
}

Status validate_scope(std::string_view name) {
  if (validate_dns_name(name) || validate_netbios_name(name)) return ok_status();
  return fail("not a DNS or NetBIOS domain name");
}

}  // namespace gmsa::credspec
