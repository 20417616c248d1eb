// Name rules on their own (Error.field is empty; callers add the path).
#include <gtest/gtest.h>

#include "gmsa/credspec/credspec.hpp"

namespace gmsa::credspec {
namespace {

std::string account(std::string_view n) {
  auto s = validate_account_name(n);
  return s ? "ok" : s.error().what();
}

TEST(AccountName, Accepted) {
  for (std::string_view n : {"WebApp01", "WebApp01$", "a", "abcdefghijklmnopqrst", "a.b",
                             "svc-web_1", "web app", "a$b", "x..y"})
    EXPECT_EQ(account(n), "ok") << n;
}

TEST(AccountName, EveryForbiddenCharacter) {
  for (char c : std::string_view("\"/\\[]:;|=,+*?<>@")) {
    EXPECT_EQ(account(std::string("a") + c + "b"), std::string("contains '") + c + "'");
  }
  EXPECT_EQ(account("a\x7f"), "contains control character 0x7f");
  EXPECT_EQ(account("a\tb"), "contains control character 0x09");
}

TEST(AccountName, LengthCountsWithoutDollar) {
  EXPECT_EQ(account(std::string(20, 'x') + "$"), "ok");
  EXPECT_EQ(account(std::string(21, 'x')), "longer than 20 characters");
  EXPECT_EQ(account(std::string(21, 'x') + "$"), "longer than 20 characters");
}

TEST(AccountName, NonAsciiRejectedEvenWhenValidUtf8) {
  EXPECT_EQ(account("\xE6\x9D\xB1\xE4\xBA\xAC"), "contains a non-ASCII character");  // 東京
  EXPECT_EQ(account("caf\xC3\xA9"), "contains a non-ASCII character");
}

TEST(AccountName, EdgesAndDots) {
  EXPECT_EQ(account("."), "must not be '.' or '..'");
  EXPECT_EQ(account(".."), "must not be '.' or '..'");
  EXPECT_EQ(account("..."), "starts with '.'");
  EXPECT_EQ(account("web "), "ends with a space");
  EXPECT_EQ(account(" "), "starts with a space");
}

std::string dns(std::string_view n) {
  auto s = validate_dns_name(n);
  return s ? "ok" : s.error().what();
}

TEST(DnsName, Rules) {
  EXPECT_EQ(dns("contoso.com"), "ok");
  EXPECT_EQ(dns("a-b.c0.example"), "ok");
  EXPECT_EQ(dns(std::string(63, 'a')), "ok");
  EXPECT_EQ(dns(""), "is empty");
  EXPECT_EQ(dns(".com"), "has an empty label");
  EXPECT_EQ(dns("a-.com"), "has a label that starts or ends with '-'");
  EXPECT_EQ(dns("a b"), "contains ' '");
  EXPECT_EQ(dns("a/b"), "contains '/'");
  EXPECT_EQ(dns("\xC3\xA9.com"), "contains a non-ASCII character");
}

std::string netbios(std::string_view n) {
  auto s = validate_netbios_name(n);
  return s ? "ok" : s.error().what();
}

TEST(NetbiosName, Rules) {
  EXPECT_EQ(netbios("CONTOSO"), "ok");
  EXPECT_EQ(netbios("CONTOSO-EU_2$!"), "ok");
  EXPECT_EQ(netbios("ABCDEFGHIJKLMNO"), "ok");
  EXPECT_EQ(netbios("ABCDEFGHIJKLMNOP"), "longer than 15 characters");
  EXPECT_EQ(netbios(""), "is empty");
  EXPECT_EQ(netbios("A B"), "contains ' '");
  EXPECT_EQ(netbios("A\\B"), "contains '\\'");
}

TEST(Scope, DnsOrNetbios) {
  EXPECT_TRUE(validate_scope("contoso.com"));
  EXPECT_TRUE(validate_scope("CONTOSO$"));                      // NetBIOS only
  EXPECT_TRUE(validate_scope("averyveryverylongdomainlabel"));  // DNS only
  EXPECT_EQ(validate_scope("a..b").error().what(), "not a DNS or NetBIOS domain name");
}

}  // namespace
}  // namespace gmsa::credspec
