// Credential spec parse/validate/write: every rule with its exact error.
#include "gmsa/credspec/credspec.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "gmsa/credspec/strict_json.hpp"

namespace gmsa::credspec {
namespace {

using Value = json::Value;
const std::string kAccts = "ActiveDirectoryConfig.GroupManagedServiceAccounts";
const std::string kHost = "ActiveDirectoryConfig.HostAccountConfig";

std::string load(const std::string& name) {
  std::ifstream f(std::string(GMSA_TEST_DATA) + "/credspec/" + name, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_TRUE(f.good()) << name;
  return ss.str();
}

Value base() { return Value::parse(load("domainless-object.json")); }

std::string error_of(std::string_view text, const Limits& limits = {}) {
  auto r = parse(text, limits);
  return r ? std::string("(parsed)") : r.error().what();
}

// ---- documents that parse ----

TEST(CredspecParse, NewCredentialSpecOutput) {
  auto r = parse(load("webapp01.json"));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->cms_plugins, std::vector<std::string>{"ActiveDirectory"});
  EXPECT_EQ(r->domain_join.sid, "S-1-5-21-2725122404-4129967127-2630707939");
  EXPECT_EQ(r->domain_join.machine_account_name, "WebApp01");
  EXPECT_EQ(r->domain_join.guid, "e96e0e09-9305-462f-9e44-8a8179722897");
  EXPECT_EQ(r->domain_join.dns_tree_name, "contoso.com");
  EXPECT_EQ(r->domain_join.dns_name, "contoso.com");
  EXPECT_EQ(r->domain_join.netbios_name, "CONTOSO");
  ASSERT_EQ(r->accounts.size(), 2u);
  EXPECT_EQ(r->accounts[0].name, "WebApp01");
  EXPECT_EQ(r->accounts[0].scope, "contoso.com");
  EXPECT_EQ(r->accounts[1].scope, "CONTOSO");
  EXPECT_FALSE(r->host_account.has_value());
}

constexpr std::string_view kArnInput =
    R"({"credentialArn":"arn:aws:secretsmanager:us-east-1:123456789012:secret:gmsa-user-AbCdEf"})";

TEST(CredspecParse, PluginInputAsObject) {
  auto r = parse(load("domainless-object.json"));
  ASSERT_TRUE(r) << r.error().what();
  ASSERT_TRUE(r->host_account.has_value());
  EXPECT_EQ(r->host_account->portable_ccg_version, "1");
  EXPECT_EQ(r->host_account->plugin_guid, "{859E1386-BDB4-49E8-85C7-3070B13920E1}");
  EXPECT_EQ(r->host_account->plugin_input, kArnInput);
  EXPECT_EQ(r->host_account->plugin_input_form, PluginInputForm::kObject);
}

TEST(CredspecParse, PluginInputAsString) {
  auto r = parse(load("domainless-string.json"));
  ASSERT_TRUE(r) << r.error().what();
  ASSERT_TRUE(r->host_account.has_value());
  EXPECT_EQ(r->host_account->plugin_input, kArnInput);
  EXPECT_EQ(r->host_account->plugin_input_form, PluginInputForm::kString);
}

TEST(CredspecParse, PluginInputKeepsKeyOrder) {
  Value doc = base();
  doc["ActiveDirectoryConfig"]["HostAccountConfig"]["PluginInput"] =
      Value::parse(R"({"z":1,"a":[true,null]})");
  auto r = parse(doc.dump());
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->host_account->plugin_input, R"({"z":1,"a":[true,null]})");
}

TEST(CredspecParse, MinimalSpec) {
  auto r = parse(load("minimal.json"));
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->accounts.size(), 1u);
  EXPECT_EQ(r->domain_join.sid, "S-1-5-21-1-2-3");
}

