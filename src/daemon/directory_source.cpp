#include "gmsa/daemon/directory_source.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "gmsa/daemon/dns_srv.hpp"
#include "gmsa/daemon/leases.hpp"
#include "gmsa/daemon/log.hpp"
#include "gmsa/keys/keys.hpp"
#include "gmsa/ldap/directory.hpp"

namespace gmsa::daemon {

namespace sf = source_field;
using namespace std::chrono_literals;

namespace {
std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

Status tcp_probe(const std::string& address, std::uint16_t port,
                 std::chrono::milliseconds timeout) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    return make_error(sf::kDc, "'" + address + "' is not an IP address");
  }
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(sf::kDc, std::string("socket: ") + std::strerror(errno));
  std::string where = address + ":" + std::to_string(port);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
  if (rc != 0 && errno != EINPROGRESS) {
    Error e = make_error(sf::kDc, where + ": " + std::strerror(errno));
    ::close(fd);
    return e;
  }
  if (rc != 0) {
    pollfd p{fd, POLLOUT, 0};
    int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (n == 0) {
      ::close(fd);
      return make_error(sf::kDc, where + ": connect timed out");
    }
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (n < 0 || soerr != 0) {
      Error e = make_error(sf::kDc, where + ": " + std::strerror(n < 0 ? errno : soerr));
      ::close(fd);
      return e;
    }
  }
  ::close(fd);
  return ok_status();
}

DirectorySource::DirectorySource(DaemonConfig cfg, Random& random, const Clock& clock,
                                 LdapPool::Connector connector)
    : cfg_(std::move(cfg)), random_(random), clock_(clock), pool_(std::move(connector), clock) {
  // Defaults (realm, base DN) are derived here too, so a source built from an
  // unfinalized config behaves like the daemon's; invalid configs are refused
  // by Daemon::create.
  (void)finalize(cfg_);
  if (auto c = krb::Context::open(cfg_.krb5_conf)) own_ctx_.emplace(std::move(c).value());
}

Result<std::shared_ptr<krb::MemoryCcache>> DirectorySource::host_ccache() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (host_cc_ && clock_.now() + 5min < host_cc_end_) return host_cc_;
  }
  auto tgt = authority_tgt(Authority{}, false);
  if (!tgt) return tgt.error();
  if (!own_ctx_) return make_error(sf::kHost, "cannot load " + cfg_.krb5_conf);
  std::shared_ptr<std::mutex> cc_mu = cc_mu_;
  std::unique_lock<std::mutex> cc_lock(*cc_mu);
  auto cc = krb::MemoryCcache::create(*own_ctx_, *tgt);
  cc_lock.unlock();
  if (!cc) return make_error(sf::kHost, cc.error().what());
  // Destroyed on whichever thread drops the last reference: serialise the use
  // of own_ctx_ (a krb5_context is not thread-safe).
  std::shared_ptr<krb::MemoryCcache> shared(new krb::MemoryCcache(std::move(cc).value()),
                                            [cc_mu](krb::MemoryCcache* p) {
                                              std::lock_guard<std::mutex> l(*cc_mu);
                                              delete p;
                                            });
  std::lock_guard<std::mutex> lock(mu_);
  host_cc_ = shared;
  host_cc_end_ = tgt->end_time;
  ++host_generation_;  // connections bound with the previous TGT are dropped
  return shared;
}

std::string DirectorySource::principal_for(const GmsaRef& ref) const {
  return upper(ref.account) + "$@" + cfg_.realm;
}

std::string DirectorySource::last_dc() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_dc_;
}

Result<krb::Credentials> DirectorySource::authority_tgt(const Authority& who, bool force_fresh) {
  auto ctx = thread_context(cfg_.krb5_conf);
  if (!ctx) return make_error(sf::kHost, ctx.error().what());
  if (who.kind == Authority::Kind::kUser) {
    std::string principal =
        who.username + "@" + upper(who.domain.empty() ? cfg_.domain : who.domain);
    auto t = krb::tgt_from_password(**ctx, principal, who.password);
    if (!t) return make_error(sf::kHost, t.error().what());
    return t;
  }
  if (cfg_.host_keytab.empty()) {
    return make_error(sf::kHost, "no host keytab configured (domainless requests only)");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!force_fresh && host_tgt_ && clock_.now() + 5min < host_tgt_->end_time) return *host_tgt_;
  }
  auto t = krb::tgt_from_keytab(**ctx, cfg_.host_keytab, cfg_.host_principal);
  if (!t) return make_error(sf::kHost, t.error().what());
  std::lock_guard<std::mutex> lock(mu_);
  host_tgt_ = *t;
  return t;
}

