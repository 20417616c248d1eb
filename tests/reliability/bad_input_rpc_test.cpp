// Bad input to every other RPC of both services (lease ids, domainless users,
// owners, unsupported calls) and at the protobuf/gRPC layer (raw bytes:
// invalid UTF-8, wrong wire types, garbage, unknown fields and methods,
// messages over the gRPC maximum). Same assertions as bad_input_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>

#include "bad_input_env.hpp"
#include "raw_call.hpp"
#include "tree_hash.hpp"

namespace gmsa::reliability {
namespace {

using Code = grpc::StatusCode;

struct RpcCase {
  const char* name;
  std::function<grpc::Status()> call;
  Code code;
  std::string message;
};
void PrintTo(const RpcCase& c, std::ostream* os) { *os << c.name; }

grpc::Status del(const std::string& id) {
  grpc::ClientContext ctx;
  cf::DeleteKerberosLeaseRequest r;
  r.set_lease_id(id);
  cf::DeleteKerberosLeaseResponse out;
  return env->ecs->DeleteKerberosLease(&ctx, r, &out);
}
grpc::Status get(const std::string& id) {
  grpc::ClientContext ctx;
  pb::GetLeaseRequest r;
  r.set_lease_id(id);
  pb::Lease out;
  return env->broker->GetLease(&ctx, r, &out);
}
grpc::Status domainless(const std::string& user, const std::string& pw, const std::string& dom) {
  grpc::ClientContext ctx;
  cf::CreateNonDomainJoinedKerberosLeaseRequest r;
  r.add_credspec_contents(spec());
  r.set_username(user);
  r.set_password(pw);
  r.set_domain(dom);
  cf::CreateNonDomainJoinedKerberosLeaseResponse out;
  return env->ecs->AddNonDomainJoinedKerberosLease(&ctx, r, &out);
}
grpc::Status renew(const std::string& user, const std::string& pw, const std::string& dom) {
  grpc::ClientContext ctx;
  cf::RenewNonDomainJoinedKerberosLeaseRequest r;
  r.set_username(user);
  r.set_password(pw);
  r.set_domain(dom);
  cf::RenewNonDomainJoinedKerberosLeaseResponse out;
  return env->ecs->RenewNonDomainJoinedKerberosLease(&ctx, r, &out);
}
grpc::Status add_owned(std::uint32_t mode, bool keytab = false, const std::string& user = "") {
  grpc::ClientContext ctx;
  pb::AddLeaseRequest r;
  r.add_credspec_contents(spec());
  r.mutable_owner()->set_mode(mode);
  if (!user.empty()) {
    r.set_username(user);
    r.set_password(kUserPassword);
    r.set_domain("contoso.test");
  }
  pb::Lease out;
  return keytab ? env->broker->AddKeytabLease(&ctx, r, &out) : env->broker->AddLease(&ctx, r, &out);
}

const std::string kEcs = "/credentialsfetcher.CredentialsFetcherService/";
const std::string kBroker = "/gmsa.broker.v1.Broker/";
std::function<grpc::Status()> raw(const std::string& method, std::string body) {
  return [method, body] { return raw_call(env->channel, method, body); };
}
const std::string kHuge(5 * 1024 * 1024, 'A');  // over gRPC's 4 MiB default
const std::string kTooLarge = "Received message larger than max (5242885 vs. 4194304)";
// A request protobuf cannot parse (proto3 string fields must be UTF-8) is
// parsed by the daemon itself (src/daemon/raw_service.cpp), which names the
// field or the message type.
std::string not_utf8(int field, const std::string& name) {
  return "request: field " + std::to_string(field) + " (" + name + ") is not valid UTF-8";
}
std::string unparsable(const std::string& message) {
  return "request: not a valid " + message + " protobuf message";
}
const std::string kGarbage = "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff";
const std::string kIdRule = "lease_id: must be 20 lower-case hex characters";
const std::string kUserRule =
    "username: must be a bare user name (no '@', '/', '\\' or control characters)";

const RpcCase kCases[] = {
    // Lease ids (ECS DeleteKerberosLease and Broker GetLease).
    {"DeleteEmptyId", [] { return del(""); }, Code::INVALID_ARGUMENT, kIdRule},
    {"DeleteTraversalId", [] { return del("../../../outside/canary"); }, Code::INVALID_ARGUMENT,
     kIdRule},
    {"DeleteDotsId", [] { return del("...................."); }, Code::INVALID_ARGUMENT, kIdRule},
    {"DeleteSlashId", [] { return del("0123456789/123456789"); }, Code::INVALID_ARGUMENT, kIdRule},
    {"DeleteUpperCaseId", [] { return del("0123456789ABCDEF0123"); }, Code::INVALID_ARGUMENT,
     kIdRule},
    {"DeleteShortId", [] { return del("0123456789abcdef012"); }, Code::INVALID_ARGUMENT, kIdRule},
    {"DeleteLongId", [] { return del("0123456789abcdef01234"); }, Code::INVALID_ARGUMENT, kIdRule},
    {"DeleteNulId", [] { return del(std::string("0123456789abcdef012\0", 20)); },
     Code::INVALID_ARGUMENT, kIdRule},
    {"DeleteUnknownId", [] { return del("0123456789abcdef0123"); }, Code::NOT_FOUND,
     "lease_id: no lease 0123456789abcdef0123"},
    {"GetTraversalId", [] { return get("../../state/leases/x"); }, Code::INVALID_ARGUMENT, kIdRule},
    {"GetEmptyId", [] { return get(""); }, Code::INVALID_ARGUMENT, kIdRule},
    {"GetUnknownId", [] { return get("0123456789abcdef0123"); }, Code::NOT_FOUND,
     "lease_id: no lease 0123456789abcdef0123"},
    // Domainless users (Add and Renew).
    {"DomainlessUserWithAt", [] { return domainless("a@contoso.test", "x", "contoso.test"); },
     Code::INVALID_ARGUMENT, kUserRule},
    {"DomainlessUserTraversal", [] { return domainless("../../outside", "x", "contoso.test"); },
     Code::INVALID_ARGUMENT, kUserRule},
    {"DomainlessUserBackslash", [] { return domainless("CONTOSO\\bob", "x", "contoso.test"); },
     Code::INVALID_ARGUMENT, kUserRule},
    {"DomainlessUserControl", [] { return domainless("bob\x01", "x", "contoso.test"); },
     Code::INVALID_ARGUMENT, kUserRule},
    {"DomainlessUserTooLong", [] { return domainless(std::string(257, 'u'), "x", "contoso.test"); },
     Code::INVALID_ARGUMENT, "username: longer than 256 characters"},
    {"DomainlessUserMissing", [] { return domainless("", kUserPassword, "contoso.test"); },
     Code::INVALID_ARGUMENT, "username: is required"},
    {"DomainlessPasswordMissing", [] { return domainless("bob", "", "contoso.test"); },
     Code::INVALID_ARGUMENT, "password: is required"},
    {"DomainlessDomainMissing", [] { return domainless("bob", kUserPassword, ""); },
     Code::INVALID_ARGUMENT, "domain: is required"},
    {"DomainlessDomainNotServed", [] { return domainless("bob", kUserPassword, "evil.test"); },
     Code::INVALID_ARGUMENT,
     "domain: 'evil.test' is not served here (this daemon serves 'contoso.test')"},
    {"DomainlessNoSecretFile", [] { return domainless("", "", ""); }, Code::INVALID_ARGUMENT,
     "username: is required (no domainless secret file is configured)"},
    {"RenewUserTraversal", [] { return renew("../x", kUserPassword, "contoso.test"); },
     Code::INVALID_ARGUMENT, kUserRule},
    {"RenewDomainNotServed", [] { return renew("bob", kUserPassword, "fabrikam.test"); },
     Code::INVALID_ARGUMENT,
     "domain: 'fabrikam.test' is not served here (this daemon serves 'contoso.test')"},
    // Owners and keytab leases (Broker).
    {"OwnerModeSticky", [] { return add_owned(01700); }, Code::INVALID_ARGUMENT,
     "owner.mode: only permission bits (<= 0777) are allowed"},
    {"OwnerModeSetuid", [] { return add_owned(04755); }, Code::INVALID_ARGUMENT,
     "owner.mode: only permission bits (<= 0777) are allowed"},
    {"OwnerModeAllBits", [] { return add_owned(0xFFFFFFFFu); }, Code::INVALID_ARGUMENT,
     "owner.mode: only permission bits (<= 0777) are allowed"},
    {"KeytabLeaseWithUser", [] { return add_owned(0600, true, "bob"); }, Code::INVALID_ARGUMENT,
     "username: keytab leases use the host credential only"},
    // Unsupported calls.
    {"ArnLease",
     [] {
       grpc::ClientContext ctx;
       cf::KerberosArnLeaseRequest r;
       r.add_credspec_arns("arn:aws:s3:::bucket/../../etc/passwd");
       cf::CreateKerberosArnLeaseResponse out;
       return env->ecs->AddKerberosArnLease(&ctx, r, &out);
     },
     Code::UNIMPLEMENTED,
     "AddKerberosArnLease: credential specs from AWS ARNs (S3/SSM/Secrets Manager) are not "
     "supported by gmsa-brokerd; pass credspec_contents to AddKerberosLease or "
     "AddNonDomainJoinedKerberosLease"},
    {"ArnRenew",
     [] {
       grpc::ClientContext ctx;
       cf::RenewKerberosArnLeaseRequest r;
       cf::RenewKerberosArnLeaseResponse out;
       return env->ecs->RenewKerberosArnLease(&ctx, r, &out);
     },
     Code::UNIMPLEMENTED,
     "RenewKerberosArnLease: ARN leases are not supported by gmsa-brokerd; use "
     "RenewNonDomainJoinedKerberosLease"},
    // The protobuf / gRPC layer.
    {"RawInvalidUtf8Spec", raw(kEcs + "AddKerberosLease", pb_bytes(1, "{\"a\":\"\xff\xfe\"}")),
     Code::INVALID_ARGUMENT, not_utf8(1, "credspec_contents")},
    {"RawInvalidUtf8SecondSpec",
     raw(kEcs + "AddKerberosLease", pb_bytes(1, "{}") + pb_bytes(1, "\xc3\x28")),
     Code::INVALID_ARGUMENT, not_utf8(1, "credspec_contents")},
    {"RawInvalidUtf8LeaseId", raw(kEcs + "DeleteKerberosLease", pb_bytes(1, "\xc0\xaf")),
     Code::INVALID_ARGUMENT, not_utf8(1, "lease_id")},
    {"RawInvalidUtf8Username",
     raw(kEcs + "AddNonDomainJoinedKerberosLease", pb_bytes(1, "{}") + pb_bytes(2, "bo\x80")),
     Code::INVALID_ARGUMENT, not_utf8(2, "username")},
    {"RawInvalidUtf8Password",
     raw(kEcs + "RenewNonDomainJoinedKerberosLease", pb_bytes(1, "bob") + pb_bytes(2, "pw\xfe")),
     Code::INVALID_ARGUMENT, not_utf8(2, "password")},
    {"RawInvalidUtf8Health", raw(kEcs + "HealthCheck", pb_bytes(1, "\xf8\x88\x80\x80\x80")),
     Code::INVALID_ARGUMENT, not_utf8(1, "service")},
    {"RawInvalidUtf8Arn", raw(kEcs + "AddKerberosArnLease", pb_bytes(5, "eu\xff")),
     Code::INVALID_ARGUMENT, not_utf8(5, "region")},
    {"RawInvalidUtf8ArnRenew", raw(kEcs + "RenewKerberosArnLease", pb_bytes(3, "\xe2\x82")),
     Code::INVALID_ARGUMENT, not_utf8(3, "session_token")},
    {"RawInvalidUtf8BrokerSpec", raw(kBroker + "AddLease", pb_bytes(1, "\xed\xa0\x80")),
     Code::INVALID_ARGUMENT, not_utf8(1, "credspec_contents")},
    {"RawInvalidUtf8BrokerDomain", raw(kBroker + "AddKeytabLease", pb_bytes(5, "\xff")),
     Code::INVALID_ARGUMENT, not_utf8(5, "domain")},
    {"RawInvalidUtf8GetLease", raw(kBroker + "GetLease", pb_bytes(1, "\xff")),
     Code::INVALID_ARGUMENT, not_utf8(1, "lease_id")},
    {"RawGarbage", raw(kEcs + "AddKerberosLease", kGarbage), Code::INVALID_ARGUMENT,
     unparsable("credentialsfetcher.CreateKerberosLeaseRequest")},
    {"RawTruncatedField",
     raw(kEcs + "DeleteKerberosLease",
         "\x0a\x14"
         "0123"),
     Code::INVALID_ARGUMENT, unparsable("credentialsfetcher.DeleteKerberosLeaseRequest")},
    {"RawGarbageAddNonDomainJoined", raw(kEcs + "AddNonDomainJoinedKerberosLease", kGarbage),
     Code::INVALID_ARGUMENT,
     unparsable("credentialsfetcher.CreateNonDomainJoinedKerberosLeaseRequest")},
    {"RawGarbageRenew", raw(kEcs + "RenewNonDomainJoinedKerberosLease", kGarbage),
     Code::INVALID_ARGUMENT,
     unparsable("credentialsfetcher.RenewNonDomainJoinedKerberosLeaseRequest")},
    {"RawGarbageHealth", raw(kEcs + "HealthCheck", kGarbage), Code::INVALID_ARGUMENT,
     unparsable("credentialsfetcher.HealthCheckRequest")},
    {"RawGarbageArn", raw(kEcs + "AddKerberosArnLease", kGarbage), Code::INVALID_ARGUMENT,
     unparsable("credentialsfetcher.KerberosArnLeaseRequest")},
    {"RawGarbageArnRenew", raw(kEcs + "RenewKerberosArnLease", kGarbage), Code::INVALID_ARGUMENT,
     unparsable("credentialsfetcher.RenewKerberosArnLeaseRequest")},
    {"RawGarbageList", raw(kBroker + "ListLeases", kGarbage), Code::INVALID_ARGUMENT,
     unparsable("gmsa.broker.v1.ListLeasesRequest")},
    {"RawGarbageGet", raw(kBroker + "GetLease", kGarbage), Code::INVALID_ARGUMENT,
     unparsable("gmsa.broker.v1.GetLeaseRequest")},
    {"RawGarbageStatus", raw(kBroker + "Status", kGarbage), Code::INVALID_ARGUMENT,
     unparsable("gmsa.broker.v1.StatusRequest")},
    {"RawGarbageAddLease", raw(kBroker + "AddLease", kGarbage), Code::INVALID_ARGUMENT,
     unparsable("gmsa.broker.v1.AddLeaseRequest")},
    {"RawTruncatedOwner", raw(kBroker + "AddKeytabLease", "\x12\x05\x08\x01"),
     Code::INVALID_ARGUMENT, unparsable("gmsa.broker.v1.AddLeaseRequest")},
    {"RawWrongWireType", raw(kBroker + "GetLease", "\x08\x01"), Code::INVALID_ARGUMENT, kIdRule},
    {"RawUnknownMethod", raw(kEcs + "DropAllLeases", ""), Code::UNIMPLEMENTED, ""},
    {"RawUnknownService", raw("/gmsa.broker.v1.Admin/Shutdown", ""), Code::UNIMPLEMENTED, ""},
    {"HugeSpec", raw(kEcs + "AddKerberosLease", pb_bytes(1, kHuge)), Code::RESOURCE_EXHAUSTED,
     kTooLarge},
    {"HugeLeaseId", raw(kEcs + "DeleteKerberosLease", pb_bytes(1, kHuge)), Code::RESOURCE_EXHAUSTED,
     kTooLarge},
    {"HugeBrokerSpec", raw(kBroker + "AddLease", pb_bytes(1, kHuge)), Code::RESOURCE_EXHAUSTED,
     kTooLarge},
    {"HugePassword", raw(kEcs + "RenewNonDomainJoinedKerberosLease", pb_bytes(2, kHuge)),
     Code::RESOURCE_EXHAUSTED, kTooLarge},
    {"UnknownFieldsOnDelete",
     raw(kEcs + "DeleteKerberosLease", pb_bytes(1, "0123456789abcdef0123") + pb_bytes(99, "x")),
     Code::NOT_FOUND, "lease_id: no lease 0123456789abcdef0123"},
};

class RpcRejected : public ::testing::TestWithParam<RpcCase> {};

TEST_P(RpcRejected, ExactErrorAndNothingChanged) {
  expect_rejected(GetParam().call, GetParam().code, GetParam().message);
}

std::string case_name(const ::testing::TestParamInfo<RpcCase>& p) { return p.param.name; }

INSTANTIATE_TEST_SUITE_P(All, RpcRejected, ::testing::ValuesIn(kCases), case_name);

// Unknown protobuf fields are ignored (proto3), not an error: HealthCheck with
// extra fields still answers, and changes nothing.
TEST(Protocol, UnknownFieldsAreIgnored) {
  auto before = snapshot(env->dir);
  std::string resp;
  auto st = raw_call(env->channel, kEcs + "HealthCheck",
                     pb_bytes(1, "x") + pb_bytes(7, "unknown") + pb_bytes(500, "more"), &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp, pb_bytes(1, "OK"));
  EXPECT_EQ(diff(before, snapshot(env->dir)), "");
}

// After all of the above the daemon still serves: the earlier leases are intact.
TEST(Protocol, DaemonStillServesItsLeases) {
  grpc::ClientContext ctx;
  pb::ListLeasesResponse out;
  ASSERT_TRUE(env->broker->ListLeases(&ctx, {}, &out).ok());
  ASSERT_EQ(out.leases_size(), 2);
}

}  // namespace
}  // namespace gmsa::reliability
