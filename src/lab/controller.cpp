// `gmsa lab serve`: the lab's stand-in for a DC's gMSA password service.
// For each gMSA it computes the password from the KDS root key (MS-GKDI),
// publishes msDS-ManagedPassword / -Id / -PreviousId through slapd's ldapi
// socket (SASL EXTERNAL as root), and keeps the KDC's keys in step through
// kadm5 (current kvno plus the previous one), on the lab's time map.
#define LDAP_DEPRECATED 0
#include <lber.h>
#include <ldap.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "gmsa/blob/managed_password.hpp"
#include "gmsa/gkdi/gkdi.hpp"
#include "gmsa/keys/keys.hpp"
#include "gmsa/lab/kdc_admin.hpp"
#include "gmsa/lab/lab.hpp"
#include "gmsa/lab/rotation.hpp"
#include "src/lab/files.hpp"

namespace gmsa::lab {
namespace {

int sasl_quiet(LDAP*, unsigned, void*, void*) { return LDAP_SUCCESS; }

class Ldapi {
 public:
  ~Ldapi() {
    if (ld_) ldap_unbind_ext_s(ld_, nullptr, nullptr);
  }
  Status connect(const std::string& url) {
    if (ldap_initialize(&ld_, url.c_str()) != LDAP_SUCCESS) return Error{url, "cannot initialise"};
    int v3 = LDAP_VERSION3;
    ldap_set_option(ld_, LDAP_OPT_PROTOCOL_VERSION, &v3);
    int rc = ldap_sasl_interactive_bind_s(ld_, nullptr, "EXTERNAL", nullptr, nullptr,
                                          LDAP_SASL_QUIET, sasl_quiet, nullptr);
    if (rc != LDAP_SUCCESS) return Error{url, std::string("EXTERNAL bind: ") + ldap_err2string(rc)};
    return ok_status();
  }
  Result<gkdi::RootKey> root_key(const std::string& container) {
    const char* attrs[] = {"cn", "msKds-RootKeyData", nullptr};
    LDAPMessage* res = nullptr;
    int rc = ldap_search_ext_s(ld_, container.c_str(), LDAP_SCOPE_ONELEVEL,
                               "(objectClass=msKds-ProvRootKey)", const_cast<char**>(attrs), 0,
                               nullptr, nullptr, nullptr, 0, &res);
    if (rc != LDAP_SUCCESS) {
      if (res) ldap_msgfree(res);
      return Error{"root key", ldap_err2string(rc)};
    }
    Result<gkdi::RootKey> out = Error{"root key", "none in " + container};
    if (LDAPMessage* e = ldap_first_entry(ld_, res)) {
      berval** cn = ldap_get_values_len(ld_, e, "cn");
      berval** data = ldap_get_values_len(ld_, e, "msKds-RootKeyData");
      if (cn && cn[0] && data && data[0]) {
        auto id = Guid::parse(std::string(cn[0]->bv_val, cn[0]->bv_len));
        if (id.ok()) {
          gkdi::RootKey key;
          key.id = *id;
          key.data =
              SecretBytes(reinterpret_cast<const std::uint8_t*>(data[0]->bv_val), data[0]->bv_len);
          secure_wipe(data[0]->bv_val, data[0]->bv_len);
          out = std::move(key);
        }
      }
      if (cn) ldap_value_free_len(cn);
      if (data) ldap_value_free_len(data);
    }
    ldap_msgfree(res);
    return out;
  }
  Status replace(const std::string& dn, const SecretBytes& blob,
                 const std::vector<std::uint8_t>& id,
                 const std::optional<std::vector<std::uint8_t>>& previous_id) {
    berval b{static_cast<ber_len_t>(blob.size()),
             const_cast<char*>(reinterpret_cast<const char*>(blob.data()))};
    berval i{static_cast<ber_len_t>(id.size()),
             const_cast<char*>(reinterpret_cast<const char*>(id.data()))};
    berval p{};
    if (previous_id) {
      p = berval{static_cast<ber_len_t>(previous_id->size()),
                 const_cast<char*>(reinterpret_cast<const char*>(previous_id->data()))};
    }
    berval* bv[] = {&b, nullptr};
    berval* iv[] = {&i, nullptr};
    berval* pv[] = {previous_id ? &p : nullptr, nullptr};
    LDAPMod m1{LDAP_MOD_REPLACE | LDAP_MOD_BVALUES, const_cast<char*>("msDS-ManagedPassword"), {}};
    m1.mod_bvalues = bv;
    LDAPMod m2{
        LDAP_MOD_REPLACE | LDAP_MOD_BVALUES, const_cast<char*>("msDS-ManagedPasswordId"), {}};
    m2.mod_bvalues = iv;
    LDAPMod m3{LDAP_MOD_REPLACE | LDAP_MOD_BVALUES,
               const_cast<char*>("msDS-ManagedPasswordPreviousId"),
               {}};
    m3.mod_bvalues = pv;
    LDAPMod* mods[] = {&m1, &m2, &m3, nullptr};
    int rc = ldap_modify_ext_s(ld_, dn.c_str(), mods, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return Error{dn, std::string("modify: ") + ldap_err2string(rc)};
    return ok_status();
  }

 private:
  LDAP* ld_ = nullptr;
};

struct Published {
  std::optional<gkdi::Gkid> kdc_key;  // key in force in the KDC
};

class Controller {
 public:
  Controller(const LabConfig& c, const TimeMap& map, std::ostream& log)
      : c_(c), map_(map), log_(log) {}

