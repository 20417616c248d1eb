#include "gmsa/daemon/config.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>

#include "gmsa/daemon/dns_srv.hpp"
#include "gmsa/daemon/fs.hpp"

namespace gmsa::daemon {

using json = nlohmann::json;

namespace {

bool is_ip_literal(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

template <class T>
Result<T> parse_uint(std::string_view field, std::string_view text, int base = 10) {
  T v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) {
    return make_error(std::string(field), "'" + std::string(text) + "' is not a valid number");
  }
  return v;
}

Result<mode_t> parse_mode(std::string_view field, std::string_view text) {
  auto m = parse_uint<unsigned>(field, text, 8);
  if (!m) return m.error();
  if (*m > 0777)
    return make_error(std::string(field), "only permission bits (<= 0777) are allowed");
  return static_cast<mode_t>(*m);
}

// Applies one key (JSON and flags share the names: "state_dir" == --state-dir).
Status apply(DaemonConfig& c, const std::string& key, const std::string& v) {
  auto secs = [&](std::chrono::seconds& out) -> Status {
    auto n = parse_uint<std::uint32_t>(key, v);
    if (!n) return n.error();
    out = std::chrono::seconds(*n);
    return ok_status();
  };
  auto ms = [&](std::chrono::milliseconds& out) -> Status {
    auto n = parse_uint<std::uint32_t>(key, v);
    if (!n) return n.error();
    if (*n == 0) return make_error(key, "must be greater than 0");
    out = std::chrono::milliseconds(*n);
    return ok_status();
  };
  if (key == "state_dir")
    c.state_dir = v;
  else if (key == "socket")
    c.socket_path = v;
  else if (key == "socket_group")
    c.socket_group = v;
  else if (key == "socket_mode") {
    auto m = parse_mode(key, v);
    if (!m) return m.error();
    c.socket_mode = *m;
  } else if (key == "domain")
    c.domain = v;
  else if (key == "realm")
    c.realm = v;
  else if (key == "base_dn")
    c.base_dn = v;
  else if (key == "krb5_conf")
    c.krb5_conf = v;
  else if (key == "host_keytab")
    c.host_keytab = v;
  else if (key == "host_principal")
    c.host_principal = v;
  else if (key == "dc") {
    auto dc = parse_dc(v);
    if (!dc) return dc.error();
    c.dcs.push_back(*dc);
  } else if (key == "dns_server")
    c.dns_server = v;
  else if (key == "ca_file")
    c.ca_file = v;
  else if (key == "connect_timeout_ms")
    return ms(c.connect_timeout);
  else if (key == "operation_timeout_ms")
    return ms(c.operation_timeout);
  else if (key == "renew_margin_s")
    return secs(c.renewal.margin);
  else if (key == "renew_jitter_s")
    return secs(c.renewal.jitter);
  else if (key == "backoff_initial_s")
    return secs(c.renewal.backoff_initial);
  else if (key == "backoff_max_s")
    return secs(c.renewal.backoff_max);
  else if (key == "host_check_interval_s")
    return secs(c.host_check_interval);
  else if (key == "file_uid") {
    auto n = parse_uint<std::uint32_t>(key, v);
    if (!n) return n.error();
    c.default_owner.uid = *n;
  } else if (key == "file_gid") {
    auto n = parse_uint<std::uint32_t>(key, v);
    if (!n) return n.error();
    c.default_owner.gid = *n;
  } else if (key == "file_mode") {
    auto m = parse_mode(key, v);
    if (!m) return m.error();
    c.default_owner.mode = *m;
  } else if (key == "domainless_secret")
    c.domainless_secret = v;
  else if (key == "sync_store") {
    if (v != "true" && v != "false") return make_error(key, "must be true or false");
    c.sync_store = v == "true";
  } else if (key == "log_level") {
    if (v != "debug" && v != "info" && v != "warn" && v != "error") {
      return make_error(key, "must be debug, info, warn or error");
    }
    c.log_level = v;
  } else {
    return make_error(key, "unknown setting");
  }
  return ok_status();
}

}  // namespace

Result<AddressPort> parse_address_port(const std::string& field, std::string_view text) {
  AddressPort out;
  std::string rest(text);
  if (!rest.empty() && rest[0] == '[') {  // [v6]:port
    auto close = rest.find(']');
    if (close == std::string::npos) return make_error(field, "unterminated '[' in '" + rest + "'");
    out.address = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return make_error(field, "junk after ']'");
    if (!rest.empty()) rest = rest.substr(1);
  } else if (std::count(rest.begin(), rest.end(), ':') == 1) {
    auto colon = rest.find(':');
    out.address = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  } else {
    out.address = rest;
    rest.clear();
  }
  if (!rest.empty()) {
    auto p = parse_uint<std::uint16_t>(field, rest);
    if (!p || *p == 0) return make_error(field, "bad port '" + rest + "'");
    out.port = *p;
  }
  if (!is_ip_literal(out.address)) {
    return make_error(field,
                      "'" + out.address + "' is not an IP address (names are never resolved)");
  }
  return out;
}

Result<DcConfig> parse_dc(std::string_view text) {
  DcConfig dc;
  auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return make_error("dc", "expected HOST=ADDRESS[:PORT], got '" + std::string(text) + "'");
  }
  dc.host = std::string(text.substr(0, eq));
  auto ap = parse_address_port("dc", text.substr(eq + 1));
  if (!ap) return ap.error();
  dc.address = std::move(ap->address);
  if (ap->port) {
    dc.port = *ap->port;
    dc.ldaps = dc.port == 636;
  }
  return dc;
}

