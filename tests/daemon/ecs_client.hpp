// A client built from the project's proto that calls exactly as the ECS
// agent does: unix socket path, insecure channel, 1-minute deadline, and a
// retry policy of 3 retries with 1-5 s exponential backoff on UNAVAILABLE.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "credentialsfetcher.grpc.pb.h"
#include "gmsa_broker.grpc.pb.h"

namespace gmsa::daemon::testing {

inline std::shared_ptr<grpc::Channel> ecs_channel(const std::string& socket_path) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(R"({"methodConfig":[{
      "name":[{"service":"credentialsfetcher.CredentialsFetcherService"}],
      "retryPolicy":{"maxAttempts":4,"initialBackoff":"1s","maxBackoff":"5s",
                     "backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]})");
  return grpc::CreateCustomChannel("unix:" + socket_path, grpc::InsecureChannelCredentials(), args);
}

// Context with the agent's 1-minute deadline.
inline std::unique_ptr<grpc::ClientContext> agent_context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(1));
  return ctx;
}

}  // namespace gmsa::daemon::testing
