#include "gmsa/daemon/dns_srv.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace gmsa::daemon {

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
    char text[INET6_ADDRSTRLEN] = {0};
    if (ns_rr_type(rr) == ns_t_a && ns_rr_rdlen(rr) == 4) {
      inet_ntop(AF_INET, ns_rr_rdata(rr), text, sizeof text);
    } else if (ns_rr_type(rr) == ns_t_aaaa && ns_rr_rdlen(rr) == 16) {
      inet_ntop(AF_INET6, ns_rr_rdata(rr), text, sizeof text);
    } else {
      continue;
    }
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

namespace {

struct Resolver {
  struct __res_state st {};
  bool ok = false;
  Resolver(const std::string& server, std::chrono::milliseconds timeout, Error& err) {
    std::string ip = server;
    std::uint16_t port = 53;
    auto colon = server.find(':');
    if (colon != std::string::npos) {
      ip = server.substr(0, colon);
      std::string p = server.substr(colon + 1);
      auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
      if (ec != std::errc() || ptr != p.data() + p.size() || port == 0) {
        err = make_error("dns_server", "bad port in '" + server + "'");
        return;
      }
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) != 1) {
      err = make_error("dns_server", "'" + ip + "' is not an IPv4 address");
      return;
    }
    if (res_ninit(&st) != 0) {
      err = make_error("dns", "res_ninit failed");
      return;
    }
    // Only our server; no search lists; one try with our timeout.
    st.nscount = 1;
    st.nsaddr_list[0] = sa;
    st.retrans = std::max(1, static_cast<int>((timeout.count() + 999) / 1000));
    st.retry = 1;
    st.options &= ~static_cast<unsigned long>(RES_DNSRCH | RES_DEFNAMES);
    ok = true;
  }
  ~Resolver() {
    if (ok) res_nclose(&st);
  }
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  Result<std::vector<std::uint8_t>> query(const std::string& name, int type) {
    std::vector<std::uint8_t> buf(NS_PACKETSZ * 16);
    int n = res_nquery(&st, name.c_str(), ns_c_in, type, buf.data(), static_cast<int>(buf.size()));
    if (n < 0)
      return make_error("dns", "no answer for " + name + " from the configured DNS server");
    buf.resize(static_cast<std::size_t>(n));
    return buf;
  }
};

}  // namespace

Result<std::vector<SrvRecord>> query_srv(const std::string& name, const std::string& server,
                                         std::chrono::milliseconds timeout) {
  Error err;
  Resolver r(server, timeout, err);
  if (!r.ok) return err;
  auto msg = r.query(name, ns_t_srv);
  if (!msg) return msg.error();
  auto recs = parse_srv_response(*msg);
  if (!recs) return recs.error();
  for (auto& s : *recs) {
    if (!s.address.empty()) continue;
    auto a = r.query(s.target, ns_t_a);
    if (!a) continue;
    ns_msg h;
    if (ns_initparse(a->data(), static_cast<int>(a->size()), &h) != 0) continue;
    for (int i = 0; i < ns_msg_count(h, ns_s_an); ++i) {
      ns_rr rr;
      if (ns_parserr(&h, ns_s_an, i, &rr) == 0 && ns_rr_type(rr) == ns_t_a &&
          ns_rr_rdlen(rr) == 4) {
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, ns_rr_rdata(rr), text, sizeof text);
        s.address = text;
        break;
      }
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
