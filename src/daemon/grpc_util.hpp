// Error -> grpc::Status mapping shared by the services (not installed).
#pragma once

#include <grpcpp/grpcpp.h>

#include "gmsa/common/result.hpp"

namespace gmsa::daemon {

inline grpc::Status invalid(const Error& e) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, e.what());
}
inline grpc::Status unavailable(const Error& e) {
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, e.what());
}
inline grpc::Status not_found(const Error& e) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, e.what());
}

template <class Range>
std::vector<std::string> to_vector(const Range& r) {
  return std::vector<std::string>(r.begin(), r.end());
}

}  // namespace gmsa::daemon