Result<DaemonConfig> parse_config_json(std::string_view text, DaemonConfig base) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("config", "not a JSON object");
  for (auto& [key, val] : j.items()) {
    if (key == "dcs") {
      if (!val.is_array()) return make_error(key, "must be an array of \"host=address[:port]\"");
      for (const auto& d : val) {
        if (!d.is_string()) return make_error(key, "entries must be strings");
        if (auto st = apply(base, "dc", d.get<std::string>()); !st) return st.error();
      }
      continue;
    }
    std::string v;
    if (val.is_string())
      v = val.get<std::string>();
    else if (val.is_boolean())
      v = val.get<bool>() ? "true" : "false";
    else if (val.is_number_unsigned())
      v = std::to_string(val.get<std::uint64_t>());
    else
      return make_error(key, "must be a string, a non-negative number or a boolean");
    if (auto st = apply(base, key, v); !st) return st.error();
  }
  return base;
}

Result<DaemonConfig> load_config_file(const std::string& path, DaemonConfig base) {
  auto text = fs::read_file(path, 256 * 1024);
  if (!text) return text.error();
  auto c = parse_config_json(*text, std::move(base));
  if (!c) return make_error(path + ": " + c.error().field, c.error().message);
  return c;
}

Result<DaemonConfig> parse_flags(const std::vector<std::string>& args) {
  DaemonConfig c;
  std::vector<std::pair<std::string, std::string>> flags;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) return make_error(a, "unexpected argument");
    std::string name = a.substr(2), value;
    auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else {
      if (i + 1 >= args.size()) return make_error(a, "needs a value");
      value = args[++i];
    }
    std::replace(name.begin(), name.end(), '-', '_');
    flags.emplace_back(name, value);
  }
  for (const auto& [k, v] : flags) {
    if (k != "config") continue;
    auto loaded = load_config_file(v, c);
    if (!loaded) return loaded.error();
    c = std::move(loaded).value();
  }
  for (const auto& [k, v] : flags) {
    if (k == "config") continue;
    if (auto st = apply(c, k, v); !st)
      return make_error("--" + st.error().field, st.error().message);
  }
  return c;
}

Status finalize(DaemonConfig& c) {
  if (c.domain.empty()) return make_error("domain", "is required");
  for (char ch : c.domain) {
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-')) {
      return make_error("domain", "must be a DNS name");
    }
  }
  if (c.realm.empty()) {
    c.realm = c.domain;
    for (char& ch : c.realm) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  if (c.base_dn.empty()) {
    std::string d = c.domain;
    std::size_t start = 0;
    while (start <= d.size()) {
      auto dot = d.find('.', start);
      std::string part =
          d.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      c.base_dn += (c.base_dn.empty() ? "DC=" : ",DC=") + part;
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  if (c.krb5_conf.empty())
    return make_error("krb5_conf", "is required (the environment is never used)");
  if (c.state_dir.empty() || c.state_dir[0] != '/')
    return make_error("state_dir", "must be an absolute path");
  if (c.socket_path.empty() || c.socket_path[0] != '/')
    return make_error("socket", "must be an absolute path");
  if (c.socket_path.size() >= 108)
    return make_error("socket", "longer than a Unix socket path allows (107)");
  if (c.host_keytab.empty() != c.host_principal.empty()) {
    return make_error("host_keytab", "host_keytab and host_principal go together");
  }
  if (c.host_keytab.empty() && c.domainless_secret.empty()) {
    // Domainless-only daemons get their user from each request.
  }
  if (c.dcs.empty() && c.dns_server.empty()) {
    return make_error("dcs", "give explicit DCs or a dns_server for SRV discovery");
  }
  if (!c.dns_server.empty()) {
    if (auto s = parse_dns_server(c.dns_server); !s) return s.error();
  }
  if (c.renewal.backoff_initial.count() == 0)
    return make_error("backoff_initial_s", "must be greater than 0");
  if (c.renewal.backoff_max < c.renewal.backoff_initial) {
    return make_error("backoff_max_s", "must not be less than backoff_initial_s");
  }
  return ok_status();
}

std::string usage() {
  return "usage: gmsa-brokerd [--config FILE] [--state-dir DIR] [--socket PATH]\n"
         "  [--socket-group GROUP] [--socket-mode 0660] --domain DNS --krb5-conf FILE\n"
         "  [--realm REALM] [--base-dn DN] [--host-keytab FILE --host-principal NAME$@REALM]\n"
         "  [--dc HOST=ADDRESS[:PORT]]... | [--dns-server IPV4[:PORT]|[IPV6][:PORT]]\n"
         "  [--ca-file FILE] [--connect-timeout-ms N] [--operation-timeout-ms N]\n"
         "  [--renew-margin-s N] [--renew-jitter-s N] [--backoff-initial-s N] [--backoff-max-s N]\n"
         "  [--host-check-interval-s N] [--file-uid N] [--file-gid N] [--file-mode 0600]\n"
         "  [--domainless-secret FILE] [--sync-store true|false] [--log-level info]\n"
         "Settings and the JSON config file are described in docs/daemon.md.\n";
}

}  // namespace gmsa::daemon