TEST(CredspecParse, SeveralAccountsTrailingDollarAndBracedGuid) {
  Value doc = base();
  auto& list = doc["ActiveDirectoryConfig"]["GroupManagedServiceAccounts"];
  list.push_back({{"Name", "Svc-Reports$"}, {"Scope", "eu.contoso.com"}});
  list.push_back({{"Name", "abcdefghijklmnopqrst$"}, {"Scope", "CONTOSO"}});  // 20 + '$'
  list.push_back({{"Name", "a.b c"}, {"Scope", "averyveryverylongdomainlabel"}});
  doc["DomainJoinConfig"]["Guid"] = "{E96E0E09-9305-462F-9E44-8A8179722897}";
  auto r = parse(doc.dump());
  ASSERT_TRUE(r) << r.error().what();
  EXPECT_EQ(r->accounts.size(), 5u);
  EXPECT_EQ(r->accounts[3].name, "abcdefghijklmnopqrst$");
}

TEST(CredspecParse, TenMegabytesWithinARaisedLimit) {
  std::string text = load("minimal.json");
  text.insert(1, std::string(10 * 1024 * 1024 - text.size(), ' '));
  ASSERT_EQ(text.size(), 10u * 1024 * 1024);
  auto r = parse(text, Limits{.max_bytes = 10 * 1024 * 1024, .max_depth = 16});
  ASSERT_TRUE(r) << r.error().what();
}

// ---- documents that are not even a credential spec ----

TEST(CredspecDocument, NotAnObject) {
  EXPECT_EQ(error_of("[]"), "document must be a JSON object");
  EXPECT_EQ(error_of("\"x\""), "document must be a JSON object");
}

TEST(CredspecDocument, MalformedJsonGivesByteOffset) {
  EXPECT_EQ(error_of(""), "malformed JSON at byte offset 0 (line 1, column 1)");
  EXPECT_EQ(error_of("{\"CmsPlugins\": ["), "malformed JSON at byte offset 16 (line 1, column 17)");
  EXPECT_EQ(error_of("{}x"), "malformed JSON at byte offset 2 (line 1, column 3)");
  EXPECT_EQ(error_of("{\n  \"a\": tru\n}"), "malformed JSON at byte offset 12 (line 2, column 11)");
  EXPECT_EQ(error_of("{/*c*/}"), "malformed JSON at byte offset 1 (line 1, column 2)");
}

TEST(CredspecDocument, DuplicateKeys) {
  EXPECT_EQ(error_of(R"({"CmsPlugins":[],"CmsPlugins":[]})"), "duplicate key 'CmsPlugins'");
  EXPECT_EQ(error_of(R"({"DomainJoinConfig":{"Sid":"a","Sid":"b"}})"),
            "DomainJoinConfig: duplicate key 'Sid'");
  std::string text = load("domainless-object.json");
  text.replace(text.find("{\"credentialArn\""), 1, "{\"k\":1,\"k\":2,");
  EXPECT_EQ(error_of(text), kHost + ".PluginInput: duplicate key 'k'");
}

TEST(CredspecDocument, InvalidUtf8GivesByteOffset) {
  std::string text = load("minimal.json");
  const std::size_t at = text.find("\"a\"") + 1;
  EXPECT_EQ(error_of(std::string(text).replace(at, 1, "\xFF")),
            "invalid UTF-8 at byte offset " + std::to_string(at));
  EXPECT_EQ(error_of(std::string(text).replace(at, 1, "\xC0\xAF")),  // overlong '/'
            "invalid UTF-8 at byte offset " + std::to_string(at));
  EXPECT_EQ(error_of(std::string(text).replace(at, 1, "\xED\xA0\x80")),  // surrogate
            "invalid UTF-8 at byte offset " + std::to_string(at));
  EXPECT_EQ(error_of(std::string(text).replace(at, 1, "\xE2\x82")),  // truncated
            "invalid UTF-8 at byte offset " + std::to_string(at));
}

TEST(CredspecDocument, EscapedSurrogateIsMalformed) {
  EXPECT_EQ(error_of(R"({"a":"\ud800"})"), "malformed JSON at byte offset 12 (line 1, column 13)");
}

TEST(CredspecDocument, TenMegabytesRejectedBeforeParsing) {
  std::string text(10 * 1024 * 1024, '[');  // would also be far too deep
  EXPECT_EQ(error_of(text), "input is 10485760 bytes; the limit is 65536");
}