  Status init() {
    if (auto s = ldap_.connect(c_.ldapi_url()); !s.ok()) return s;
    auto key = ldap_.root_key(
        "CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services,"
        "CN=Configuration," +
        c_.base_dn);
    if (!key.ok()) return key.error();
    root_ = std::move(*key);
    auto admin = KdcAdmin::open(c_.realm);
    if (!admin.ok()) return admin.error();
    admin_ = std::move(*admin);
    published_.resize(c_.gmsas().size());
    return ok_status();
  }

  // Publishes the state at `now`; returns the real time of the next event.
  Result<SystemTime> tick(SystemTime now) {
    const std::uint64_t vnow = map_.to_virtual(now);
    gkdi::RotationSchedule sched{map_.anchor_nt, c_.password_interval_days};
    const auto gmsas = c_.gmsas();
    for (std::size_t i = 0; i < gmsas.size(); ++i) {
      if (auto s = publish(gmsas[i], published_[i], sched, vnow); !s.ok()) return s.error();
    }
    // Wake at the next lead window or change, and often enough that the
    // published query interval stays accurate.
    const std::uint64_t change = sched.next_change_nt(vnow);
    const std::uint64_t lead = change - std::min(change, gkdi::kRotationLead100ns);
    std::uint64_t next = lead > vnow ? lead : change;
    SystemTime wake = map_.to_real(next);
    auto refresh = map_.scaled()
                       ? std::chrono::seconds(std::max<std::int64_t>(1, c_.rotation.count() / 10))
                       : std::chrono::seconds(60);
    refresh = std::min(refresh, std::chrono::seconds(60));
    return std::min(wake, now + refresh);
  }

