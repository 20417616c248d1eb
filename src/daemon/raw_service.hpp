// A gRPC service whose unary methods receive the request bytes and parse them
// here (not installed). gRPC's generated sync handlers answer a request
// protobuf cannot parse (a proto3 string that is not UTF-8, garbage) with
// INTERNAL and an empty message before any of our code runs; this adapter
// registers every method of a service descriptor on the same wire names, keeps
// gRPC's synchronous thread pool, and answers INVALID_ARGUMENT naming the
// field and the rule instead.
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/rpc_service_method.h>
#include <grpcpp/support/method_handler.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>

namespace gmsa::daemon {

// The generated descriptor of a service ("pkg.Service"); never null.
const google::protobuf::ServiceDescriptor* service_descriptor(const char* full_name);

// Parses `in` into `msg`. On failure: INVALID_ARGUMENT with
//   "request: field N (name) is not valid UTF-8" (nested: "field 2.1 (a.b)")
//   "request: not a valid <full message name> protobuf message"
grpc::Status parse_request(const grpc::ByteBuffer& in, google::protobuf::Message& msg);

class RawUnaryService final : public grpc::Service {
 public:
  using Handler =
      std::function<grpc::Status(grpc::ServerContext*, const grpc::ByteBuffer*, grpc::ByteBuffer*)>;

  // `impl` (the typed service, kept alive here) serves every method of `svc`.
  RawUnaryService(const google::protobuf::ServiceDescriptor* svc, std::shared_ptr<void> impl);

  // Serves `method` of the descriptor with `fn` of `impl`; the request and
  // response types must be the descriptor's (a mismatch is a programming
  // error: std::logic_error).
  template <class Impl, class Req, class Resp>
  void add(const char* method, Impl* impl,
           grpc::Status (Impl::*fn)(grpc::ServerContext*, const Req*, Resp*)) {
    check(method, Req::descriptor(), Resp::descriptor());
    add_handler(method, [impl, fn](grpc::ServerContext* ctx, const grpc::ByteBuffer* in,
                                   grpc::ByteBuffer* out) {
      Req req;
      if (auto st = parse_request(*in, req); !st.ok()) return st;
      Resp resp;
      grpc::Status st = (impl->*fn)(ctx, &req, &resp);
      if (!st.ok()) return st;
      bool own = false;
      return grpc::SerializationTraits<Resp>::Serialize(resp, out, &own);
    });
  }

  // Throws std::logic_error naming the first method of the descriptor that
  // has no handler: a new RPC in the proto must be served here too.
  void require_all() const;

 private:
  void check(const char* method, const google::protobuf::Descriptor* req,
             const google::protobuf::Descriptor* resp) const;
  void add_handler(const char* method, Handler h);

  const google::protobuf::ServiceDescriptor* svc_;
  std::shared_ptr<void> impl_;
  std::deque<std::string> paths_;  // "/pkg.Service/Method": gRPC keeps the pointers
};

}  // namespace gmsa::daemon
