// decode_password_id must never crash, and whatever it accepts must encode
// back to exactly the same bytes (the decoder is strict, so there is one
// encoding per value).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "gmsa/gkdi/gkdi.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  auto id = gmsa::gkdi::decode_password_id(in);
  if (!id.ok()) return 0;
  const auto again = gmsa::gkdi::encode_password_id(*id);
  if (again.size() != size || !std::equal(again.begin(), again.end(), in.begin())) std::abort();
  return 0;
}