 private:
  Status publish(const Account& g, Published& state, const gkdi::RotationSchedule& sched,
                 std::uint64_t vnow) {
    const Sid sid = account_sid(c_, g.rid);
    const std::string salt = keys::ad_salt(c_.domain, g.sam);
    const std::int64_t first = sched.current_gkid(sched.created_nt).cycle();
    const std::int64_t period = sched.period_cycles();
    // KDC: the key in force and the one before it, as AD keeps both.
    const gkdi::Gkid in_force = sched.current_gkid(vnow);
    if (!state.kdc_key || *state.kdc_key != in_force) {
      std::vector<KeySpec> all;
      for (std::int64_t cyc : {in_force.cycle() - period, in_force.cycle()}) {
        if (cyc < first) continue;
        auto k = keys_for(sid, gkdi::Gkid::from_cycle(cyc), salt, kvno_for(first, cyc, period));
        if (!k.ok()) return k.error();
        for (auto& x : *k) all.push_back(std::move(x));
      }
      for (const std::string& p : principals(g)) {
        if (auto s = admin_->set_keys(p, all); !s.ok()) return s;
      }
      state.kdc_key = in_force;
      log_ << g.sam << ": KDC keys kvno " << kvno_for(first, in_force.cycle(), period) << "\n";
    }
    // Directory: the blob a DC would return now.
    const gkdi::PasswordState ps = gkdi::password_state(sched, vnow);
    blob::ManagedPassword mp;
    auto cur = gkdi::gmsa_password(root_, sid, ps.current);
    if (!cur.ok()) return cur.error();
    mp.current = std::move(*cur);
    if (ps.previous) {
      auto prev = gkdi::gmsa_password(root_, sid, *ps.previous);
      if (!prev.ok()) return prev.error();
      mp.previous = std::move(*prev);
    }
    mp.query_interval_100ns = map_.real_interval(ps.query_interval_100ns);
    mp.unchanged_interval_100ns = map_.real_interval(ps.unchanged_interval_100ns);
    auto blob = blob::encode(mp);
    if (!blob.ok()) return blob.error();
    auto id = gkdi::encode_password_id({ps.current, root_.id, c_.domain, c_.domain});
    std::optional<std::vector<std::uint8_t>> prev_id;
    if (ps.previous)
      prev_id = gkdi::encode_password_id({*ps.previous, root_.id, c_.domain, c_.domain});
    return ldap_.replace(account_dn(c_, g), *blob, id, prev_id);
  }

  std::vector<std::string> principals(const Account& g) const {
    std::vector<std::string> out = {g.sam + "@" + c_.realm};
    for (const auto& spn : g.spns) out.push_back(spn + "@" + c_.realm);
    return out;
  }

  Result<std::vector<KeySpec>> keys_for(const Sid& sid, const gkdi::Gkid& gkid,
                                        const std::string& salt, int kvno) {
    auto pw = gkdi::gmsa_password(root_, sid, gkid);
    if (!pw.ok()) return pw.error();
    auto utf8 = keys::utf16le_to_utf8(pw->span());
    if (!utf8.ok()) return utf8.error();
    return aes_keys(*utf8, salt, kvno);
  }

  const LabConfig& c_;
  TimeMap map_;
  std::ostream& log_;
  Ldapi ldap_;
  gkdi::RootKey root_;
  std::unique_ptr<KdcAdmin> admin_;
  std::vector<Published> published_;
};

}  // namespace

Status serve(const LabConfig& c, std::ostream& log) {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, nullptr);

  auto anchor_text = read_file(c.path("state/rotation.json"));
  if (!anchor_text.ok()) return anchor_text.error();
  auto anchor = nlohmann::json::parse(*anchor_text, nullptr, false);
  if (anchor.is_discarded() || !anchor.contains("anchorUnixMs")) {
    return Error{c.path("state/rotation.json"), "missing anchorUnixMs"};
  }
  SystemTime anchor_time{std::chrono::milliseconds(anchor["anchorUnixMs"].get<std::int64_t>())};
  TimeMap map = TimeMap::make(anchor_time, c.password_interval_days, c.rotation);
  Controller ctl(c, map, log);
  if (auto s = ctl.init(); !s.ok()) return s;
  RealClock clock;
  bool ready = false;
  for (;;) {
    auto next = ctl.tick(clock.now());
    if (!next.ok()) return next.error();
    log.flush();
    if (!ready) {
      if (auto s = write_file(c.path("run/controller.ready"), "ready\n"); !s.ok()) return s;
      ready = true;
    }
    auto wait = std::max(std::chrono::nanoseconds(1'000'000), *next - clock.now());
    timespec ts{static_cast<time_t>(wait.count() / 1'000'000'000),
                static_cast<long>(wait.count() % 1'000'000'000)};
    if (sigtimedwait(&stop, nullptr, &ts) > 0) break;
  }
  log << "controller stopping\n";
  return ok_status();
}

}  // namespace gmsa::lab
