// Bad input through both gRPC services over the daemon's real Unix socket
// (in-process gmsa-brokerd with the fake credential source) and through the
// CLI. Each case asserts its exact status code and message, that no secret is
// echoed, and that the whole test directory (state dir, socket dir and an
// "outside" dir that traversal would hit) is byte-identical afterwards.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "bad_input_env.hpp"

namespace gmsa::reliability {
namespace {

// ---- credential specs: each document through the three RPCs taking specs ----

enum class Rpc { kEcsAdd, kEcsDomainless, kBrokerAdd };

grpc::Status send_specs(Rpc rpc, const std::vector<std::string>& specs) {
  grpc::ClientContext ctx;
  if (rpc == Rpc::kEcsAdd) {
    cf::CreateKerberosLeaseRequest r;
    for (const auto& s : specs) r.add_credspec_contents(s);
    cf::CreateKerberosLeaseResponse out;
    return env->ecs->AddKerberosLease(&ctx, r, &out);
  }
  if (rpc == Rpc::kEcsDomainless) {
    cf::CreateNonDomainJoinedKerberosLeaseRequest r;
    for (const auto& s : specs) r.add_credspec_contents(s);
    r.set_username("gmsa-reader");
    r.set_password(kUserPassword);
    r.set_domain("contoso.test");
    cf::CreateNonDomainJoinedKerberosLeaseResponse out;
    return env->ecs->AddNonDomainJoinedKerberosLease(&ctx, r, &out);
  }
  pb::AddLeaseRequest r;
  for (const auto& s : specs) r.add_credspec_contents(s);
  pb::Lease out;
  return env->broker->AddLease(&ctx, r, &out);
}

struct SpecCase {
  const char* name;
  std::vector<std::string> specs;
  std::string message;
};
void PrintTo(const SpecCase& c, std::ostream* os) { *os << c.name; }

const std::string k0 = "credspec_contents[0]: ";

const SpecCase kSpecCases[] = {
    {"NoSpecs", {}, "credspec_contents: at least one credential spec is required"},
    {"Empty", {""}, k0 + "malformed JSON at byte offset 0 (line 1, column 1)"},
    {"Whitespace", {"  \n "}, k0 + "malformed JSON at byte offset 4 (line 2, column 2)"},
    {"Truncated",
     {spec().substr(0, spec().size() - 1)},
     k0 + "malformed JSON at byte offset 361 (line 1, column 362)"},
    {"Array", {"[]"}, k0 + "document must be a JSON object"},
    {"Null", {"null"}, k0 + "document must be a JSON object"},
    {"Number", {"42"}, k0 + "document must be a JSON object"},
    {"TrailingGarbage",
     {spec() + "x"},
     k0 + "malformed JSON at byte offset 362 (line 1, column 363)"},
    {"TwoDocuments",
     {spec() + spec()},
     k0 + "malformed JSON at byte offset 362 (line 1, column 363)"},
    {"UnknownField",
     {replaced(spec(), "{\"CmsPlugins\"", "{\"Extra\":1,\"CmsPlugins\"")},
     k0 + "Extra: unknown field"},
    {"DuplicateKey",
     {replaced(spec(), "{\"CmsPlugins\"", "{\"CmsPlugins\":[\"ActiveDirectory\"],\"CmsPlugins\"")},
     k0 + "duplicate key 'CmsPlugins'"},
    {"DnsNameNumber",
     {replaced(spec(), "\"DnsName\":\"contoso.test\"", "\"DnsName\":5")},
     k0 + "DomainJoinConfig.DnsName: must be a string"},
    {"AccountsNotArray",
     {replaced(spec(), "[{\"Name\":\"WebApp01\",\"Scope\":\"contoso.test\"}]", "{}")},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts: must be an array"},
    {"AccountsEmpty",
     {replaced(spec(), "[{\"Name\":\"WebApp01\",\"Scope\":\"contoso.test\"}]", "[]")},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts: must have at least one entry"},
    {"NameNull",
     {replaced(spec(), "\"Name\":\"WebApp01\"", "\"Name\":null")},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name: must be a string"},
    {"NameLoneSurrogate",
     {spec("Web\\ud800App")},
     k0 + "malformed JSON at byte offset 335 (line 1, column 336)"},
    {"NameEscapedNul",
     {spec("WebApp\\u0000")},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name: contains control character "
          "0x00"},
    {"NameRawNul",
     {spec(std::string("Web\0App", 7))},
     k0 + "malformed JSON at byte offset 329 (line 1, column 330)"},
    {"NameTraversal",
     {spec("../../../../outside/canary")},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name: contains '/'"},
    {"NameEscapedTraversal",
     {spec("\\u002e\\u002e\\u002foutside")},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name: contains '/'"},
    {"NameDotDot",
     {spec("..")},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name: must not be '.' or '..'"},
    {"NameBackslash",
     {spec("..\\\\..\\\\outside")},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name: contains '\\'"},
    {"NameNewline",
     {spec("Web\\nApp")},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name: contains control character "
          "0x0a"},
    {"NameTooLong",
     {spec(std::string(300, 'A'))},
     k0 + "ActiveDirectoryConfig.GroupManagedServiceAccounts[0].Name: longer than 20 characters"},
    {"DeepNesting",
     {std::string(100000, '[') + std::string(100000, ']')},
     k0 + "input is 200000 bytes; the limit is 65536"},
    {"DeepNestingUnderTheSizeLimit",
     {std::string(30000, '[') + std::string(30000, ']')},
     k0 + "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]: nested deeper than 16 levels"},
    {"HugeNumber",
     {replaced(spec(), "\"DnsName\":\"contoso.test\"", "\"DnsName\":1e999999")},
     k0 + "malformed JSON at byte offset 228 (line 1, column 229)"},
    {"Comment", {"/* x */" + spec()}, k0 + "malformed JSON at byte offset 0 (line 1, column 1)"},
    {"SingleQuotes",
     {"{'CmsPlugins':['ActiveDirectory']}"},
     k0 + "malformed JSON at byte offset 1 (line 1, column 2)"},
    {"SidMalformed",
     {replaced(spec(), "S-1-5-21-2725122404", "S-1-x-21-2725122404")},
     k0 + "DomainJoinConfig.Sid: SID authority out of range"},
    {"GuidMalformed",
     {replaced(spec(), "af602f85-", "af602f85")},
     k0 + "DomainJoinConfig.Guid: not a GUID of the form xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"},
    {"DomainNotServed",
     {spec("WebApp01", "fabrikam.test")},
     k0 + "domain 'fabrikam.test' is not served here (this daemon serves 'contoso.test')"},
    {"SameGmsaTwice",
     {spec(), spec("webapp01")},
     "credspec_contents[1]: gMSA 'webapp01' is already in this request"},
    {"SecondSpecBad",
     {spec(), "{"},
     "credspec_contents[1]: malformed JSON at byte offset 1 (line 1, column 2)"},
};

class SpecRejected : public ::testing::TestWithParam<std::tuple<SpecCase, Rpc>> {};

TEST_P(SpecRejected, InvalidArgumentAndNothingChanged) {
  // Not a structured binding: clang 14 cannot capture one in a lambda.
  const SpecCase& c = std::get<0>(GetParam());
  const Rpc rpc = std::get<1>(GetParam());
  expect_rejected([&] { return send_specs(rpc, c.specs); }, grpc::StatusCode::INVALID_ARGUMENT,
                  c.message);
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<SpecCase, Rpc>>& p) {
  const char* rpc_names[] = {"EcsAdd", "EcsDomainless", "BrokerAdd"};
  return std::string(std::get<0>(p.param).name) + "_" +
         rpc_names[static_cast<int>(std::get<1>(p.param))];
}

INSTANTIATE_TEST_SUITE_P(All, SpecRejected,
                         ::testing::Combine(::testing::ValuesIn(kSpecCases),
                                            ::testing::Values(Rpc::kEcsAdd, Rpc::kEcsDomainless,
                                                              Rpc::kBrokerAdd)),
                         case_name);

}  // namespace
}  // namespace gmsa::reliability
