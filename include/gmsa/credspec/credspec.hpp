// Credential specs: the JSON document that names a gMSA identity
// (docs/formats/credspec.md; reference: shared gmsa-formats.md section 4).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gmsa/common/result.hpp"

namespace gmsa::credspec {

struct DomainJoinConfig {
  std::string sid;                   // domain SID, "S-1-5-21-..."
  std::string machine_account_name;  // gMSA name without '$'
  std::string guid;                  // domain object GUID
  std::string dns_tree_name;         // forest
  std::string dns_name;              // domain
  std::string netbios_name;

  bool operator==(const DomainJoinConfig&) const = default;
};

struct GmsaAccount {
  std::string name;   // without '$'
  std::string scope;  // DNS or NetBIOS domain name

  bool operator==(const GmsaAccount&) const = default;
};

enum class PluginInputForm { kString, kObject };

struct HostAccountConfig {
  std::string portable_ccg_version;
  std::string plugin_guid;
  std::string plugin_input;  // compact JSON text of the object
  PluginInputForm plugin_input_form = PluginInputForm::kObject;

  bool operator==(const HostAccountConfig&) const = default;
};

struct CredentialSpec {
  std::vector<std::string> cms_plugins;
  DomainJoinConfig domain_join;
  std::vector<GmsaAccount> accounts;  // ActiveDirectoryConfig.GroupManagedServiceAccounts
  std::optional<HostAccountConfig> host_account;

  bool operator==(const CredentialSpec&) const = default;
};

struct Limits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_depth = 16;
};

// Strict parse + validation. Errors name the JSON path and the rule broken,
// e.g. {"ActiveDirectoryConfig.GroupManagedServiceAccounts[1].Name", "contains '/'"}.
Result<CredentialSpec> parse(std::string_view json, const Limits& limits = {});

// Validates an in-memory spec (parse() calls this too).
Status validate(const CredentialSpec& spec);

// Pretty JSON in the field order New-CredentialSpec uses; parse(write(s)) == s.
std::string write(const CredentialSpec& spec);

// AD sAMAccountName rules, strict enough that a valid name is a safe directory
// name: 1..20 characters (without a trailing '$', which is accepted), none of
// " / \ [ ] : ; | = , + * ? < > @ or control characters, no leading or
// trailing dot or space, never "." or "..". Error.field is left empty.
// Non-ASCII characters are rejected ("contains a non-ASCII character"): AD
// allows some, but a name must map to one safe directory name without any
// Unicode normalisation or case-folding question (docs/formats/credspec.md).
Status validate_account_name(std::string_view name);

// DNS domain name: labels of 1..63 ASCII letters, digits and '-' (not first or
// last), separated by single dots, at most 253 characters, no trailing dot.
Status validate_dns_name(std::string_view name);

// NetBIOS domain name: 1..15 printable ASCII characters, none of
// " / \ : * ? < > | . or space.
Status validate_netbios_name(std::string_view name);

// A gMSA Scope: a DNS name or a NetBIOS name.
Status validate_scope(std::string_view name);

}  // namespace gmsa::credspec
