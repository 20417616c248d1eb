#include "gmsa/daemon/dns_srv.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace gmsa::daemon {

namespace {

// The address an A or AAAA record holds, as text; "" for any other record.
std::string rr_address(const ns_rr& rr) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (ns_rr_type(rr) == ns_t_a && ns_rr_rdlen(rr) == 4) {
    inet_ntop(AF_INET, ns_rr_rdata(rr), text, sizeof text);
  } else if (ns_rr_type(rr) == ns_t_aaaa && ns_rr_rdlen(rr) == 16) {
    inet_ntop(AF_INET6, ns_rr_rdata(rr), text, sizeof text);
  }
  return text;
}

}  // namespace

Result<std::vector<SrvRecord>> parse_srv_response(std::span<const std::uint8_t> msg) {
  ns_msg handle;
  if (ns_initparse(msg.data(), static_cast<int>(msg.size()), &handle) != 0) {
    return make_error("dns", "malformed DNS response");
  }
  if (ns_msg_getflag(handle, ns_f_rcode) != ns_r_noerror) {
    return make_error(
        "dns", "server answered rcode " + std::to_string(ns_msg_getflag(handle, ns_f_rcode)));
  }
  std::vector<SrvRecord> out;
  for (int i = 0; i < ns_msg_count(handle, ns_s_an); ++i) {
    ns_rr rr;
    if (ns_parserr(&handle, ns_s_an, i, &rr) != 0) return make_error("dns", "bad answer record");
    if (ns_rr_type(rr) != ns_t_srv) continue;
    const unsigned char* rd = ns_rr_rdata(rr);
    if (ns_rr_rdlen(rr) < 7) return make_error("dns", "short SRV record");
    SrvRecord s;
    s.priority = static_cast<std::uint16_t>(ns_get16(rd));
    s.weight = static_cast<std::uint16_t>(ns_get16(rd + 2));
    s.port = static_cast<std::uint16_t>(ns_get16(rd + 4));
    char name[NS_MAXDNAME];
    if (ns_name_uncompress(ns_msg_base(handle), ns_msg_end(handle), rd + 6, name, sizeof name) <
        0) {
      return make_error("dns", "bad SRV target");
    }
    s.target = name;
    out.push_back(std::move(s));
  }
  for (int i = 0; i < ns_msg_count(handle, ns_s_ar); ++i) {
    ns_rr rr;
    if (ns_parserr(&handle, ns_s_ar, i, &rr) != 0) break;
    const std::string text = rr_address(rr);
    if (text.empty()) continue;
    for (auto& s : out) {
      if (s.address.empty() && strcasecmp(s.target.c_str(), ns_rr_name(rr)) == 0) s.address = text;
    }
  }
  return out;
}

