#include "gmsa/client/format.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace gmsa::client {

std::string format_duration(std::int64_t s) {
  if (s <= 0) return "expired";
  char buf[32];
  if (s >= 86400) {
    std::snprintf(buf, sizeof buf, "%lldd%02lldh", static_cast<long long>(s / 86400),
                  static_cast<long long>(s % 86400 / 3600));
  } else if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  } else if (s >= 60) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llds", static_cast<long long>(s));
  }
  return buf;
}

RefreshedAt file_mtime() {
  return [](const std::string& path) -> std::optional<std::int64_t> {
    struct stat st {};
    if (path.empty() || ::stat(path.c_str(), &st) != 0) return std::nullopt;
    return static_cast<std::int64_t>(st.st_mtim.tv_sec);
  };
}

namespace {

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width;
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  std::ostringstream os;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    os << line << "\n";
  }
  return os.str();
}

std::string health_of(const LeaseAccount& a) {
  return a.last_error.empty() ? a.state : a.state + " (" + a.last_error + ")";
}

}  // namespace

std::string status_table(const DaemonStatus& s, const std::vector<Lease>& leases, std::int64_t now,
                         const RefreshedAt& refreshed_at) {
  std::ostringstream os;
  os << "gmsa-brokerd: " << (s.healthy ? "healthy" : "DEGRADED") << ", realm " << s.realm
     << ", last DC " << (s.last_dc.empty() ? "-" : s.last_dc) << ", " << s.lease_count
     << (s.lease_count == 1 ? " lease, " : " leases, ") << s.identity_count
     << (s.identity_count == 1 ? " identity\n" : " identities\n");
  for (const auto& p : s.problems) os << "problem: " << p << "\n";
  if (leases.empty()) {
    os << "no leases\n";
    return os.str();
  }
  std::vector<std::vector<std::string>> rows = {
      {"LEASE", "ACCOUNT", "EXPIRES IN", "LAST REFRESH", "HEALTH"}};
  for (const auto& l : leases)
    for (const auto& a : l.accounts) {
      auto at = refreshed_at(a.ccache_path);
      rows.push_back({l.id, a.account + "@" + a.domain,
                      a.ticket_expires_unix ? format_duration(a.ticket_expires_unix - now) : "-",
                      at ? (*at >= now ? "just now" : format_duration(now - *at) + " ago") : "-",
                      health_of(a)});
    }
  os << table(rows);
  return os.str();
}

std::string lease_list(const std::vector<Lease>& leases) {
  if (leases.empty()) return "no leases\n";
  std::vector<std::vector<std::string>> rows = {{"LEASE", "KIND", "ACCOUNTS"}};
  for (const auto& l : leases) {
    std::string accounts;
    for (const auto& a : l.accounts) accounts += (accounts.empty() ? "" : ",") + a.account;
    rows.push_back({l.id, l.kind, accounts});
  }
  return table(rows);
}

std::string lease_details(const Lease& l, std::int64_t now) {
  std::ostringstream os;
  os << "lease " << l.id << "\nkind: " << l.kind << "\n";
  os << "owner: uid " << (l.owner.uid ? std::to_string(*l.owner.uid) : "default") << ", gid "
     << (l.owner.gid ? std::to_string(*l.owner.gid) : "default");
  if (l.owner.mode)
    os << ", mode " << std::oct << std::setw(4) << std::setfill('0') << *l.owner.mode << std::dec;
  os << "\n";
  if (l.process) {
    os << "bound to: pid " << l.process->pid << " (start time " << l.process->start_time
       << "): deleted when it exits\n";
  } else {
    os << "bound to: no process: deleted on request only\n";
  }
  for (const auto& a : l.accounts) {
    os << "account " << a.account << "@" << a.domain << ": " << health_of(a) << ", expires in "
       << (a.ticket_expires_unix ? format_duration(a.ticket_expires_unix - now) : "-") << "\n"
       << "  ccache " << a.ccache_path << "\n";
  }
  return os.str();
}

}  // namespace gmsa::client
