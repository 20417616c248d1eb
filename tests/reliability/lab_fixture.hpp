// The lab-backed reliability tests: one private lab (ProveLab) per test
// binary, brought up before the first test and down after the last.
#pragma once

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <optional>

#include "brokerd_process.hpp"
#include "credentialsfetcher.grpc.pb.h"
#include "gmsa/krb/krb.hpp"
#include "gmsa_broker.grpc.pb.h"
#include "lab_credspec.hpp"
#include "prove_lab.hpp"

namespace gmsa::reliability {

namespace cf = credentialsfetcher;
namespace pb = gmsa::broker::v1;

prove::ProveLab& the_lab();  // fails the test (ASSERT) if the lab is not up
bool lab_is_up();

std::unique_ptr<cf::CredentialsFetcherService::Stub> ecs_client(const std::string& socket);
std::unique_ptr<pb::Broker::Stub> broker_client(const std::string& socket);
// AddKerberosLease for the accounts; status and response.
grpc::Status add_lease(cf::CredentialsFetcherService::Stub& s,
                       const std::vector<std::string>& accounts,
                       cf::CreateKerberosLeaseResponse* r);

// The ccache at path holds a TGT for principal that the lab's KDC accepts
// (a service ticket is obtained with it). "" when so, else what is wrong.
std::string tgt_problem(const std::string& ccache, const std::string& principal);

std::string bin_dir();  // build tree's src/bin

}  // namespace gmsa::reliability
