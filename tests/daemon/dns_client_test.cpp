// query_srv's own transport against a DNS server on loopback (IPv6 and IPv4):
// UDP, TCP after a truncated answer, A then AAAA for targets without an
// address, one deadline; and parse_dns_server / finalize on bad servers.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "dns_messages.hpp"
#include "gmsa/daemon/config.hpp"
#include "gmsa/daemon/dns_srv.hpp"

namespace gmsa::daemon {
namespace {

using namespace std::chrono_literals;

std::uint16_t qtype_of(const std::uint8_t* q, std::size_t n) {
  std::size_t i = 12;
  while (i < n && q[i] != 0) i += 1u + q[i];
  return i + 2 < n ? static_cast<std::uint16_t>(q[i + 1] << 8 | q[i + 2]) : 0;
}

// The answer to query q: SRV -> the two-record response of dns_messages.hpp;
// A -> no answer; AAAA -> fd00::12 for whatever was asked.
std::vector<std::uint8_t> answer_for(const std::vector<std::uint8_t>& q) {
  std::vector<std::uint8_t> m;
  if (qtype_of(q.data(), q.size()) == 33) {
    m = testing::srv_response();
  } else {
    m = q;  // header + question, then the answers
    m[2] = 0x81;
    m[3] = 0x80;
    if (qtype_of(q.data(), q.size()) == 28) {
      m[7] = 1;  // ANCOUNT
      for (int b : {0xC0, 0x0C, 0, 28, 0, 1, 0, 0, 1, 44, 0, 16})
        m.push_back(static_cast<std::uint8_t>(b));
      std::uint8_t a[16];
      inet_pton(AF_INET6, "fd00::12", a);
      m.insert(m.end(), a, a + 16);
    }
  }
  m[0] = q[0];
  m[1] = q[1];
  return m;
}

// A DNS server on [::1] (or 127.0.0.1): UDP and TCP on one port. `truncate`:
// SRV over UDP is answered with TC set and no records (the full answer only
// over TCP); `silent`: nothing is ever answered.
class FakeDns {
 public:
  FakeDns(int family, bool truncate, bool silent)
      : family_(family), truncate_(truncate), silent_(silent) {
    sockaddr_storage ss{};
    socklen_t len = bind_any(ss);
    udp_ = ::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_EQ(::bind(udp_, reinterpret_cast<sockaddr*>(&ss), len), 0);
    EXPECT_EQ(::getsockname(udp_, reinterpret_cast<sockaddr*>(&ss), &len), 0);
    tcp_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    EXPECT_EQ(::bind(tcp_, reinterpret_cast<sockaddr*>(&ss), len), 0);
    EXPECT_EQ(::listen(tcp_, 4), 0);
    port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                                     : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeDns() {
    stop_ = true;
    thread_.join();
    ::close(udp_);
    ::close(tcp_);
  }
  std::string server() const {
    return family_ == AF_INET6 ? "[::1]:" + std::to_string(port_)
                               : "127.0.0.1:" + std::to_string(port_);
  }
  std::atomic<int> udp_queries{0}, tcp_queries{0};

 private:
  socklen_t bind_any(sockaddr_storage& ss) const {
    if (family_ == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      return sizeof *a;
    }
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof *a;
  }
  void serve() {
    while (!stop_) {
      pollfd p[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
      if (::poll(p, 2, 50) <= 0) continue;
      if (p[0].revents & POLLIN) {
        std::vector<std::uint8_t> q(512);
        sockaddr_storage from{};
        socklen_t fl = sizeof from;
        ssize_t n =
            ::recvfrom(udp_, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
        if (n < 12) continue;
        q.resize(static_cast<std::size_t>(n));
        ++udp_queries;
        if (silent_) continue;
        auto a = answer_for(q);
        if (truncate_ && qtype_of(q.data(), q.size()) == 33) {
          a.assign(q.begin(), q.end());
          a[2] = 0x83;  // QR, TC, RD
          a[3] = 0x80;
        }
        ::sendto(udp_, a.data(), a.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
      }
      if (p[1].revents & POLLIN) {
        int c = ::accept4(tcp_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) continue;
        std::uint8_t len[2];
        if (::recv(c, len, 2, MSG_WAITALL) == 2) {
          std::vector<std::uint8_t> q(static_cast<std::size_t>(len[0] << 8 | len[1]));
          if (::recv(c, q.data(), q.size(), MSG_WAITALL) == static_cast<ssize_t>(q.size())) {
            ++tcp_queries;
            auto a = answer_for(q);
            std::uint8_t out[2] = {static_cast<std::uint8_t>(a.size() >> 8),
                                   static_cast<std::uint8_t>(a.size())};
            ::send(c, out, 2, MSG_NOSIGNAL);
            ::send(c, a.data(), a.size(), MSG_NOSIGNAL);
          }
        }
        ::close(c);
      }
    }
  }

  int family_;
  bool truncate_, silent_;
  int udp_ = -1, tcp_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

const std::vector<SrvRecord> kWant = {{10, 0, 389, "dc2.contoso.test", "fd00::12"},
                                      {0, 100, 389, "dc1.contoso.test", "10.213.0.11"}};

TEST(DnsClient, QueriesAnIpv6ServerAndFallsBackToAaaa) {
  FakeDns dns(AF_INET6, false, false);
  auto r = query_srv("_ldap._tcp.contoso.test", dns.server(), 2s);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(*r, kWant);
  EXPECT_EQ(dns.udp_queries.load(), 3);  // SRV, A dc2 (empty), AAAA dc2
  EXPECT_EQ(dns.tcp_queries.load(), 0);
}

TEST(DnsClient, ATruncatedAnswerIsAskedAgainOverTcp) {
  FakeDns dns(AF_INET, true, false);
  auto r = query_srv("_ldap._tcp.contoso.test", dns.server(), 2s);
  ASSERT_TRUE(r.ok()) << r.error().what();
  EXPECT_EQ(*r, kWant);
  EXPECT_EQ(dns.tcp_queries.load(), 1);
}

TEST(DnsClient, ASilentServerFailsWithinTheTimeout) {
  FakeDns dns(AF_INET6, false, true);
  auto start = std::chrono::steady_clock::now();
  auto r = query_srv("_ldap._tcp.contoso.test", dns.server(), 300ms);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().what(),
            "dns: no answer from the DNS server within the timeout for _ldap._tcp.contoso.test");
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 5s);  // bounded by the timeout, not by a resolver's retries
}

TEST(DnsClient, ServerForms) {
  for (const char* ok : {"10.0.0.2", "10.0.0.2:5353", "fd00::53", "[fd00::53]", "[::1]:53"}) {
    EXPECT_TRUE(parse_dns_server(ok).ok()) << ok;
  }
  EXPECT_EQ(parse_dns_server("dns.contoso.test").error().what(),
            "dns_server: 'dns.contoso.test' is not an IP address (names are never resolved)");
  EXPECT_EQ(parse_dns_server("10.0.0.2:0").error().what(), "dns_server: bad port '0'");
  EXPECT_EQ(parse_dns_server("[::1]x").error().what(), "dns_server: junk after ']'");
  EXPECT_EQ(parse_dns_server("[::1").error().what(), "dns_server: unterminated '[' in '[::1'");
  auto c = parse_config_json(R"({"domain":"contoso.test","krb5_conf":"/k","dns_server":"ns1"})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(finalize(*c).error().what(),
            "dns_server: 'ns1' is not an IP address (names are never resolved)");
}

}  // namespace
}  // namespace gmsa::daemon
