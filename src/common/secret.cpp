#include "gmsa/common/secret.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace gmsa {

void secure_wipe(void* p, std::size_t n) noexcept {
  if (p != nullptr && n != 0) OPENSSL_cleanse(p, n);
}

SecretBytes::SecretBytes(std::size_t n) : buf_(n, 0) {}

SecretBytes::SecretBytes(const std::uint8_t* p, std::size_t n) : buf_(p, p + n) {}

SecretBytes SecretBytes::from_string(std::string_view s) {
  return SecretBytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

SecretBytes::SecretBytes(const SecretBytes& o) : buf_(o.buf_) {}

SecretBytes& SecretBytes::operator=(const SecretBytes& o) {
  if (this != &o) {
    clear();
    buf_ = o.buf_;
  }
  return *this;
}

SecretBytes::SecretBytes(SecretBytes&& o) noexcept : buf_(std::move(o.buf_)) { o.buf_.clear(); }

SecretBytes& SecretBytes::operator=(SecretBytes&& o) noexcept {
  if (this != &o) {
    clear();
    buf_ = std::move(o.buf_);
    o.buf_.clear();
  }
  return *this;
}

SecretBytes::~SecretBytes() { clear(); }

void SecretBytes::append(const std::uint8_t* p, std::size_t n) {
  if (buf_.size() + n > buf_.capacity()) {
    std::vector<std::uint8_t> bigger;
    bigger.reserve((buf_.size() + n) * 2);
    bigger.assign(buf_.begin(), buf_.end());
    clear();
    buf_ = std::move(bigger);
  }
  buf_.insert(buf_.end(), p, p + n);
}

void SecretBytes::clear() {
  secure_wipe(buf_.data(), buf_.capacity());
  buf_.clear();
}

bool SecretBytes::equals(std::span<const std::uint8_t> other) const {
  if (other.size() != buf_.size()) return false;
  return CRYPTO_memcmp(buf_.data(), other.data(), buf_.size()) == 0;
}

}  // namespace gmsa
