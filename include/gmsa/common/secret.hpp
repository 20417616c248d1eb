// Secret material (passwords, keys, hashes of passwords): memory is wiped on
// destruction and on every reallocation, and the type has no stream operator,
// so it cannot end up in a log line by accident.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace gmsa {

// Overwrites memory in a way the optimiser may not remove (OPENSSL_cleanse).
void secure_wipe(void* p, std::size_t n) noexcept;

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t n);
  SecretBytes(const std::uint8_t* p, std::size_t n);
  explicit SecretBytes(std::span<const std::uint8_t> s) : SecretBytes(s.data(), s.size()) {}
  static SecretBytes from_string(std::string_view s);

  SecretBytes(const SecretBytes& o);
  SecretBytes& operator=(const SecretBytes& o);
  SecretBytes(SecretBytes&& o) noexcept;
  SecretBytes& operator=(SecretBytes&& o) noexcept;
  ~SecretBytes();

  std::uint8_t* data() { return buf_.data(); }
  const std::uint8_t* data() const { return buf_.data(); }
  std::size_t size() const { return buf_.size(); }
  bool empty() const { return buf_.empty(); }
  std::span<const std::uint8_t> span() const { return {buf_.data(), buf_.size()}; }
  std::uint8_t& operator[](std::size_t i) { return buf_[i]; }
  const std::uint8_t& operator[](std::size_t i) const { return buf_[i]; }

  // Appends, wiping the old buffer if it has to grow.
  void append(const std::uint8_t* p, std::size_t n);
  void clear();

  // Constant-time comparison.
  bool equals(std::span<const std::uint8_t> other) const;

 private:
  std::vector<std::uint8_t> buf_;
};

}  // namespace gmsa