Result<blob::ManagedPassword> DirectorySource::read_password(const GmsaRef& ref,
                                                             const Authority& who) {
  std::shared_ptr<krb::MemoryCcache> cc;
  const bool pooled = who.kind == Authority::Kind::kHost;
  std::uint64_t generation = 0;
  if (pooled) {
    auto h = host_ccache();
    if (!h) return h.error();
    cc = std::move(h).value();
    std::lock_guard<std::mutex> lock(mu_);
    generation = host_generation_;
  } else {
    auto tgt = authority_tgt(who, false);
    if (!tgt) return tgt.error();
    auto ctx = thread_context(cfg_.krb5_conf);
    if (!ctx) return make_error(sf::kHost, ctx.error().what());
    auto m = krb::MemoryCcache::create(**ctx, *tgt);
    if (!m) return make_error(sf::kHost, m.error().what());
    cc = std::make_shared<krb::MemoryCcache>(std::move(m).value());
  }
  auto dcs = discover_dcs(cfg_, random_);
  if (!dcs) return make_error(sf::kDc, dcs.error().what());
  ldap::ConnectOptions opts;
  opts.connect_timeout = cfg_.connect_timeout;
  opts.operation_timeout = cfg_.operation_timeout;
  opts.ca_file = cfg_.ca_file;
  opts.ccache_name = cc->name();
  opts.krb5_config = cfg_.krb5_conf;
  std::string connect_errors;
  std::optional<Error> directory_error;
  for (const DcConfig& dc : *dcs) {
    ldap::DcEndpoint ep{dc.host, dc.address, dc.port, dc.ldaps};
    auto out = pool_.find_gmsa(ep, opts, cfg_.base_dn, ref.account, pooled, generation);
    if (out.kind == LdapPool::Outcome::Kind::kConnectFailed) {
      connect_errors += (connect_errors.empty() ? "" : "; ") + out.error.what();
      log::warn("dc_unavailable", {{"dc", dc.host}, {"error", out.error.what()}});
      continue;
    }
    if (out.kind == LdapPool::Outcome::Kind::kSearchFailed) {
      // The next DC may answer (e.g. this one timed out mid-search).
      directory_error = make_error(sf::kDirectory, dc.host + ": " + out.error.what());
      continue;
    }
    auto& entry = out.entry;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_dc_ = dc.host;
    }
    if (!entry->managed_password) {
      // AD omits the attribute (no error) both when the principal is not in
      // PrincipalsAllowedToRetrieveManagedPassword and when the DC cannot
      // compute it (e.g. Samba 4.17, or no KDS root key).
      return make_error(sf::kDirectory,
                        dc.host + ": msDS-ManagedPassword not returned for " + ref.account +
                            "$: the host may not be allowed to read it "
                            "(PrincipalsAllowedToRetrieveManagedPassword) or the DC does not "
                            "serve it");
    }
    auto pw = blob::parse(entry->managed_password->span());
    if (!pw) return make_error(sf::kDirectory, "msDS-ManagedPassword: " + pw.error().what());
    return pw;
  }
  if (directory_error) return *directory_error;
  return make_error(sf::kDc, "no DC reachable: " + connect_errors);
}

Result<krb::Credentials> DirectorySource::get_tgt(const GmsaRef& ref,
                                                  const SecretBytes& utf16_password) {
  auto utf8 = keys::utf16le_to_utf8(utf16_password.span());
  if (!utf8) return make_error(sf::kDirectory, "password: " + utf8.error().what());
  auto ctx = thread_context(cfg_.krb5_conf);
  if (!ctx) return make_error(sf::kKdc, ctx.error().what());
  // The AES keys with one PBKDF2 (AD's salt rule for a gMSA, a computer-class
  // account; keys::aes_keys), then the AS exchange with those keys: a
  // fraction of libkrb5's own string-to-key in krb5_get_init_creds_password.
  auto aes = keys::aes_keys(*utf8, keys::ad_salt(cfg_.domain, ref.account));
  if (!aes) return make_error(sf::kKdc, aes.error().what());
  std::vector<krb::KeytabKey> k;
  k.push_back(
      {1, static_cast<std::int32_t>(keys::Enctype::kAes256CtsHmacSha196), std::move(aes->aes256)});
  k.push_back(
      {1, static_cast<std::int32_t>(keys::Enctype::kAes128CtsHmacSha196), std::move(aes->aes128)});
  auto t = krb::tgt_from_keys(**ctx, principal_for(ref), k);
  if (!t) return make_error(sf::kKdc, t.error().what());
  return t;
}

Result<std::vector<krb::KeytabKey>> DirectorySource::keytab_keys(
    const GmsaRef& ref, const blob::ManagedPassword& password, const krb::Credentials& tgt) {
  auto ctx = thread_context(cfg_.krb5_conf);
  if (!ctx) return make_error(sf::kKdc, ctx.error().what());
  auto kvno = krb::service_key_version(**ctx, tgt, principal_for(ref));
  if (!kvno) return make_error(sf::kKdc, kvno.error().what());
  std::vector<krb::KeytabKey> out;
  auto add = [&](const SecretBytes& pw, std::uint32_t vno) -> Status {
    auto k = keys::derive(pw.span(), cfg_.domain, ref.account);
    if (!k) return make_error(sf::kDirectory, k.error().what());
    out.push_back({vno, static_cast<std::int32_t>(keys::Enctype::kAes256CtsHmacSha196), k->aes256});
    out.push_back({vno, static_cast<std::int32_t>(keys::Enctype::kAes128CtsHmacSha196), k->aes128});
    return ok_status();
  };
  if (auto st = add(password.current, *kvno); !st) return st.error();
  if (password.previous && *kvno > 1) {
    if (auto st = add(*password.previous, *kvno - 1); !st) return st.error();
  }
  return out;
}

Status DirectorySource::check_host() {
  if (!cfg_.host_keytab.empty()) {
    auto t = authority_tgt(Authority{}, true);
    if (!t) return t.error();
  }
  auto dcs = discover_dcs(cfg_, random_);
  if (!dcs) return make_error(sf::kDc, dcs.error().what());
  std::string errors;
  for (const auto& dc : *dcs) {
    auto st = tcp_probe(dc.address, dc.port, cfg_.connect_timeout);
    if (st) return ok_status();
    errors += (errors.empty() ? "" : "; ") + dc.host + " " + st.error().message;
  }
  return make_error(sf::kDc, errors);
}

}  // namespace gmsa::daemon
