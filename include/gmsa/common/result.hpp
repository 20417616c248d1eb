// Errors as values. A Result<T> holds either a T or an Error; an Error names
// the field (a JSON path, a blob field, a request field) and the rule broken.
// Rule: anything that can go wrong because of input, the network or the disk
// is an Error; a broken internal invariant is a crash (assert/abort).
#pragma once

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

namespace gmsa {

struct Error {
  std::string field;    // where: "ActiveDirectoryConfig.GroupManagedServiceAccounts[1].Name"
  std::string message;  // what rule was broken: "contains '/'"

  // "field: message", or just the message when no field applies.
  std::string what() const { return field.empty() ? message : field + ": " + message; }
};

inline Error make_error(std::string field, std::string message) {
  return Error{std::move(field), std::move(message)};
}

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return checked(); }
  const T& value() const& { return const_cast<Result*>(this)->checked(); }
  T&& value() && { return std::move(checked()); }
  T* operator->() { return &checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->checked(); }
  T& operator*() & { return checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->checked(); }

  const Error& error() const {
    if (ok()) std::abort();
    return std::get<1>(v_);
  }

 private:
  T& checked() {
    if (!ok()) std::abort();  // invariant: callers test ok() first
    return std::get<0>(v_);
  }
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace gmsa