std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, Random& random) {
  std::stable_sort(records.begin(), records.end(),
                   [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
  std::vector<SrvRecord> out;
  std::size_t i = 0;
  while (i < records.size()) {
    std::size_t j = i;
    while (j < records.size() && records[j].priority == records[i].priority) ++j;
    std::vector<SrvRecord> group(records.begin() + static_cast<long>(i),
                                 records.begin() + static_cast<long>(j));
    // Zero-weight entries first, as RFC 2782 suggests, then the weighted draw.
    std::stable_sort(group.begin(), group.end(),
                     [](const SrvRecord& a, const SrvRecord& b) { return a.weight < b.weight; });
    while (!group.empty()) {
      std::uint64_t total = 0;
      for (const auto& g : group) total += g.weight;
      std::uint64_t pick = random.next_u64() % (total + 1);
      std::size_t k = 0;
      std::uint64_t running = 0;
      for (; k < group.size(); ++k) {
        running += group[k].weight;
        if (running >= pick) break;
      }
      if (k == group.size()) k = group.size() - 1;
      out.push_back(group[k]);
      group.erase(group.begin() + static_cast<long>(k));
    }
    i = j;
  }
  return out;
}

Result<DnsServer> parse_dns_server(const std::string& server) {
  auto ap = parse_address_port("dns_server", server);
  if (!ap) return ap.error();
  const std::uint16_t port = htons(ap->port.value_or(53));
  DnsServer out;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
  if (inet_pton(AF_INET, ap->address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = port;
    out.len = sizeof(sockaddr_in);
  } else {  // parse_address_port accepted it: IPv6
    inet_pton(AF_INET6, ap->address.c_str(), &v6->sin6_addr);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = port;
    out.len = sizeof(sockaddr_in6);
  }
  return out;
}

namespace {

using SteadyClock = std::chrono::steady_clock;

// Milliseconds to the deadline, rounded up: poll never returns before it.
int remaining_ms(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - SteadyClock::now());
  return static_cast<int>(std::max<long long>(0, (left.count() + 999) / 1000));
}

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

bool wait_for(int fd, short events, SteadyClock::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

// Our own transport over res_nmkquery: UDP to the one configured server (IPv4
// or IPv6), TCP when the answer is truncated; one deadline for both. The
// system resolver's server list, search list and retries are never used.
class Dns {
 public:
  // res_ninit reads resolv.conf (for res_nmkquery's defaults only) once per
  // discovery, not once per query.
  Dns(DnsServer server, std::chrono::milliseconds timeout)
      : server_(server), timeout_(timeout), ready_(res_ninit(&st_) == 0) {}
  ~Dns() {
    if (ready_) res_nclose(&st_);
  }
  Dns(const Dns&) = delete;
  Dns& operator=(const Dns&) = delete;

  Result<std::vector<std::uint8_t>> query(const std::string& name, int type) {
    if (!ready_) return make_error("dns", "res_ninit failed");
    std::vector<std::uint8_t> q(NS_PACKETSZ);
    int n = res_nmkquery(&st_, ns_o_query, name.c_str(), ns_c_in, type, nullptr, 0, nullptr,
                         q.data(), static_cast<int>(q.size()));
    if (n < 0) return make_error("dns", "cannot build a query for " + name);
    q.resize(static_cast<std::size_t>(n));
    const auto deadline = SteadyClock::now() + timeout_;
    auto answer = over_udp(q, deadline);
    if (answer && answer->size() >= 3 && ((*answer)[2] & 0x02) != 0) answer = over_tcp(q, deadline);
    if (!answer) return make_error("dns", answer.error().message + " for " + name);
    return answer;
  }

 private:
  Result<std::vector<std::uint8_t>> over_udp(const std::vector<std::uint8_t>& q,
                                             SteadyClock::time_point deadline) {
    Fd s(::socket(server_.addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (s.fd < 0) return make_error("dns", "cannot open a UDP socket");
    if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&server_.addr), server_.len) != 0 ||
        ::send(s.fd, q.data(), q.size(), 0) != static_cast<ssize_t>(q.size())) {
      return make_error("dns",
                        std::string("cannot send to the DNS server: ") + std::strerror(errno));
    }
    std::vector<std::uint8_t> buf(65535);
    while (wait_for(s.fd, POLLIN, deadline)) {
      ssize_t r = ::recv(s.fd, buf.data(), buf.size(), 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r < 0) {
        return make_error("dns",
                          std::string("no answer from the DNS server: ") + std::strerror(errno));
      }
      // Only the answer to this query (same id, QR set) counts.
      if (r >= 12 && buf[0] == q[0] && buf[1] == q[1] && (buf[2] & 0x80) != 0) {
        buf.resize(static_cast<std::size_t>(r));
        return buf;
      }
    }
    return make_error("dns", "no answer from the DNS server within the timeout");
  }

  Result<std::vector<std::uint8_t>> over_tcp(const std::vector<std::uint8_t>& q,
                                             SteadyClock::time_point deadline) {
    Fd s(::socket(server_.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (s.fd < 0) return make_error("dns", "cannot open a TCP socket");
    if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&server_.addr), server_.len) != 0) {
      int err = 0;
      socklen_t len = sizeof err;
      if (errno != EINPROGRESS || !wait_for(s.fd, POLLOUT, deadline) ||
          ::getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        return make_error("dns", "cannot connect to the DNS server over TCP");
      }
    }
    std::vector<std::uint8_t> out = {static_cast<std::uint8_t>(q.size() >> 8),
                                     static_cast<std::uint8_t>(q.size())};
    out.insert(out.end(), q.begin(), q.end());
    if (!io(s.fd, out.data(), out.size(), deadline, true)) {
      return make_error("dns", "cannot send to the DNS server over TCP");
    }
    std::uint8_t len[2];
    if (!io(s.fd, len, 2, deadline, false)) return make_error("dns", "no answer over TCP");
    std::vector<std::uint8_t> answer(static_cast<std::size_t>(len[0] << 8 | len[1]));
    if (answer.size() < 12 || !io(s.fd, answer.data(), answer.size(), deadline, false) ||
        answer[0] != q[0] || answer[1] != q[1]) {
      return make_error("dns", "no valid answer over TCP");
    }
    return answer;
  }

  // Sends or receives exactly n bytes before the deadline.
  static bool io(int fd, std::uint8_t* p, std::size_t n, SteadyClock::time_point deadline,
                 bool send) {
    while (n > 0) {
      if (!wait_for(fd, send ? POLLOUT : POLLIN, deadline)) return false;
      ssize_t r = send ? ::send(fd, p, n, MSG_NOSIGNAL) : ::recv(fd, p, n, 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) return false;
      p += r;
      n -= static_cast<std::size_t>(r);
    }
    return true;
  }

  DnsServer server_;
  std::chrono::milliseconds timeout_;
  struct __res_state st_ {};
  bool ready_;
};

// The first address of `type` (A or AAAA) in a response's answers, or "".
std::string first_address(const std::vector<std::uint8_t>& msg, int type) {
  ns_msg h;
  if (ns_initparse(msg.data(), static_cast<int>(msg.size()), &h) != 0) return "";
  for (int i = 0; i < ns_msg_count(h, ns_s_an); ++i) {
    ns_rr rr;
    if (ns_parserr(&h, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != type) continue;
    if (std::string text = rr_address(rr); !text.empty()) return text;
  }
  return "";
}

}  // namespace

Result<std::vector<SrvRecord>> query_srv(const std::string& name, const std::string& server,
                                         std::chrono::milliseconds timeout) {
  auto srv = parse_dns_server(server);
  if (!srv) return srv.error();
  Dns dns(*srv, timeout);
  auto msg = dns.query(name, ns_t_srv);
  if (!msg) return msg.error();
  auto recs = parse_srv_response(*msg);
  if (!recs) return recs.error();
  for (auto& s : *recs) {
    for (int type : {ns_t_a, ns_t_aaaa}) {
      if (!s.address.empty()) break;
      if (auto a = dns.query(s.target, type)) s.address = first_address(*a, type);
    }
  }
  return recs;
}

Result<std::vector<DcConfig>> discover_dcs(const DaemonConfig& cfg, Random& random) {
  if (!cfg.dcs.empty()) return cfg.dcs;
  auto recs = query_srv("_ldap._tcp." + cfg.domain, cfg.dns_server, cfg.connect_timeout);
  if (!recs) return recs.error();
  std::vector<DcConfig> out;
  for (const auto& s : order_srv(std::move(recs).value(), random)) {
    if (s.address.empty()) continue;
    DcConfig dc;
    dc.host = s.target;
    if (!dc.host.empty() && dc.host.back() == '.') dc.host.pop_back();
    dc.address = s.address;
    dc.port = s.port;
    dc.ldaps = s.port == 636;
    out.push_back(std::move(dc));
  }
  if (out.empty()) return make_error("dns", "no usable _ldap._tcp." + cfg.domain + " SRV records");
  return out;
}

}  // namespace gmsa::daemon
