#include "gmsa/common/secret.hpp"

#include <gtest/gtest.h>

#include <type_traits>

namespace gmsa {
namespace {

TEST(SecretBytes, CopiesMovesAndCompares) {
  SecretBytes a = SecretBytes::from_string("hunter2");
  SecretBytes b = a;
  EXPECT_TRUE(b.equals(a.span()));
  SecretBytes c = std::move(b);
  EXPECT_TRUE(b.empty());
  EXPECT_TRUE(c.equals(a.span()));
  c.append(reinterpret_cast<const std::uint8_t*>("!"), 1);
  EXPECT_EQ(c.size(), 8u);
  EXPECT_FALSE(c.equals(a.span()));
  c.clear();
  EXPECT_TRUE(c.empty());
}

TEST(SecureWipe, ZeroesMemory) {
  std::uint8_t buf[16];
  for (auto& x : buf) x = 0xAB;
  secure_wipe(buf, sizeof buf);
  for (auto x : buf) EXPECT_EQ(x, 0);
}

// SecretBytes must not be streamable: nothing may print a secret by accident.
template <class T, class = void>
struct Streamable : std::false_type {};
template <class T>
struct Streamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<T>())>>
    : std::true_type {};
static_assert(!Streamable<SecretBytes>::value);

}  // namespace
}  // namespace gmsa
