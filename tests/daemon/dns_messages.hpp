// Test support: DNS messages built byte by byte (RFC 1035 / 2782).
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

namespace gmsa::daemon::testing {

// A DNS response for _ldap._tcp.contoso.test SRV with two answers and one A
// record in the additional section, built byte by byte (RFC 1035 / 2782).
inline std::vector<std::uint8_t> srv_response() {
  std::vector<std::uint8_t> m = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 1};
  auto name = [&](std::initializer_list<const char*> labels) {
    for (const char* l : labels) {
      m.push_back(static_cast<std::uint8_t>(std::strlen(l)));
      m.insert(m.end(), l, l + std::strlen(l));
    }
    m.push_back(0);
  };
  auto u16 = [&](unsigned v) {
    m.push_back(static_cast<std::uint8_t>(v >> 8));
    m.push_back(static_cast<std::uint8_t>(v));
  };
  name({"_ldap", "_tcp", "contoso", "test"});
  u16(33);
  u16(1);
  auto srv = [&](unsigned prio, unsigned weight, unsigned port, const char* host) {
    u16(0xC00C);  // pointer to the question name
    u16(33);
    u16(1);
    u16(0);
    u16(300);
    u16(static_cast<unsigned>(6 + (1 + std::strlen(host)) + (1 + 7) + (1 + 4) + 1));
    u16(prio);
    u16(weight);
    u16(port);
    name({host, "contoso", "test"});
  };
  srv(10, 0, 389, "dc2");
  srv(0, 100, 389, "dc1");
  name({"dc1", "contoso", "test"});
  u16(1);
  u16(1);
  u16(0);
  u16(300);
  u16(4);
  for (int b : {10, 213, 0, 11}) m.push_back(static_cast<std::uint8_t>(b));
  return m;
}

}  // namespace gmsa::daemon::testing
