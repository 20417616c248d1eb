// Credential spec references as ECS spells them, and platform names.
#include <array>
#include <utility>

#include "gmsa/taskdef/taskdef.hpp"

namespace gmsa::taskdef {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::vector<std::string_view> split(std::string_view s, char sep, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    const std::size_t at = s.find(sep);
    if (at == std::string_view::npos) break;
    parts.push_back(s.substr(0, at));
    s.remove_prefix(at + 1);
  }
  parts.push_back(s);
  return parts;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}

const char kS3Shape[] = "malformed S3 ARN: expected arn:aws:s3:::BUCKET/KEY";
const char kSsmShape[] = "malformed SSM ARN: expected arn:aws:ssm:REGION:ACCOUNT:parameter/NAME";

Result<SpecRef> parse_arn(std::string_view arn, SpecRef ref) {
  const auto p = split(arn, ':', 6);  // arn:partition:service:region:account:resource
  if (p.size() != 6)
    return Error{"", "malformed ARN: expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"};
  if (p[1] != "aws" && p[1] != "aws-cn" && p[1] != "aws-us-gov")
    return Error{"", "unknown ARN partition '" + std::string(p[1]) + "'"};
  ref.location = std::string(arn);
  if (p[2] == "s3") {
    const std::size_t slash = p[5].find('/');
    if (!p[3].empty() || !p[4].empty() || slash == 0 || slash == std::string_view::npos ||
        slash + 1 == p[5].size())
      return Error{"", kS3Shape};
    ref.source = SpecSource::kS3;
    return ref;
  }
  if (p[2] == "ssm") {
    auto region_char = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (p[3].empty() || !all_of(p[3], region_char) || p[4].size() != 12 || !all_of(p[4], digit) ||
        !starts_with(p[5], "parameter/") || p[5].size() == 10)
      return Error{"", kSsmShape};
    ref.source = SpecSource::kSsm;
    return ref;
  }
  return Error{"", "unsupported ARN service '" + std::string(p[2]) + "': expected s3 or ssm"};
}

}  // namespace

std::string_view platform_name(Platform p) {
  switch (p) {
    case Platform::kLinux:
      return "linux";
    case Platform::kWindows2016:
      return "windows-2016";
    case Platform::kWindows2019:
      return "windows-2019";
    case Platform::kWindows2022:
      return "windows-2022";
  }
  return "linux";
}

std::optional<Platform> platform_from_flag(std::string_view flag) {
  for (Platform p :
       {Platform::kLinux, Platform::kWindows2016, Platform::kWindows2019, Platform::kWindows2022})
    if (platform_name(p) == flag) return p;
  return std::nullopt;
}

std::optional<Platform> platform_from_os_family(std::string_view family) {
  // The semi-annual channel releases (2004, 20H2) are newer than 2019 and get its rules.
  static constexpr std::array<std::pair<std::string_view, Platform>, 8> kFamilies{{
      {"LINUX", Platform::kLinux},
      {"WINDOWS_SERVER_2016_FULL", Platform::kWindows2016},
      {"WINDOWS_SERVER_2019_FULL", Platform::kWindows2019},
      {"WINDOWS_SERVER_2019_CORE", Platform::kWindows2019},
      {"WINDOWS_SERVER_2022_FULL", Platform::kWindows2022},
      {"WINDOWS_SERVER_2022_CORE", Platform::kWindows2022},
      {"WINDOWS_SERVER_2004_CORE", Platform::kWindows2019},
      {"WINDOWS_SERVER_20H2_CORE", Platform::kWindows2019},
  }};
  for (const auto& [name, p] : kFamilies)
    if (name == family) return p;
  return std::nullopt;
}

Result<SpecRef> parse_spec_ref(std::string_view entry) {
  SpecRef ref;
  std::string_view rest;
  if (starts_with(entry, "credentialspecdomainless:")) {
    ref.domainless = true;
    rest = entry.substr(25);
  } else if (starts_with(entry, "credentialspec:")) {
    rest = entry.substr(15);
  } else if (starts_with(entry, "credentialspec=") ||
             starts_with(entry, "credentialspecdomainless=")) {
    return Error{
        "",
        "unknown form: ECS writes credentialspec: with a ':' (Docker's '=' form is not accepted)"};
  } else {
    return Error{"", "unknown form: expected credentialspec: or credentialspecdomainless:"};
  }
  if (starts_with(rest, "file://")) {
    ref.source = SpecSource::kFile;
    ref.location = std::string(rest.substr(7));
    if (ref.location.empty()) return Error{"", "file:// has no file name"};
    return ref;
  }
  if (starts_with(rest, "arn:")) return parse_arn(rest, ref);
  return Error{"",
               "unknown location: expected file://NAME, arn:aws:s3:::BUCKET/KEY or "
               "arn:aws:ssm:REGION:ACCOUNT:parameter/NAME"};
}

}  // namespace gmsa::taskdef
