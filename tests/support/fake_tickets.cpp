#include "fake_tickets.hpp"

#include <krb5/krb5.h>
#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace gmsa::testing {

std::string write_krb5_conf(const std::string& dir, const std::string& realm) {
  std::string path = dir + "/krb5.conf";
  std::ofstream f(path);
  f << "[libdefaults]\n default_realm = " << realm
    << "\n dns_lookup_kdc = false\n dns_lookup_realm = false\n rdns = false\n"
       " dns_canonicalize_hostname = false\n[realms]\n "
    << realm << " = {\n  kdc = 127.0.0.1:1\n }\n";
  return path;
}

static krb5_timestamp ts(SystemTime t) {
  return static_cast<krb5_timestamp>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

krb::Credentials fake_tgt(const krb::Context& ctx, const std::string& client, SystemTime start,
                          SystemTime end) {
  krb5_context k = ctx.get();
  krb5_creds c{};
  std::string realm = krb::realm_of(client);
  std::string server = "krbtgt/" + realm + "@" + realm;
  if (krb5_parse_name(k, client.c_str(), &c.client) != 0) throw std::runtime_error("client");
  if (krb5_parse_name(k, server.c_str(), &c.server) != 0) throw std::runtime_error("server");
  static unsigned char key[32] = {1, 2, 3, 4};
  c.keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
  c.keyblock.length = sizeof key;
  c.keyblock.contents = key;
  c.times.authtime = c.times.starttime = ts(start);
  c.times.endtime = ts(end);
  c.times.renew_till = ts(end);
  static char ticket[] = "not-a-real-ticket";
  c.ticket.length = sizeof ticket - 1;
  c.ticket.data = ticket;
  krb5_data* data = nullptr;
  if (krb5_marshal_credentials(k, &c, &data) != 0) throw std::runtime_error("marshal");
  krb::Credentials out;
  out.client = client;
  out.server = server;
  out.start_time = SystemTime{} + std::chrono::seconds(c.times.starttime);
  out.end_time = SystemTime{} + std::chrono::seconds(c.times.endtime);
  out.renew_till = out.end_time;
  out.marshalled = SecretBytes(reinterpret_cast<const std::uint8_t*>(data->data), data->length);
  krb5_free_data(k, data);
  krb5_free_principal(k, c.client);
  krb5_free_principal(k, c.server);
  return out;
}

std::string make_temp_dir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/" + prefix + "XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return tmpl;
}

void remove_tree(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace gmsa::testing
