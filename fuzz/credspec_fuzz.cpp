// Fuzz target: credential spec parsing. Any input must give a value or an
// Error (no crash, no sanitizer report), and whatever parses must survive a
// write/parse round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string_view>

#include "gmsa/credspec/credspec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto spec = gmsa::credspec::parse(text);
  if (!spec) {
    if (spec.error().message.empty()) std::abort();  // every error says which rule
    return 0;
  }
  if (!gmsa::credspec::validate(*spec)) std::abort();
  // Pretty output may be larger than the input: lift the size limit only.
  const std::string written = gmsa::credspec::write(*spec);
  auto again = gmsa::credspec::parse(
      written, {.max_bytes = std::numeric_limits<std::size_t>::max(), .max_depth = 16});
  if (!again) {
    std::fprintf(stderr, "round trip failed: %s\n", again.error().what().c_str());
    std::abort();
  }
  if (!(*again == *spec) || gmsa::credspec::write(*again) != written) {
    std::fprintf(stderr, "round trip changed the spec\n");
    std::abort();
  }
  return 0;
}
