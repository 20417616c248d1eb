// Fuzzes blob::parse. Any accepted blob must re-encode to a blob that parses
// to identical fields; a padding-free one must re-encode byte for byte.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "gmsa/blob/managed_password.hpp"

namespace {

bool same(const gmsa::SecretBytes& a, const gmsa::SecretBytes& b) { return a.equals(b.span()); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> in(data, size);
  auto first = gmsa::blob::parse(in);
  if (!first.ok()) {
    if (first.error().field.empty() || first.error().message.empty()) std::abort();
    return 0;
  }
  auto encoded = gmsa::blob::encode(*first);
  if (!encoded.ok()) std::abort();
  auto second = gmsa::blob::parse(encoded->span());
  if (!second.ok()) std::abort();
  const auto& a = *first;
  const auto& b = *second;
  if (!same(a.current, b.current) || a.previous.has_value() != b.previous.has_value() ||
      (a.previous && !same(*a.previous, *b.previous)) ||
      a.query_interval_100ns != b.query_interval_100ns ||
      a.unchanged_interval_100ns != b.unchanged_interval_100ns) {
    std::abort();
  }
  auto header = gmsa::blob::read_header(in);
  const std::size_t last =
      header->previous_offset != 0 ? header->previous_offset : header->current_offset;
  const bool padded = header->query_offset != last + gmsa::blob::kPasswordFieldBytes;
  if (!padded && !encoded->equals(in)) std::abort();
  return 0;
}
