// DC discovery: _ldap._tcp.<domain> SRV records from one configured DNS
// server (res_nquery with our own resolver state: the system resolver is
// never used implicitly), ordered by priority and weight (RFC 2782).
#pragma once

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

// Queries `name` SRV at server "ip[:port]" (IPv4), with one try of `timeout`,
// then resolves targets without an address through the same server.
Result<std::vector<SrvRecord>> query_srv(const std::string& name, const std::string& server,
                                         std::chrono::milliseconds timeout);

// Ordered DC list for the daemon: explicit config, or SRV discovery.
Result<std::vector<DcConfig>> discover_dcs(const DaemonConfig& cfg, Random& random);

}  // namespace gmsa::daemon
