// Raw gRPC calls with hand-encoded protobuf bytes: lets the bad-input suite send
// what a generated client would refuse or mangle (invalid UTF-8, unknown
// fields, garbage, oversized messages).
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace gmsa::reliability {

// Protobuf wire encoding of one length-delimited field.
inline std::string pb_bytes(std::uint32_t field, const std::string& value) {
  std::string out;
  auto varint = [&out](std::uint64_t v) {
    while (v >= 0x80) {
      out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out.push_back(static_cast<char>(v));
  };
  varint((static_cast<std::uint64_t>(field) << 3) | 2);
  varint(value.size());
  out += value;
  return out;
}

// Unary call of `method` ("/pkg.Service/Method") with `body` as the request.
inline grpc::Status raw_call(const std::shared_ptr<grpc::Channel>& channel,
                             const std::string& method, const std::string& body,
                             std::string* response = nullptr) {
  grpc::internal::RpcMethod rpc(method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::Slice slice(body);
  grpc::ByteBuffer req(&slice, 1);
  grpc::ByteBuffer resp;
  grpc::Status st = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      channel.get(), rpc, &ctx, req, &resp);
  if (response && st.ok()) {
    std::vector<grpc::Slice> slices;
    (void)resp.Dump(&slices);
    response->clear();
    for (auto& s : slices) response->append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return st;
}

}  // namespace gmsa::reliability
