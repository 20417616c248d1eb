// DC discovery: _ldap._tcp.<domain> SRV records from one configured DNS
// server, IPv4 or IPv6 (queries built by res_nmkquery, sent over our own UDP
// socket, TCP when truncated: the system resolver's servers are never used),
// ordered by priority and weight (RFC 2782).
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "gmsa/common/result.hpp"
#include "gmsa/daemon/config.hpp"
#include "gmsa/daemon/lease_id.hpp"

namespace gmsa::daemon {

struct SrvRecord {
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;
  std::string address;  // from the additional section or an A query; "" if none
  bool operator==(const SrvRecord&) const = default;
};

// Parses a DNS response (ns_initparse): SRV answers, with A/AAAA addresses
// from the additional section attached.
Result<std::vector<SrvRecord>> parse_srv_response(std::span<const std::uint8_t> msg);

// RFC 2782 order: ascending priority; inside one priority a weighted random
// order (weight 0 entries get a small chance, as the RFC says).
std::vector<SrvRecord> order_srv(std::vector<SrvRecord> records, Random& random);

// A DNS server in parse_address_port's forms ("1.2.3.4:5353", "fd00::53",
// "[fd00::53]:5353", ...), port 53 by default. Errors name dns_server.
struct DnsServer {
  sockaddr_storage addr{};
  socklen_t len = 0;
};
Result<DnsServer> parse_dns_server(const std::string& server);

// Queries `name` SRV at `server` (parse_dns_server) within `timeout` (UDP,
// then TCP if the answer is truncated), then resolves targets without an
// address (A, then AAAA) through the same server.
Result<std::vector<SrvRecord>> query_srv(const std::string& name, const std::string& server,
                                         std::chrono::milliseconds timeout);

// Ordered DC list for the daemon: explicit config, or SRV discovery.
Result<std::vector<DcConfig>> discover_dcs(const DaemonConfig& cfg, Random& random);

}  // namespace gmsa::daemon
