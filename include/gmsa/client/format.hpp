// Text shown by `gmsa status` and `gmsa lease list|show`: pure functions of
// the daemon's answers and the time, so they are unit-tested exactly.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gmsa/client/client.hpp"

namespace gmsa::client {

// "9h59m", "4m07s", "12s", "expired" (for <= 0), "-" (unknown).
std::string format_duration(std::int64_t seconds);

// When a lease file was last rewritten (the daemon rewrites krb5cc atomically
// on every refresh): unix seconds, or nullopt when it cannot be read.
using RefreshedAt = std::function<std::optional<std::int64_t>(const std::string& ccache_path)>;
RefreshedAt file_mtime();

// Header line then a table: LEASE ACCOUNT EXPIRES-IN LAST-REFRESH HEALTH, one
// row per lease account; then the daemon's problems, if any.
std::string status_table(const DaemonStatus& status, const std::vector<Lease>& leases,
                         std::int64_t now_unix, const RefreshedAt& refreshed_at);

std::string lease_list(const std::vector<Lease>& leases);
std::string lease_details(const Lease& lease, std::int64_t now_unix);

}  // namespace gmsa::client
