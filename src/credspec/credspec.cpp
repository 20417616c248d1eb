// Credential spec parsing, validation and writing (docs/formats/credspec.md).
#include "gmsa/credspec/credspec.hpp"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <utility>

#include "gmsa/common/ids.hpp"
#include "gmsa/credspec/strict_json.hpp"

namespace gmsa::credspec {
namespace {

using json::Value;

const std::string kAd = "ActiveDirectoryConfig";
const std::string kAccounts = kAd + ".GroupManagedServiceAccounts";
const std::string kHost = kAd + ".HostAccountConfig";
const std::string kPluginInput = kHost + ".PluginInput";

// Every key of `obj` must be one of `known`; the first stranger is reported.
Status only_known(const Value& obj, const std::string& path,
                  std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end())
      return Error{json::join_path(path, key), "unknown field"};
  }
  return ok_status();
}

const Value* find(const Value& obj, std::string_view key) {
  auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &*it;
}

Result<const Value*> require(const Value& obj, const std::string& path, std::string_view key,
                             Value::value_t type, std::string_view type_rule) {
  const std::string at = json::join_path(path, key);
  const Value* v = find(obj, key);
  if (v == nullptr) return Error{at, "missing"};
  if (v->type() != type) return Error{at, std::string(type_rule)};
  return v;
}

Result<const Value*> require_object(const Value& obj, const std::string& path,
                                    std::string_view key) {
  return require(obj, path, key, Value::value_t::object, "must be an object");
}

Result<const Value*> require_array(const Value& obj, const std::string& path,
                                   std::string_view key) {
  return require(obj, path, key, Value::value_t::array, "must be an array");
}

Status read_string(const Value& obj, const std::string& path, std::string_view key,
                   std::string& out) {
  auto v = require(obj, path, key, Value::value_t::string, "must be a string");
  if (!v) return v.error();
  out = (*v)->get<std::string>();
  return ok_status();
}

// Compact text of a value, never throwing on odd strings.
std::string compact(const Value& v) {
  return v.dump(-1, ' ', false, Value::error_handler_t::replace);
}

Result<CredentialSpec> read_document(const Value& root, const Limits& limits) {
  if (!root.is_object()) return Error{"", "document must be a JSON object"};
  if (auto s = only_known(root, "", {"CmsPlugins", "DomainJoinConfig", "ActiveDirectoryConfig"});
      !s)
    return s.error();
  CredentialSpec spec;

  auto plugins = require_array(root, "", "CmsPlugins");
  if (!plugins) return plugins.error();
  for (std::size_t i = 0; i < (*plugins)->size(); ++i) {
    const Value& p = (**plugins)[i];
    if (!p.is_string()) return Error{json::index_path("CmsPlugins", i), "must be a string"};
    spec.cms_plugins.push_back(p.get<std::string>());
  }

  auto dj = require_object(root, "", "DomainJoinConfig");
  if (!dj) return dj.error();
  const std::string djp = "DomainJoinConfig";
  auto& d = spec.domain_join;
  if (auto s = only_known(
          **dj, djp,
          {"Sid", "MachineAccountName", "Guid", "DnsTreeName", "DnsName", "NetBiosName"});
      !s)
    return s.error();
  for (auto [key, out] : {std::pair{"Sid", &d.sid},
                          {"MachineAccountName", &d.machine_account_name},
                          {"Guid", &d.guid},
                          {"DnsTreeName", &d.dns_tree_name},
                          {"DnsName", &d.dns_name},
                          {"NetBiosName", &d.netbios_name}}) {
    if (auto s = read_string(**dj, djp, key, *out); !s) return s.error();
  }

  auto ad = require_object(root, "", kAd);
  if (!ad) return ad.error();
  if (auto s = only_known(**ad, kAd, {"GroupManagedServiceAccounts", "HostAccountConfig"}); !s)
    return s.error();
  auto accounts = require_array(**ad, kAd, "GroupManagedServiceAccounts");
  if (!accounts) return accounts.error();
  for (std::size_t i = 0; i < (*accounts)->size(); ++i) {
    const Value& a = (**accounts)[i];
    const std::string ap = json::index_path(kAccounts, i);
    if (!a.is_object()) return Error{ap, "must be an object"};
    if (auto s = only_known(a, ap, {"Name", "Scope"}); !s) return s.error();
    GmsaAccount account;
    if (auto s = read_string(a, ap, "Name", account.name); !s) return s.error();
    if (auto s = read_string(a, ap, "Scope", account.scope); !s) return s.error();
    spec.accounts.push_back(std::move(account));
  }

  if (const Value* host = find(**ad, "HostAccountConfig")) {
    if (!host->is_object()) return Error{kHost, "must be an object"};
    if (auto s = only_known(*host, kHost, {"PortableCcgVersion", "PluginGUID", "PluginInput"}); !s)
      return s.error();
    HostAccountConfig h;
    if (auto s = read_string(*host, kHost, "PortableCcgVersion", h.portable_ccg_version); !s)
      return s.error();
    if (auto s = read_string(*host, kHost, "PluginGUID", h.plugin_guid); !s) return s.error();
    const Value* input = find(*host, "PluginInput");
    if (input == nullptr) return Error{kPluginInput, "missing"};
    if (input->is_string()) {
      // A JSON document inside a string: it sits at depth 4 of the outer one.
      const std::size_t depth = limits.max_depth > 3 ? limits.max_depth - 3 : 0;
      auto inner =
          json::read(input->get_ref<const std::string&>(), {limits.max_bytes, depth}, kPluginInput);
      if (!inner) return inner.error();
      if (!inner->is_object())
        return Error{kPluginInput, "must be a JSON object or a string containing one"};
      h.plugin_input = compact(*inner);
      h.plugin_input_form = PluginInputForm::kString;
    } else if (input->is_object()) {
      h.plugin_input = compact(*input);
      h.plugin_input_form = PluginInputForm::kObject;
    } else {
      return Error{kPluginInput, "must be a JSON object or a string containing one"};
    }
    spec.host_account = std::move(h);
  }
  return spec;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view without_dollar(std::string_view name) {
  if (!name.empty() && name.back() == '$') name.remove_suffix(1);
  return name;
}

Status at(const std::string& field, Status s) {
  if (s) return s;
  return Error{field, s.error().message};
}

Status validate_domain(const DomainJoinConfig& d) {
  const std::string p = "DomainJoinConfig.";
  auto sid = Sid::parse(d.sid);
  if (!sid) return Error{p + "Sid", sid.error().message};
  if (sid->authority != 5 || sid->sub_authorities.size() != 4 || sid->sub_authorities[0] != 21)
    return Error{p + "Sid", "not a domain SID (S-1-5-21-<a>-<b>-<c>)"};
  if (auto s = at(p + "MachineAccountName", validate_account_name(d.machine_account_name)); !s)
    return s;
  if (auto g = Guid::parse(d.guid); !g) return Error{p + "Guid", g.error().message};
  if (auto s = at(p + "DnsTreeName", validate_dns_name(d.dns_tree_name)); !s) return s;
  if (auto s = at(p + "DnsName", validate_dns_name(d.dns_name)); !s) return s;
  return at(p + "NetBiosName", validate_netbios_name(d.netbios_name));
}

Status validate_accounts(const std::vector<GmsaAccount>& accounts) {
  if (accounts.empty()) return Error{kAccounts, "must have at least one entry"};
  std::map<std::pair<std::string, std::string>, std::size_t> seen;  // (name, scope) folded
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const std::string ap = json::index_path(kAccounts, i);
    if (auto s = at(ap + ".Name", validate_account_name(accounts[i].name)); !s) return s;
    if (auto s = at(ap + ".Scope", validate_scope(accounts[i].scope)); !s) return s;
    auto [it, fresh] = seen.emplace(
        std::pair{lower(without_dollar(accounts[i].name)), lower(accounts[i].scope)}, i);
    if (!fresh)
      return Error{ap,
                   "duplicate of " + json::index_path("GroupManagedServiceAccounts", it->second)};
  }
  return ok_status();
}

