// Credential spec rules, one per case, each with its exact error.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "gmsa/credspec/credspec.hpp"
#include "gmsa/credspec/strict_json.hpp"

namespace gmsa::credspec {
namespace {

using Value = json::Value;
const std::string kAccts = "ActiveDirectoryConfig.GroupManagedServiceAccounts";
const std::string kHost = "ActiveDirectoryConfig.HostAccountConfig";

Value base() {
  std::ifstream f(std::string(GMSA_TEST_DATA) + "/credspec/domainless-object.json");
  return Value::parse(f);
}

std::string error_of(const std::string& text) {
  auto r = parse(text);
  return r ? std::string("(parsed)") : r.error().what();
}

// ---- documents that do not: one rule each, with the exact error ----

struct Case {
  const char* name;
  std::function<void(Value&)> mutate;
  std::string error;
};

// Readable names in ctest output instead of a byte dump.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

Value& dj(Value& d) { return d["DomainJoinConfig"]; }
Value& accts(Value& d) { return d["ActiveDirectoryConfig"]["GroupManagedServiceAccounts"]; }
Value& host(Value& d) { return d["ActiveDirectoryConfig"]["HostAccountConfig"]; }
std::function<void(Value&)> set_name(std::size_t i, std::string v) {
  return [i, v](Value& d) { accts(d)[i]["Name"] = v; };
}

class CredspecReject : public ::testing::TestWithParam<Case> {};

TEST_P(CredspecReject, ExactError) {
  Value doc = base();
  GetParam().mutate(doc);
  EXPECT_EQ(error_of(doc.dump()), GetParam().error);
}

const Case kCases[] = {
    {"CmsPluginsMissing", [](Value& d) { d.erase("CmsPlugins"); }, "CmsPlugins: missing"},
    {"CmsPluginsNotArray", [](Value& d) { d["CmsPlugins"] = "ActiveDirectory"; },
     "CmsPlugins: must be an array"},
    {"CmsPluginsEntryNotString",
     [](Value& d) {
       d["CmsPlugins"] = {"ActiveDirectory", 7};
     },
     "CmsPlugins[1]: must be a string"},
    {"CmsPluginsWithoutAd", [](Value& d) { d["CmsPlugins"] = {"activedirectory"}; },
     "CmsPlugins: must contain \"ActiveDirectory\""},
    {"DomainJoinConfigMissing", [](Value& d) { d.erase("DomainJoinConfig"); },
     "DomainJoinConfig: missing"},
    {"DomainJoinConfigNotObject", [](Value& d) { d["DomainJoinConfig"] = Value::array(); },
     "DomainJoinConfig: must be an object"},
    {"SidMissing", [](Value& d) { dj(d).erase("Sid"); }, "DomainJoinConfig.Sid: missing"},
    {"MachineAccountNameMissing", [](Value& d) { dj(d).erase("MachineAccountName"); },
     "DomainJoinConfig.MachineAccountName: missing"},
    {"GuidMissing", [](Value& d) { dj(d).erase("Guid"); }, "DomainJoinConfig.Guid: missing"},
    {"DnsTreeNameMissing", [](Value& d) { dj(d).erase("DnsTreeName"); },
     "DomainJoinConfig.DnsTreeName: missing"},
    {"DnsNameMissing", [](Value& d) { dj(d).erase("DnsName"); },
     "DomainJoinConfig.DnsName: missing"},
    {"NetBiosNameMissing", [](Value& d) { dj(d).erase("NetBiosName"); },
     "DomainJoinConfig.NetBiosName: missing"},
    {"SidNumber", [](Value& d) { dj(d)["Sid"] = 21; }, "DomainJoinConfig.Sid: must be a string"},
    {"NetBiosNameNull", [](Value& d) { dj(d)["NetBiosName"] = nullptr; },
     "DomainJoinConfig.NetBiosName: must be a string"},
    {"SidMalformed", [](Value& d) { dj(d)["Sid"] = "X-1-5-21-1-2-3"; },
     "DomainJoinConfig.Sid: not a SID of the form S-1-<authority>-<sub-authority>..."},
    {"SidNotDomain", [](Value& d) { dj(d)["Sid"] = "S-1-5-18"; },
     "DomainJoinConfig.Sid: not a domain SID (S-1-5-21-<a>-<b>-<c>)"},
    {"GuidMalformed", [](Value& d) { dj(d)["Guid"] = "e96e0e09-9305-462f-9e44"; },
     "DomainJoinConfig.Guid: not a GUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"},
    {"MachineAccountTraversal", [](Value& d) { dj(d)["MachineAccountName"] = "../x"; },
     "DomainJoinConfig.MachineAccountName: contains '/'"},
    {"MachineAccountTooLong", [](Value& d) { dj(d)["MachineAccountName"] = std::string(21, 'm'); },
     "DomainJoinConfig.MachineAccountName: longer than 20 characters"},
    {"DnsNameUnderscore", [](Value& d) { dj(d)["DnsName"] = "contoso_com"; },
     "DomainJoinConfig.DnsName: contains '_'"},
    {"DnsTreeNameLeadingHyphen", [](Value& d) { dj(d)["DnsTreeName"] = "-contoso.com"; },
     "DomainJoinConfig.DnsTreeName: has a label that starts or ends with '-'"},
    {"DnsNameEmptyLabel", [](Value& d) { dj(d)["DnsName"] = "contoso..com"; },
     "DomainJoinConfig.DnsName: has an empty label"},
    {"DnsNameTrailingDot", [](Value& d) { dj(d)["DnsName"] = "contoso.com."; },
     "DomainJoinConfig.DnsName: has an empty label"},
    {"DnsNameLongLabel", [](Value& d) { dj(d)["DnsName"] = std::string(64, 'a') + ".com"; },
     "DomainJoinConfig.DnsName: has a label longer than 63 characters"},
    {"DnsNameTooLong",
     [](Value& d) {
       std::string n;
       for (int i = 0; i < 63; ++i) n += "abc.";
       dj(d)["DnsName"] = n + "ab";  // 254
     },
     "DomainJoinConfig.DnsName: longer than 253 characters"},
    {"NetBiosTooLong", [](Value& d) { dj(d)["NetBiosName"] = "CONTOSOCONTOSO12"; },
     "DomainJoinConfig.NetBiosName: longer than 15 characters"},
    {"NetBiosDot", [](Value& d) { dj(d)["NetBiosName"] = "CON.TOSO"; },
     "DomainJoinConfig.NetBiosName: contains '.'"},
    {"UnknownTopLevel", [](Value& d) { d["Comment"] = "x"; }, "Comment: unknown field"},
    {"UnknownInDomainJoin", [](Value& d) { dj(d)["sid"] = "x"; },
     "DomainJoinConfig.sid: unknown field"},
    {"UnknownInAccount", [](Value& d) { accts(d)[0]["Password"] = "x"; },
     kAccts + "[0].Password: unknown field"},
    {"UnknownInHost", [](Value& d) { host(d)["Secret"] = "x"; }, kHost + ".Secret: unknown field"},
    {"ActiveDirectoryConfigMissing", [](Value& d) { d.erase("ActiveDirectoryConfig"); },
     "ActiveDirectoryConfig: missing"},
    {"AccountsMissing",
     [](Value& d) { d["ActiveDirectoryConfig"].erase("GroupManagedServiceAccounts"); },
     kAccts + ": missing"},
    {"AccountsEmpty", [](Value& d) { accts(d) = Value::array(); },
     kAccts + ": must have at least one entry"},
    {"AccountsNotArray", [](Value& d) { accts(d) = accts(d)[0]; }, kAccts + ": must be an array"},
    {"AccountNotObject", [](Value& d) { accts(d)[1] = "WebApp01@CONTOSO"; },
     kAccts + "[1]: must be an object"},
    {"AccountNameMissing", [](Value& d) { accts(d)[0].erase("Name"); },
     kAccts + "[0].Name: missing"},
    {"AccountScopeMissing", [](Value& d) { accts(d)[1].erase("Scope"); },
     kAccts + "[1].Scope: missing"},
    {"AccountNameNotString", [](Value& d) { accts(d)[0]["Name"] = Value::array(); },
     kAccts + "[0].Name: must be a string"},
    {"NameSeparator", set_name(1, "a/b"), kAccts + "[1].Name: contains '/'"},
    {"NameTraversal", set_name(0, "../x"), kAccts + "[0].Name: contains '/'"},
    {"NameBackslash", set_name(0, "..\\x"), kAccts + "[0].Name: contains '\\'"},
    {"NameDotDot", set_name(0, ".."), kAccts + "[0].Name: must not be '.' or '..'"},
    {"NameDot", set_name(0, "."), kAccts + "[0].Name: must not be '.' or '..'"},
    {"NameDotDotDollar", set_name(0, "..$"), kAccts + "[0].Name: must not be '.' or '..'"},
    {"NameEmpty", set_name(0, ""), kAccts + "[0].Name: is empty"},
    {"NameOnlyDollar", set_name(0, "$"), kAccts + "[0].Name: is empty"},
    {"NameTooLong", set_name(0, std::string(21, 'w')),
     kAccts + "[0].Name: longer than 20 characters"},
    {"NameNonAscii",
     set_name(0,
              "W\xC3\xA9"
              "bApp"),
     kAccts + "[0].Name: contains a non-ASCII character"},
    {"NameControl", set_name(0, "Web\nApp"), kAccts + "[0].Name: contains control character 0x0a"},
    {"NameNul", set_name(0, std::string("Web\0App", 7)),
     kAccts + "[0].Name: contains control character 0x00"},
    {"NameAt", set_name(0, "web@contoso"), kAccts + "[0].Name: contains '@'"},
    {"NameLeadingSpace", set_name(0, " web"), kAccts + "[0].Name: starts with a space"},
    {"NameTrailingDot", set_name(0, "web."), kAccts + "[0].Name: ends with '.'"},
    {"NameLeadingDot", set_name(0, ".web"), kAccts + "[0].Name: starts with '.'"},
    {"ScopeInvalid", [](Value& d) { accts(d)[0]["Scope"] = "contoso com"; },
     kAccts + "[0].Scope: not a DNS or NetBIOS domain name"},
    {"ScopeEmpty", [](Value& d) { accts(d)[0]["Scope"] = ""; },
     kAccts + "[0].Scope: not a DNS or NetBIOS domain name"},
    {"DuplicateAccountIgnoringCase",
     [](Value& d) {
       accts(d).push_back({{"Name", "webapp01"}, {"Scope", "CONTOSO.COM"}});
     },
     kAccts + "[2]: duplicate of GroupManagedServiceAccounts[0]"},
    {"DuplicateAccountWithDollar",
     [](Value& d) {
       accts(d).push_back({{"Name", "WEBAPP01$"}, {"Scope", "contoso"}});
     },
     kAccts + "[2]: duplicate of GroupManagedServiceAccounts[1]"},
    {"HostNotObject", [](Value& d) { host(d) = "domainless"; }, kHost + ": must be an object"},
    {"CcgVersionNumber", [](Value& d) { host(d)["PortableCcgVersion"] = 1; },
     kHost + ".PortableCcgVersion: must be a string"},
    {"CcgVersionUnknown", [](Value& d) { host(d)["PortableCcgVersion"] = "2"; },
     kHost + ".PortableCcgVersion: must be \"1\""},
    {"PluginGuidMissing", [](Value& d) { host(d).erase("PluginGUID"); },
     kHost + ".PluginGUID: missing"},
    {"PluginGuidMalformed", [](Value& d) { host(d)["PluginGUID"] = "{859E1386}"; },
     kHost + ".PluginGUID: not a GUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"},
    {"PluginInputMissing", [](Value& d) { host(d).erase("PluginInput"); },
     kHost + ".PluginInput: missing"},
    {"PluginInputNumber", [](Value& d) { host(d)["PluginInput"] = 5; },
     kHost + ".PluginInput: must be a JSON object or a string containing one"},
    {"PluginInputStringArray", [](Value& d) { host(d)["PluginInput"] = "[1]"; },
     kHost + ".PluginInput: must be a JSON object or a string containing one"},
    {"PluginInputStringMalformed", [](Value& d) { host(d)["PluginInput"] = "{secret"; },
     kHost + ".PluginInput: malformed JSON at byte offset 1 (line 1, column 2)"},
    {"PluginInputStringDuplicateKey", [](Value& d) { host(d)["PluginInput"] = R"({"a":1,"a":2})"; },
     kHost + ".PluginInput: duplicate key 'a'"},
    {"PluginInputStringTooDeep",
     [](Value& d) {
       host(d)["PluginInput"] = "{\"a\":" + std::string(13, '[') + std::string(13, ']') + "}";
     },
     kHost + ".PluginInput.a[0][0][0][0][0][0][0][0][0][0][0][0]: nested deeper than 13 levels"},
};

INSTANTIATE_TEST_SUITE_P(Rules, CredspecReject, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace gmsa::credspec
