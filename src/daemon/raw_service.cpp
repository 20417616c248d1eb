#include "raw_service.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <grpcpp/support/proto_buffer_reader.h>
#include <openssl/crypto.h>

#include <stdexcept>

#include "gmsa/credspec/strict_json.hpp"

namespace gmsa::daemon {
namespace {

namespace gp = google::protobuf;

grpc::Status bad_request(const std::string& what) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "request: " + what);
}

// Walks the wire format of a message protobuf refused and returns the first
// proto3 string field (nested messages included) that is not UTF-8, as
// "field N (name) is not valid UTF-8"; "" when there is none or the bytes are
// malformed before one is reached. String values are wiped after the check
// (they may be passwords).
std::string find_bad_utf8(gp::io::CodedInputStream& in, const gp::Descriptor& d,
                          const std::string& num_prefix, const std::string& name_prefix,
                          int depth) {
  for (;;) {
    std::uint32_t tag = in.ReadTag();
    if (tag == 0) return "";
    int number = static_cast<int>(tag >> 3);
    std::uint32_t wire = tag & 7;
    const gp::FieldDescriptor* f = d.FindFieldByNumber(number);
    if (wire == 2) {
      std::uint32_t len = 0;
      if (!in.ReadVarint32(&len)) return "";
      std::string num = num_prefix + std::to_string(number);
      if (f && f->type() == gp::FieldDescriptor::TYPE_STRING &&
          f->file()->syntax() == gp::FileDescriptor::SYNTAX_PROTO3) {
        std::string value;
        if (!in.ReadString(&value, static_cast<int>(len))) return "";
        bool bad = json::first_invalid_utf8(value) != std::string_view::npos;
        OPENSSL_cleanse(value.data(), value.size());
        if (bad) return "field " + num + " (" + name_prefix + f->name() + ") is not valid UTF-8";
      } else if (f && f->type() == gp::FieldDescriptor::TYPE_MESSAGE && depth < 16) {
        auto limit = in.PushLimit(static_cast<int>(len));
        std::string r = find_bad_utf8(in, *f->message_type(), num + ".",
                                      name_prefix + f->name() + ".", depth + 1);
        if (!r.empty()) return r;
        if (in.BytesUntilLimit() != 0) return "";
        in.PopLimit(limit);
      } else if (!in.Skip(static_cast<int>(len))) {
        return "";
      }
      continue;
    }
    bool ok = false;
    if (wire == 0) {
      std::uint64_t v = 0;
      ok = in.ReadVarint64(&v);
    } else if (wire == 1) {
      std::uint64_t v = 0;
      ok = in.ReadLittleEndian64(&v);
    } else if (wire == 5) {
      std::uint32_t v = 0;
      ok = in.ReadLittleEndian32(&v);
    }
    if (!ok) return "";  // groups (3, 4) and invalid wire types end the walk too
  }
}

}  // namespace

const gp::ServiceDescriptor* service_descriptor(const char* full_name) {
  const gp::ServiceDescriptor* d =
      gp::DescriptorPool::generated_pool()->FindServiceByName(full_name);
  if (!d) throw std::logic_error(std::string(full_name) + ": no generated descriptor");
  return d;
}

grpc::Status parse_request(const grpc::ByteBuffer& in, gp::Message& msg) {
  grpc::ByteBuffer copy(in);  // shares the slices
  {
    grpc::ProtoBufferReader reader(&copy);
    if (reader.status().ok() && msg.ParseFromZeroCopyStream(&reader)) return grpc::Status::OK;
  }
  msg.Clear();
  grpc::ByteBuffer again(in);
  grpc::ProtoBufferReader reader(&again);
  std::string field;
  if (reader.status().ok()) {
    gp::io::CodedInputStream cin(&reader);
    field = find_bad_utf8(cin, *msg.GetDescriptor(), "", "", 0);
  }
  if (!field.empty()) return bad_request(field);
  return bad_request("not a valid " + msg.GetDescriptor()->full_name() + " protobuf message");
}

RawUnaryService::RawUnaryService(const gp::ServiceDescriptor* svc, std::shared_ptr<void> impl)
    : svc_(svc), impl_(std::move(impl)) {}

void RawUnaryService::check(const char* method, const gp::Descriptor* req,
                            const gp::Descriptor* resp) const {
  const gp::MethodDescriptor* m = svc_->FindMethodByName(method);
  if (!m || m->client_streaming() || m->server_streaming() || m->input_type() != req ||
      m->output_type() != resp) {
    throw std::logic_error(svc_->full_name() + "/" + method +
                           ": not a unary method with these request/response types");
  }
}

void RawUnaryService::add_handler(const char* method, Handler h) {
  const std::string& path = paths_.emplace_back("/" + svc_->full_name() + "/" + method);
  AddMethod(new grpc::internal::RpcServiceMethod(
      path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC,
      new grpc::internal::RpcMethodHandler<RawUnaryService, grpc::ByteBuffer, grpc::ByteBuffer>(
          [h = std::move(h)](RawUnaryService*, grpc::ServerContext* ctx, const grpc::ByteBuffer* in,
                             grpc::ByteBuffer* out) { return h(ctx, in, out); },
          this)));
}

void RawUnaryService::require_all() const {
  for (int i = 0; i < svc_->method_count(); ++i) {
    std::string path = "/" + svc_->full_name() + "/" + svc_->method(i)->name();
    bool found = false;
    for (const auto& p : paths_) found = found || p == path;
    if (!found) throw std::logic_error(path + ": no handler registered");
  }
}

}  // namespace gmsa::daemon