// An in-memory PluginInput was bounded when it was parsed; re-reading it needs
// no size limit, and a generous depth limit only keeps recursion (dump) finite.
json::ReadLimits plugin_input_limits(const HostAccountConfig& h) {
  return {h.plugin_input.size(), 256};
}

Status validate_host(const HostAccountConfig& h) {
  if (h.portable_ccg_version != "1") return Error{kHost + ".PortableCcgVersion", "must be \"1\""};
  if (auto g = Guid::parse(h.plugin_guid); !g)
    return Error{kHost + ".PluginGUID", g.error().message};
  auto input = json::read(h.plugin_input, plugin_input_limits(h), kPluginInput);
  if (!input) return input.error();
  if (!input->is_object())
    return Error{kPluginInput, "must be a JSON object or a string containing one"};
  return ok_status();
}

}  // namespace

Status validate(const CredentialSpec& spec) {
  if (std::find(spec.cms_plugins.begin(), spec.cms_plugins.end(), "ActiveDirectory") ==
      spec.cms_plugins.end())
    return Error{"CmsPlugins", "must contain \"ActiveDirectory\""};
  if (auto s = validate_domain(spec.domain_join); !s) return s;
  if (auto s = validate_accounts(spec.accounts); !s) return s;
  if (spec.host_account) return validate_host(*spec.host_account);
  return ok_status();
}

Result<CredentialSpec> parse(std::string_view text, const Limits& limits) {
  auto root = json::read(text, {limits.max_bytes, limits.max_depth});
  if (!root) return root.error();
  auto spec = read_document(*root, limits);
  if (!spec) return spec.error();
  if (auto s = validate(*spec); !s) return s.error();
  return spec;
}

std::string write(const CredentialSpec& spec) {
  Value doc = Value::object();
  doc["CmsPlugins"] = spec.cms_plugins;
  const auto& d = spec.domain_join;
  Value& dj = doc["DomainJoinConfig"] = Value::object();
  dj["Sid"] = d.sid;
  dj["MachineAccountName"] = d.machine_account_name;
  dj["Guid"] = d.guid;
  dj["DnsTreeName"] = d.dns_tree_name;
  dj["DnsName"] = d.dns_name;
  dj["NetBiosName"] = d.netbios_name;
  Value& ad = doc["ActiveDirectoryConfig"] = Value::object();
  Value& accounts = ad["GroupManagedServiceAccounts"] = Value::array();
  for (const auto& a : spec.accounts) {
    Value entry = Value::object();
    entry["Name"] = a.name;
    entry["Scope"] = a.scope;
    accounts.push_back(std::move(entry));
  }
  if (spec.host_account) {
    const auto& h = *spec.host_account;
    Value& host = ad["HostAccountConfig"] = Value::object();
    host["PortableCcgVersion"] = h.portable_ccg_version;
    host["PluginGUID"] = h.plugin_guid;
    Result<Value> object = Error{};
    if (h.plugin_input_form == PluginInputForm::kObject)
      object = json::read(h.plugin_input, plugin_input_limits(h));
    if (object && object->is_object())
      host["PluginInput"] = std::move(*object);
    else
      host["PluginInput"] = h.plugin_input;  // the string form (or text that is not an object)
  }
  return doc.dump(4, ' ', false, Value::error_handler_t::replace) + "\n";
}

}  // namespace gmsa::credspec