TEST(CredspecDocument, DeepNestingStopsAtTheLimit) {
  const std::string text =
      "{\"CmsPlugins\":" + std::string(30000, '[') + std::string(30000, ']') + "}";
  std::string path = "CmsPlugins";
  for (int i = 0; i < 15; ++i) path += "[0]";
  EXPECT_EQ(error_of(text), path + ": nested deeper than 16 levels");
  // Exactly 16 levels is allowed (and then fails on the content).
  const std::string ok16 = "{\"CmsPlugins\":" + std::string(15, '[') + std::string(15, ']') + "}";
  EXPECT_EQ(error_of(ok16), "CmsPlugins[0]: must be a string");
  EXPECT_EQ(error_of(ok16, Limits{.max_bytes = 65536, .max_depth = 3}),
            "CmsPlugins[0][0]: nested deeper than 3 levels");
}

// ---- in-memory validation ----

TEST(CredspecValidate, InMemorySpec) {
  auto spec = parse(load("webapp01.json"));
  ASSERT_TRUE(spec);
  CredentialSpec s = *spec;
  EXPECT_TRUE(validate(s));
  s.accounts[1].name = "a/b";
  EXPECT_EQ(validate(s).error().what(), kAccts + "[1].Name: contains '/'");
  EXPECT_EQ(validate(CredentialSpec{}).error().what(),
            "CmsPlugins: must contain \"ActiveDirectory\"");
  s = *spec;
  s.host_account = HostAccountConfig{"1", "{859E1386-BDB4-49E8-85C7-3070B13920E1}", "not json",
                                     PluginInputForm::kObject};
  EXPECT_EQ(validate(s).error().what(),
            kHost + ".PluginInput: malformed JSON at byte offset 1 (line 1, column 2)");
}

// ---- writing ----

TEST(CredspecWrite, FieldOrderAndForms) {
  auto spec = parse(load("domainless-string.json"));
  ASSERT_TRUE(spec);
  const std::string expected = R"({
    "CmsPlugins": [
        "ActiveDirectory"
    ],
    "DomainJoinConfig": {
        "Sid": "S-1-5-21-2725122404-4129967127-2630707939",
        "MachineAccountName": "WebApp01",
        "Guid": "e96e0e09-9305-462f-9e44-8a8179722897",
        "DnsTreeName": "contoso.com",
        "DnsName": "contoso.com",
        "NetBiosName": "CONTOSO"
    },
    "ActiveDirectoryConfig": {
        "GroupManagedServiceAccounts": [
            {
                "Name": "WebApp01",
                "Scope": "contoso.com"
            }
        ],
        "HostAccountConfig": {
            "PortableCcgVersion": "1",
            "PluginGUID": "{859E1386-BDB4-49E8-85C7-3070B13920E1}",
            "PluginInput": "{\"credentialArn\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:gmsa-user-AbCdEf\"}"
        }
    }
}
)";
  EXPECT_EQ(write(*spec), expected);
  spec->host_account->plugin_input_form = PluginInputForm::kObject;
  const Value written = Value::parse(write(*spec));
  EXPECT_TRUE(written["ActiveDirectoryConfig"]["HostAccountConfig"]["PluginInput"].is_object());
}

TEST(CredspecWrite, RoundTrip) {
  Value many = base();
  for (int i = 0; i < 6; ++i)
    many["ActiveDirectoryConfig"]["GroupManagedServiceAccounts"].push_back(
        {{"Name", "svc" + std::to_string(i) + "$"}, {"Scope", "Sub.Contoso.com"}});
  many["ActiveDirectoryConfig"]["HostAccountConfig"]["PluginInput"] =
      Value::parse(R"({"b":{"c":[1,2.5,-3,"x\u0001y"]},"a":null})");
  for (const std::string& text :
       {load("webapp01.json"), load("domainless-object.json"), load("domainless-string.json"),
        load("minimal.json"), many.dump()}) {
    auto first = parse(text);
    ASSERT_TRUE(first) << first.error().what();
    auto second = parse(write(*first));
    ASSERT_TRUE(second) << second.error().what();
    EXPECT_EQ(*first, *second);
    EXPECT_EQ(write(*first), write(*second));
  }
}

}  // namespace
}  // namespace gmsa::credspec
